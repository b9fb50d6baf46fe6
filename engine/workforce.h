/* workforce.h -- social workers needed and in post, month by month, in every replicate.
 *
 * The model definition's teams (modeldef.h) say which states' cases each team holds,
 * what a case weighs and the caseload aimed for; a scenario's [workforce] section says
 * who is in post on the start date and the policies that move them (scenario.h). Each
 * replicate's projected children drive its own workforce, so the intervals on caseloads
 * and costs carry the uncertainty of demand as well as of staffing.
 *
 * Each month m, for each team (in this order):
 *   1. turnover: permanent and newly qualified (NQ) FTE each leave with monthly
 *      probability 1 - (1 - r)^(1/12), r the annual turnover in force (a change's, else
 *      the team's, else the council's), raised when last month's caseload per FTE was
 *      above the threshold: r x (1 + elasticity x (caseload / threshold - 1)), at most 1;
 *   2. agency conversion: agency FTE move into permanent posts with monthly probability
 *      1 - (1 - c)^(1/12), as many as last month's posts left vacant at most;
 *   3. in the NQ month (September by default) last year's NQ become permanent and the
 *      year's intake starts (the council's intake shared by posts on the start date);
 *   4. recruits advertised `lag` months ago start;
 *   5. weighted cases W = sum over held states of weight x children at the month's end;
 *      FTE needed = W / target / (1 - absence);
 *   6. posts (establishment): fixed at permanent + vacant FTE on the start date, or
 *      (demand-led) the FTE needed;
 *   7. recruitment: whole posts not filled by permanent or NQ staff and not already
 *      being recruited are advertised (a fraction of a post stays vacant), at most the council's
 * capacity for the month (fractions accumulate), which goes one post at a time to the team with the
 *      largest share of its posts still open; each advertised post is filled with
 *      probability `fill`, the recruit starting `lag` months later (0: this month);
 *   8. agency FTE = cover x vacant posts + the agency FTE on the start date beyond the
 *      vacancies it covered then (absence cover, extra posts), capped at
 *      cap / (1 - cap) x (permanent + NQ) when the cap is below 1;
 *   9. caseload per FTE = W / ((permanent + nq_caseload x NQ + agency) x (1 - absence));
 *  10. cost = (permanent x salary + NQ x nq_salary) x (1 + oncost) / 12 + agency x day
 *      rate x weekdays in the month, all times (1 + pay_inflation) per 1 April passed.
 * FTE are kept with their fractions: whole FTE leave one by one (binomial) and the
 * fraction leaves whole with the same probability, so the expected FTE is exact.
 * Random numbers come from streams (seed, replicate, RNG_WORKFORCE, team, 2 x month)
 * for steps 1-2 and (..., 2 x month + 1) for step 7, so
 * every scenario of a replicate draws the same numbers (common random numbers) and the
 * results do not depend on the number of threads.
 *
 * Outputs per replicate are [month][group][measure] and [financial year][group][measure],
 * groups being the teams and then all teams together (ratios of the sums). A financial
 * year (April to March) holds the months that start in it: flows (cost, leavers,
 * starters) are summed over them, the other measures averaged.
 */
#ifndef CC_WORKFORCE_H
#define CC_WORKFORCE_H

#include <stdint.h>

#include "error.h"
#include "layer.h"
#include "modeldef.h"
#include "rng.h"
#include "scenario.h"

/* Measures, in output order. */
enum wf_measure {
    WF_CASES,        /* weighted cases held at the month's end */
    WF_NEEDED,       /* FTE needed to hold the target caseload */
    WF_POSTS,        /* establishment (funded posts), FTE */
    WF_PERMANENT,    /* permanent FTE in post (beyond their first year) */
    WF_NQ,           /* newly qualified FTE in their first year */
    WF_AGENCY,       /* agency FTE */
    WF_IN_POST,      /* permanent + NQ + agency FTE */
    WF_VACANCY_RATE, /* posts not filled by permanent or NQ staff, % of posts */
    WF_AGENCY_SHARE, /* agency, % of FTE in post */
    WF_CASELOAD,     /* weighted cases per available FTE */
    WF_COST,         /* staffing cost of the month, pounds */
    WF_LEAVERS,      /* permanent and NQ FTE leaving during the month */
    WF_STARTERS,     /* FTE starting permanent or NQ posts (recruits, conversions, NQ) */
    WF_NMEASURES
};

extern const layer_measure workforce_measures[WF_NMEASURES];

typedef struct workforce workforce;

/* Public API */

/* Prepares scenario workforce `w` for a run of M months (month m from month_start[m] to
 * month_start[m + 1] - 1, day numbers) whose children on the start date are
 * initial_stock[S]. Teams without their own starting staff share the council's in
 * proportion to the FTE they need on the start date. NULL with *status on failure. */
workforce *workforce_alloc(const modeldef *def, const scn_workforce *w, const int *month_start,
                           int M, const int32_t *initial_stock, cc_err *err, int *status);
void workforce_free(workforce *wf);

/* Groups (the teams, then all teams) and financial years of the outputs. */
int workforce_ngroups(const workforce *wf);
int workforce_nyears(const workforce *wf);

/* Label of financial year y ("2025-26") and how many months of the run it holds. */
const char *workforce_year_label(const workforce *wf, int y);
int workforce_year_months(const workforce *wf, int y);

/* Target caseload of group g (for all teams: the FTE-needed-weighted mean on the start
 * date, i.e. total weighted cases over total FTE needed at the targets). */
double workforce_target(const workforce *wf, int g);

/* Runs the workforce of replicate `replicate` from its month-end children stock[M][S]:
 * month_out[M][G][WF_NMEASURES] and year_out[Y][G][WF_NMEASURES]. `g` is the caller's
 * generator (positioned here). */
void workforce_replicate(const workforce *wf, const int32_t *stock, uint64_t seed, int replicate,
                         rng *g, double *month_out, double *year_out);

#endif
