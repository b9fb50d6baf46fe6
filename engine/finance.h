/* finance.h -- what a scenario costs, by month and financial year, in every replicate.
 *
 * A unit-cost CSV (README, "Finance") gives a weekly cost per child for each placement
 * need and provider, and for any other state (care leavers' support, say), each from a
 * date with an annual inflation rate. The cost of a day is weekly_cost / 7, raised by
 * (1 + inflation) each 1 April after the row's `from` date (its price base); a later
 * row for the same item and provider replaces an earlier one from its date on; before
 * the first row's date the first row applies at its own prices. A scenario's
 * [cost_change] sections multiply it between two dates.
 *
 * Every stay the placement layer hands over (placement_segment: state, provider, days)
 * is priced exactly: its days are split at month starts and at every date on which a
 * price changes, and each piece costs its length in days (with fractions) times the
 * daily price then. So part weeks and part months cost what they should, and a rise on
 * 1 April applies from that day. Staffing (the workforce layer's cost, when the scenario
 * has one) and the scenario's services ([service.NAME]: annual cost / days in the
 * financial year, per day) are added. Lines are placements by need, other states'
 * support, staffing, each service, and the total; the lines are the same for every
 * scenario of a run (the union), so differences from the baseline are line by line.
 * Totals per financial year are summed inside each replicate.
 *
 * A budget CSV (year, line, budget) gives, per financial year and line, the budget the
 * run file compares every replicate's cost with (the probability of overspending).
 */
#ifndef CC_FINANCE_H
#define CC_FINANCE_H

#include <stdint.h>

#include "layer.h"
#include "modeldef.h"
#include "placement.h"
#include "problems.h"
#include "scenario.h"

#define FIN_MAX_LINES 64

enum fin_measure { FIN_COST, FIN_NMEASURES };
extern const layer_measure finance_measures[FIN_NMEASURES];

/* The cost lines of a run. */
typedef struct finance_lines {
    int L;
    char name[FIN_MAX_LINES][32];
    char label[FIN_MAX_LINES][160];
} finance_lines;

typedef struct finance finance;

/* Public API */

/* Prepares the finance of a scenario: reads its unit costs and budget. Every problem
 * goes to `pr` with file, line and column, and the rows in error are left out; the
 * caller refuses to run when `pr` holds errors. NULL only when out of memory. */
finance *finance_alloc(const modeldef *def, const scn_placements *p, const int *month_start,
                       int M, bool staffing, problems *pr);
void finance_free(finance *f);

/* Marks (sets to true) the states whose stays have a unit cost. */
void finance_cost_states(const finance *f, bool *mark);

/* The run's cost lines from its scenarios' finances (NULL entries skipped): every
 * placement need, each other state with a unit cost, staffing if any scenario has it,
 * each service by name, then the total. */
void finance_lines_build(finance *const *f, int n, const modeldef *def, finance_lines *out);

/* Gives a scenario's finance the run's lines and resolves its budget rows against them
 * (problems to `pr`); CC_OK or CC_EINPUT. */
int finance_set_lines(finance *f, const finance_lines *lines, problems *pr);

/* The budget by financial year and line, [Y][L] pounds (NAN: none), or NULL when the
 * scenario has no budget file. */
const double *finance_budget(const finance *f);

/* Prices one replicate: the stays in seg[n], and staffing[M] (pounds per month, or
 * NULL) into month_out[M][L][FIN_NMEASURES] and year_out[Y][L][FIN_NMEASURES]. */
void finance_replicate(const finance *f, const placement_segment *seg, int64_t n,
                       const double *staffing, double *month_out, double *year_out);

/* The daily price of (state, provider) on `day` under this scenario (for tests and
 * tables). */
double finance_daily_price(const finance *f, int state, int provider, int day);

#endif
