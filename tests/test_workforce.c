/* test_workforce.c -- social workers needed and in post (engine/workforce.c), and the
 * scenario sections and model-definition teams that feed it.
 *
 * Build and run one program from the repository root:
 *   make -j2 build/tests/test_workforce && CARECAST_HOME=$PWD build/tests/test_workforce
 *
 * Where the expected values come from: the header comment of engine/workforce.h is the
 * specification (steps 1-10 of a month). The unit tests build a three-state model (A, B,
 * C) in memory, fill an scn_workforce by hand and give the module a children stock chosen
 * here, so every expected number is either a formula written out below or a case worked
 * by hand in a comment; nothing is pasted from the module's output. Checks:
 *  - constant FTE: with nothing moving staff, permanent, NQ, agency, in post, posts and
 *    caseload are identical in every month and replicate and equal the starting values;
 *  - turnover: over 4000 replicates the mean permanent FTE after 6 and 12 months is
 *    P0 (1 - r)^(t/12) within 4 standard errors of the exact binomial variance (the
 *    fraction of an FTE leaves whole), the spread matches that variance, leavers add up,
 *    a replicate is reproducible and month-0 draws do not depend on other levers;
 *  - caseload, FTE needed, vacancy rate and agency share of a hand-worked team with an
 *    NQ worker carrying part of a caseload; the scenario's weights and targets (not the
 *    definition's) are used; demand-led posts follow the FTE needed;
 *  - council staff shared between teams by FTE needed, and the all-teams target;
 *  - cost: salaries with on-costs, agency days counted by our own weekday function, pay
 *    inflation each 1 April, and financial-year sums and averages;
 *  - recruitment: lag and monthly capacity month by month, a capacity of 0.5 (a post every
 *    second month) and the expected starters when a share of adverts is filled;
 *  - NQ intake and graduation in the NQ month, shared between teams by posts;
 *  - the agency cap (including NQ staff in the base) and its effect on the caseload;
 *  - turnover feedback from last month's caseload (raised, capped at 1, never lowered);
 *  - dated changes: a recruitment freeze, a turnover change taking precedence over a
 *    team's own rate, an agency conversion drive, which fills vacant posts only;
 *  - reading: [workforce], [team.NAME] and [workforce_change.NAME] errors against the
 *    fitted standard model (synth --seed 1 + fit), each with file:line, and a valid file
 *    read into sc->workforce as written; model-definition team errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "error.h"
#include "fit.h"
#include "h5io.h"
#include "model.h"
#include "modeldef.h"
#include "problems.h"
#include "rng.h"
#include "scenario.h"
#include "synth.h"
#include "workforce.h"
#include "support/command.h"
#include "support/demo_fixture.h"

#define NM   WF_NMEASURES
#define MAXM 48
#define SEED 20250401u

/* ---- a small model ----------------------------------------------------------------- */

static const char SMALL_STATES[] = "[model]\n"
                                   "name = small\n"
                                   "[bands]\n"
                                   "age = 0, 18\n"
                                   "duration = 0\n"
                                   "[state.A]\n"
                                   "label = state A\n"
                                   "[state.B]\n"
                                   "label = state B\n"
                                   "[state.C]\n"
                                   "label = state C\n"
                                   "[exit.gone]\n"
                                   "then = OUT\n";

/* One team holding B and C, a C case weighing 1.5; nobody holds A. */
static const char ONE_TEAM[] = "[team.bc]\n"
                               "states = B, C\n"
                               "weights = C:1.5\n"
                               "target_caseload = 12\n";

/* Two teams: front holds A (target 20), cases holds B and C (C weighs 1.5, target 12). */
static const char TWO_TEAMS[] = "[team.front]\n"
                                "states = A\n"
                                "target_caseload = 20\n"
                                "[team.cases]\n"
                                "states = B, C\n"
                                "weights = C:1.5\n"
                                "target_caseload = 12\n";

enum { SA, SB, SC, NS }; /* state indices, checked in small_def() */

static modeldef *small_def(const char *teams)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", SMALL_STATES, teams);
    cc_err err = {{0}, 0};
    int status = -1;
    modeldef *d = modeldef_alloc_text(text, "small.ini", &err, &status);
    if (!d)
        fail_msg("the small model was refused: %s", err.msg);
    assert_int_equal(d->nstates, NS);
    assert_int_equal(modeldef_state_index(d, "A"), SA);
    assert_int_equal(modeldef_state_index(d, "B"), SB);
    assert_int_equal(modeldef_state_index(d, "C"), SC);
    return d;
}

/* A workforce in which nothing moves: no staff, no turnover, no recruitment, no NQ, no
 * agency, no cap; every field set. Teams take the definition's weights and targets and
 * share the council's staff and turnover (NAN). */
static void wf_neutral(const modeldef *d, scn_workforce *w)
{
    memset(w, 0, sizeof *w);
    w->demand_led = false;
    w->permanent_fte = w->agency_fte = w->vacancy_fte = 0;
    w->turnover = 0;
    w->absence_rate = 0;
    w->recruitment_lag = 0;
    w->recruitment_per_month = 0;
    w->recruitment_fill = 1;
    w->nq_intake = 0;
    w->nq_caseload = 0.8;
    w->nq_month = 9;
    w->agency_cover = 0;
    w->agency_cap = 1;
    w->agency_conversion = 0;
    w->turnover_threshold = 0;
    w->turnover_elasticity = 0;
    w->salary = 42000;
    w->nq_salary = 36000;
    w->oncost = 0.3;
    w->agency_day_rate = 350;
    w->pay_inflation = 0;
    for (int t = 0; t < d->nteams; t++) {
        scn_team *team = &w->team[t];
        team->target_caseload = d->teams[t].target_caseload;
        memcpy(team->weight, d->teams[t].weight, sizeof team->weight);
        team->permanent_fte = team->agency_fte = team->vacancy_fte = NAN;
        team->turnover = NAN;
    }
    w->nchanges = 0;
    w->changes = NULL;
}

static int team_of(const modeldef *d, const char *name)
{
    int t = modeldef_team_index(d, name);
    assert_true(t >= 0);
    return t;
}

/* ---- a run of the module ------------------------------------------------------------- */

typedef struct run {
    int M, G, Y;
    int ms[MAXM + 1];        /* month starts */
    int32_t init[NS];        /* children on the start date */
    int32_t stock[MAXM][NS]; /* children at each month's end */
    workforce *wf;
    rng *g;
    double *mo, *yo; /* [M][G][NM], [Y][G][NM] */
} run;

/* M months from the first of (year, month). */
static void run_months(run *r, int year, int month, int M)
{
    memset(r, 0, sizeof *r);
    assert_true(M >= 1 && M <= MAXM);
    r->M = M;
    int first = date_from_ymd(year, month, 1);
    for (int m = 0; m <= M; m++)
        r->ms[m] = date_month_start(first, m);
}

/* The same children on the start date and at every month's end. */
static void run_constant_stock(run *r, int a, int b, int c)
{
    r->init[SA] = a;
    r->init[SB] = b;
    r->init[SC] = c;
    for (int m = 0; m < r->M; m++)
        memcpy(r->stock[m], r->init, sizeof r->init);
}

static void run_open(run *r, const modeldef *d, const scn_workforce *w)
{
    cc_err err = {{0}, 0};
    int status = -1;
    r->wf = workforce_alloc(d, w, r->ms, r->M, r->init, &err, &status);
    if (!r->wf)
        fail_msg("workforce_alloc failed (%d): %s", status, err.msg);
    r->G = workforce_ngroups(r->wf);
    assert_int_equal(r->G, d->nteams + 1);
    r->Y = workforce_nyears(r->wf);
    assert_true(r->Y >= 1);
    r->g = rng_alloc();
    assert_non_null(r->g);
    r->mo = calloc((size_t)r->M * r->G * NM, sizeof *r->mo);
    r->yo = calloc((size_t)r->Y * r->G * NM, sizeof *r->yo);
    assert_non_null(r->mo);
    assert_non_null(r->yo);
}

static void run_rep(run *r, int replicate)
{
    workforce_replicate(r->wf, &r->stock[0][0], SEED, replicate, r->g, r->mo, r->yo);
}

static void run_close(run *r)
{
    workforce_free(r->wf);
    rng_free(r->g);
    free(r->mo);
    free(r->yo);
    r->wf = NULL;
}

static double MO(const run *r, int m, int g, int k)
{
    return r->mo[((size_t)m * r->G + g) * NM + k];
}

static double YO(const run *r, int y, int g, int k)
{
    return r->yo[((size_t)y * r->G + g) * NM + k];
}

static const char *mname(int k)
{
    static const char *const names[NM] = {
        "cases",        "needed",       "posts",    "permanent", "nq",      "agency",  "in_post",
        "vacancy_rate", "agency_share", "caseload", "cost",      "leavers", "starters"};
    return names[k];
}

/* |got - want| <= tol x max(1, |want|). */
static void near(double got, double want, double tol, const char *what, int m, int g, int k)
{
    if (!(fabs(got - want) <= tol * fmax(1.0, fabs(want))))
        fail_msg("%s: month/year %d group %d %s = %.15g, expected %.15g", what, m, g, mname(k), got,
                 want);
}

/* got == want exactly. */
static void same(double got, double want, const char *what, int m, int g, int k)
{
    if (!(got == want))
        fail_msg("%s: month/year %d group %d %s = %.17g, expected exactly %.17g", what, m, g,
                 mname(k), got, want);
}

/* A sample mean within `nsd` standard errors of its expectation. */
static void within_se(double mean, double want, double se, double nsd, const char *what)
{
    printf("# %s: mean %.5f, expected %.5f (SE %.5f, %.1f SE away)\n", what, mean, want, se,
           fabs(mean - want) / se);
    if (!(fabs(mean - want) <= nsd * se))
        fail_msg("%s: mean %.6f, expected %.6f +- %.1f x %.6f", what, mean, want, nsd, se);
}

/* Monday = 0 .. Sunday = 6 of a day number: 1970-01-01 (day 0) was a Thursday (3). */
static int weekday(int day)
{
    return ((day + 3) % 7 + 7) % 7;
}

/* Monday-to-Friday days in [first, next). */
static int weekdays(int first, int next)
{
    int n = 0;
    for (int d = first; d < next; d++)
        n += weekday(d) < 5;
    return n;
}

/* ---- 1. nothing moves ------------------------------------------------------------------ */

/* Two teams with their own staff, no turnover, no recruitment (capacity 0), no NQ, agency
 * cover 1 and a fixed establishment, the same children every month. Worked by hand:
 *   front: posts = 76.4 + 0 = 76.4, vacant 0, agency = 1 x 0 + (10.25 - 1 x 0) = 10.25;
 *   cases: posts = 20.5 + 2.25 = 22.75, vacant 2.25, agency = 2.25 + (3 - 2.25) = 3
 *   (binary-exact values, so the identities hold exactly);
 *   caseload = W / ((P + A) x (1 - 0.05)), W front = 300, cases = 40 + 1.5 x 10 = 55. */
static void test_constant_fte(void **unused)
{
    (void)unused;
    modeldef *d = small_def(TWO_TEAMS);
    int tf = team_of(d, "front"), tc = team_of(d, "cases");
    scn_workforce w;
    wf_neutral(d, &w);
    w.permanent_fte = 76.4 + 20.5;
    w.agency_fte = 10.25 + 3;
    w.vacancy_fte = 2.25;
    w.agency_cover = 1;
    w.absence_rate = 0.05;
    w.recruitment_per_month = 0;
    w.recruitment_lag = 3;
    w.team[tf].permanent_fte = 76.4;
    w.team[tf].agency_fte = 10.25;
    w.team[tf].vacancy_fte = 0;
    w.team[tc].permanent_fte = 20.5;
    w.team[tc].agency_fte = 3;
    w.team[tc].vacancy_fte = 2.25;
    run r;
    run_months(&r, 2025, 4, 12); /* passes September, the NQ month, with no intake */
    run_constant_stock(&r, 300, 40, 10);
    run_open(&r, d, &w);
    int all = d->nteams;
    double P[3], A[3], posts[3], W[3];
    P[tf] = 76.4, A[tf] = 10.25, posts[tf] = 76.4, W[tf] = 300;
    P[tc] = 20.5, A[tc] = 3, posts[tc] = 22.75, W[tc] = 55;
    P[all] = P[tf] + P[tc], A[all] = A[tf] + A[tc], posts[all] = posts[tf] + posts[tc];
    W[all] = W[tf] + W[tc];
    double *first = malloc((size_t)r.G * NM * sizeof *first);
    assert_non_null(first);
    const int reps[] = {0, 1, 17};
    const int fixed[] = {WF_CASES,        WF_NEEDED,   WF_POSTS,   WF_PERMANENT,
                         WF_NQ,           WF_AGENCY,   WF_IN_POST, WF_VACANCY_RATE,
                         WF_AGENCY_SHARE, WF_CASELOAD, WF_LEAVERS, WF_STARTERS};
    for (size_t i = 0; i < sizeof reps / sizeof reps[0]; i++) {
        run_rep(&r, reps[i]);
        if (i == 0)
            memcpy(first, r.mo, (size_t)r.G * NM * sizeof *first);
        for (int m = 0; m < r.M; m++)
            for (int g = 0; g < r.G; g++) {
                for (size_t j = 0; j < sizeof fixed / sizeof fixed[0]; j++) {
                    int k = fixed[j];
                    same(MO(&r, m, g, k), first[g * NM + k], "constant over months/replicates", m,
                         g, k);
                }
                if (g < all) { /* exactly the starting values */
                    same(MO(&r, m, g, WF_PERMANENT), P[g], "constant", m, g, WF_PERMANENT);
                    same(MO(&r, m, g, WF_AGENCY), A[g], "constant", m, g, WF_AGENCY);
                    same(MO(&r, m, g, WF_POSTS), posts[g], "constant", m, g, WF_POSTS);
                }
                same(MO(&r, m, g, WF_NQ), 0, "constant", m, g, WF_NQ);
                same(MO(&r, m, g, WF_LEAVERS), 0, "constant", m, g, WF_LEAVERS);
                same(MO(&r, m, g, WF_STARTERS), 0, "constant", m, g, WF_STARTERS);
                near(MO(&r, m, g, WF_PERMANENT), P[g], 1e-12, "constant", m, g, WF_PERMANENT);
                near(MO(&r, m, g, WF_AGENCY), A[g], 1e-12, "constant", m, g, WF_AGENCY);
                near(MO(&r, m, g, WF_POSTS), posts[g], 1e-12, "constant", m, g, WF_POSTS);
                near(MO(&r, m, g, WF_IN_POST), P[g] + A[g], 1e-12, "constant", m, g, WF_IN_POST);
                near(MO(&r, m, g, WF_CASES), W[g], 1e-12, "constant", m, g, WF_CASES);
                near(MO(&r, m, g, WF_CASELOAD), W[g] / ((P[g] + A[g]) * 0.95), 1e-12, "constant", m,
                     g, WF_CASELOAD);
                near(MO(&r, m, g, WF_VACANCY_RATE), 100 * (posts[g] - P[g]) / posts[g], 1e-12,
                     "constant", m, g, WF_VACANCY_RATE);
                near(MO(&r, m, g, WF_AGENCY_SHARE), 100 * A[g] / (P[g] + A[g]), 1e-12, "constant",
                     m, g, WF_AGENCY_SHARE);
            }
    }
    free(first);
    run_close(&r);
    modeldef_free(d);
}

/* ---- 2. turnover ---------------------------------------------------------------------- */

/* One team, 100.4 permanent FTE, annual turnover 0.2, nothing else moving. Each whole FTE
 * survives a month with (1 - r)^(1/12), so t months with q_t = (1 - r)^(t/12), and the 0.4
 * survives whole with the same q_t: E = 100.4 q_t, Var = (100 + 0.4^2) q_t (1 - q_t). */
static void test_turnover_expectation(void **unused)
{
    (void)unused;
    modeldef *d = small_def(ONE_TEAM);
    scn_workforce w;
    wf_neutral(d, &w);
    const double P0 = 100.4, rate = 0.2;
    w.permanent_fte = P0;
    w.turnover = rate;
    run r;
    run_months(&r, 2025, 4, 12);
    run_constant_stock(&r, 0, 100, 10);
    run_open(&r, d, &w);
    /* the same but recruiting without limit: month 0's draws must not change */
    scn_workforce w2 = w;
    w2.recruitment_per_month = INFINITY;
    run r2;
    run_months(&r2, 2025, 4, 12);
    run_constant_stock(&r2, 0, 100, 10);
    run_open(&r2, d, &w2);
    const int N = 4000;
    double s6 = 0, ss6 = 0, s12 = 0, ss12 = 0;
    for (int rep = 0; rep < N; rep++) {
        run_rep(&r, rep);
        double p6 = MO(&r, 5, 0, WF_PERMANENT), p12 = MO(&r, 11, 0, WF_PERMANENT);
        s6 += p6, ss6 += p6 * p6, s12 += p12, ss12 += p12 * p12;
        /* leavers add up to what left; nobody starts; totals equal the one team */
        double left = 0;
        for (int m = 0; m < r.M; m++) {
            left += MO(&r, m, 0, WF_LEAVERS);
            same(MO(&r, m, 0, WF_STARTERS), 0, "turnover", m, 0, WF_STARTERS);
            same(MO(&r, m, 1, WF_PERMANENT), MO(&r, m, 0, WF_PERMANENT), "turnover total", m, 1,
                 WF_PERMANENT);
            same(MO(&r, m, 0, WF_AGENCY), 0, "turnover", m, 0, WF_AGENCY);
            /* FTE are whole plus the 0.4: P - 0.4 is a whole number, or P is whole (the
             * fraction has left) */
            double p = MO(&r, m, 0, WF_PERMANENT), frac = p - floor(p);
            if (!(fabs(frac) < 1e-9 || fabs(frac - 0.4) < 1e-9 || fabs(frac - 1) < 1e-9))
                fail_msg("replicate %d month %d: permanent %.12g is neither whole nor whole + 0.4",
                         rep, m, p);
        }
        near(left, P0 - p12, 1e-9, "leavers add up", 11, 0, WF_LEAVERS);
        if (rep < 300) { /* common random numbers: month 0 leavers do not depend on recruiting */
            run_rep(&r2, rep);
            same(MO(&r2, 0, 0, WF_LEAVERS), MO(&r, 0, 0, WF_LEAVERS), "common random numbers", 0, 0,
                 WF_LEAVERS);
        }
    }
    double q12 = 1 - rate, q6 = sqrt(1 - rate);
    double whole = floor(P0), f = P0 - whole;
    double var12 = (whole + f * f) * q12 * (1 - q12), var6 = (whole + f * f) * q6 * (1 - q6);
    double m6 = s6 / N, m12 = s12 / N;
    within_se(m12, P0 * q12, sqrt(var12 / N), 4, "permanent FTE after 12 months");
    within_se(m6, P0 * q6, sqrt(var6 / N), 4, "permanent FTE after 6 months");
    /* the spread is binomial, not a deterministic expected loss: the sample variance is
     * within 15% of the exact one (its relative SE is about sqrt(2/N) = 2.2%) */
    double v12 = (ss12 - N * m12 * m12) / (N - 1), v6 = (ss6 - N * m6 * m6) / (N - 1);
    printf("# variance after 12 months %.3f (exact %.3f), after 6 months %.3f (exact %.3f)\n", v12,
           var12, v6, var6);
    assert_true(fabs(v12 / var12 - 1) < 0.15);
    assert_true(fabs(v6 / var6 - 1) < 0.15);
    /* the fraction on its own (0.4 FTE, invisible in the mean above): after 12 months it is
     * there whole (0.4) with probability 0.8 and gone (0) otherwise: mean 0.32, variance
     * 0.4^2 x 0.8 x 0.2 */
    scn_workforce w3 = w;
    w3.permanent_fte = 0.4;
    run r3;
    run_months(&r3, 2025, 4, 12);
    run_constant_stock(&r3, 0, 100, 10);
    run_open(&r3, d, &w3);
    double sf = 0;
    for (int rep = 0; rep < N; rep++) {
        run_rep(&r3, rep);
        double p = MO(&r3, 11, 0, WF_PERMANENT);
        if (!(fabs(p) < 1e-12 || fabs(p - 0.4) < 1e-12))
            fail_msg("replicate %d: 0.4 FTE became %.12g (expected 0 or 0.4)", rep, p);
        sf += p;
    }
    within_se(sf / N, 0.4 * q12, sqrt(0.16 * q12 * (1 - q12) / N), 4,
              "a 0.4 FTE fraction after 12 months");
    run_close(&r3);
    /* a replicate is reproducible: running it again gives the same numbers */
    run_rep(&r, 7);
    double *again = malloc((size_t)r.M * r.G * NM * sizeof *again);
    assert_non_null(again);
    memcpy(again, r.mo, (size_t)r.M * r.G * NM * sizeof *again);
    run_rep(&r, 8);
    run_rep(&r, 7);
    assert_memory_equal(again, r.mo, (size_t)r.M * r.G * NM * sizeof *again);
    free(again);
    run_close(&r);
    run_close(&r2);
    modeldef_free(d);
}

/* ---- 3. caseload ---------------------------------------------------------------------- */

/* Team bc (B, C; C:1.5), stock B = 40, C = 10 (A = 999 held by nobody): W = 55. Run from
 * 1 September 2025, the NQ month, with an intake of 1 FTE, so month 0 has an NQ of 1 who
 * carries nq_caseload 0.5. Start: permanent 3, agency 2.5, vacant 2, cover 1, posts 5.
 * Month 0: P = 3, NQ = 1, vacant = 5 - 3 - 1 = 1; agency = 1 x 1 + (2.5 - 1 x 2) = 1.5
 * (2 of the 2.5 covered the 2 vacancies then, 0.5 was beyond them);
 * caseload = 55 / ((3 + 0.5 x 1 + 1.5) x (1 - 0.1)) = 55 / 4.5; needed = 55 / 12 / 0.9;
 * vacancy rate = 1 / 5 = 20%; agency share = 1.5 / (3 + 1 + 1.5) = 27.27%. No turnover and
 * no recruitment capacity, so months 1 and 2 are the same. */
static void test_caseload_by_hand(void **unused)
{
    (void)unused;
    modeldef *d = small_def(ONE_TEAM);
    scn_workforce w;
    wf_neutral(d, &w);
    w.permanent_fte = 3;
    w.agency_fte = 2.5;
    w.vacancy_fte = 2;
    w.agency_cover = 1;
    w.absence_rate = 0.1;
    w.nq_intake = 1;
    w.nq_month = 9;
    w.nq_caseload = 0.5;
    w.recruitment_per_month = 0;
    w.recruitment_lag = 3;
    run r;
    run_months(&r, 2025, 9, 3);
    run_constant_stock(&r, 999, 40, 10);
    run_open(&r, d, &w);
    near(workforce_target(r.wf, 0), 12, 1e-12, "target", 0, 0, WF_CASELOAD);
    near(workforce_target(r.wf, 1), 12, 1e-12, "target of all teams", 0, 1, WF_CASELOAD);
    for (int rep = 0; rep < 3; rep++) {
        run_rep(&r, rep);
        for (int m = 0; m < r.M; m++)
            for (int g = 0; g < r.G; g++) {
                const char *what = "hand-worked caseload";
                near(MO(&r, m, g, WF_CASES), 40 + 1.5 * 10, 1e-12, what, m, g, WF_CASES);
                near(MO(&r, m, g, WF_NEEDED), 55.0 / 12 / (1 - 0.1), 1e-12, what, m, g, WF_NEEDED);
                near(MO(&r, m, g, WF_POSTS), 5, 1e-12, what, m, g, WF_POSTS);
                near(MO(&r, m, g, WF_PERMANENT), 3, 1e-12, what, m, g, WF_PERMANENT);
                near(MO(&r, m, g, WF_NQ), 1, 1e-12, what, m, g, WF_NQ);
                near(MO(&r, m, g, WF_AGENCY), 1.5, 1e-12, what, m, g, WF_AGENCY);
                near(MO(&r, m, g, WF_IN_POST), 5.5, 1e-12, what, m, g, WF_IN_POST);
                near(MO(&r, m, g, WF_VACANCY_RATE), 100.0 * 1 / 5, 1e-12, what, m, g,
                     WF_VACANCY_RATE);
                near(MO(&r, m, g, WF_AGENCY_SHARE), 100 * 1.5 / 5.5, 1e-12, what, m, g,
                     WF_AGENCY_SHARE);
                near(MO(&r, m, g, WF_CASELOAD), 55 / ((3 + 0.5 * 1 + 1.5) * (1 - 0.1)), 1e-12, what,
                     m, g, WF_CASELOAD);
            }
        near(MO(&r, 0, 0, WF_STARTERS), 1, 1e-12, "the NQ starts", 0, 0, WF_STARTERS);
    }
    run_close(&r);
    modeldef_free(d);
}

/* The scenario's weights and target, not the definition's: C weighs 2 and the target is
 * 10 (the definition says 1.5 and 12). Demand-led posts = FTE needed. Stock B = 40 + 10m,
 * C = 10: W_m = 60 + 10m, needed_m = W_m / 10 / 0.9 = posts_m. Permanent 3, no agency on
 * the start date, cover 1: agency = 1 x (needed_m - 3) + 0, so the caseload is
 * W_m / (needed_m x 0.9) = 10, the target, every month. */
static void test_demand_led_and_scenario_weights(void **unused)
{
    (void)unused;
    modeldef *d = small_def(ONE_TEAM);
    scn_workforce w;
    wf_neutral(d, &w);
    w.demand_led = true;
    w.permanent_fte = 3;
    w.agency_cover = 1;
    w.absence_rate = 0.1;
    w.team[0].target_caseload = 10;
    w.team[0].weight[SC] = 2;
    run r;
    run_months(&r, 2025, 4, 6);
    run_constant_stock(&r, 0, 40, 10);
    for (int m = 0; m < r.M; m++)
        r.stock[m][SB] = 40 + 10 * m;
    run_open(&r, d, &w);
    near(workforce_target(r.wf, 0), 10, 1e-12, "scenario target", 0, 0, WF_CASELOAD);
    run_rep(&r, 0);
    for (int m = 0; m < r.M; m++) {
        const char *what = "demand-led";
        double W = 40 + 10 * m + 2 * 10, need = W / 10 / 0.9;
        near(MO(&r, m, 0, WF_CASES), W, 1e-12, what, m, 0, WF_CASES);
        near(MO(&r, m, 0, WF_NEEDED), need, 1e-12, what, m, 0, WF_NEEDED);
        near(MO(&r, m, 0, WF_POSTS), need, 1e-12, what, m, 0, WF_POSTS);
        near(MO(&r, m, 0, WF_PERMANENT), 3, 1e-12, what, m, 0, WF_PERMANENT);
        near(MO(&r, m, 0, WF_AGENCY), need - 3, 1e-12, what, m, 0, WF_AGENCY);
        near(MO(&r, m, 0, WF_VACANCY_RATE), 100 * (need - 3) / need, 1e-12, what, m, 0,
             WF_VACANCY_RATE);
        near(MO(&r, m, 0, WF_CASELOAD), 10, 1e-12, what, m, 0, WF_CASELOAD);
    }
    run_close(&r);
    modeldef_free(d);
}

/* Council staff shared by FTE needed on the start date: front W = 300 at target 20 needs
 * 300 / 20 / 0.9, cases W = 55 at 12 needs 55 / 12 / 0.9; the (1 - absence) cancels, so
 * front's share is s = 15 / (15 + 55/12). Permanent 30, agency 6, vacant 3, cover 1: a
 * team holds 30 s, posts 33 s, agency s x 3 + (6 s - 3 s) = 6 s. The all-teams target is
 * the FTE-needed-weighted mean of the targets: (20 n_f + 12 n_c) / (n_f + n_c) =
 * 355 / (15 + 55/12). */
static void test_shares_and_target(void **unused)
{
    (void)unused;
    modeldef *d = small_def(TWO_TEAMS);
    int tf = team_of(d, "front"), tc = team_of(d, "cases");
    scn_workforce w;
    wf_neutral(d, &w);
    w.permanent_fte = 30;
    w.agency_fte = 6;
    w.vacancy_fte = 3;
    w.agency_cover = 1;
    w.absence_rate = 0.1;
    run r;
    run_months(&r, 2025, 4, 2);
    run_constant_stock(&r, 300, 40, 10);
    run_open(&r, d, &w);
    double share[2];
    share[tf] = 15 / (15 + 55.0 / 12);
    share[tc] = (55.0 / 12) / (15 + 55.0 / 12);
    near(workforce_target(r.wf, tf), 20, 1e-12, "target", 0, tf, WF_CASELOAD);
    near(workforce_target(r.wf, tc), 12, 1e-12, "target", 0, tc, WF_CASELOAD);
    near(workforce_target(r.wf, 2), 355 / (15 + 55.0 / 12), 1e-12, "all-teams target", 0, 2,
         WF_CASELOAD);
    run_rep(&r, 0);
    for (int m = 0; m < r.M; m++) {
        for (int t = 0; t < 2; t++) {
            near(MO(&r, m, t, WF_PERMANENT), 30 * share[t], 1e-12, "shared", m, t, WF_PERMANENT);
            near(MO(&r, m, t, WF_POSTS), 33 * share[t], 1e-12, "shared", m, t, WF_POSTS);
            near(MO(&r, m, t, WF_AGENCY), 6 * share[t], 1e-12, "shared", m, t, WF_AGENCY);
        }
        near(MO(&r, m, 2, WF_PERMANENT), 30, 1e-12, "shared total", m, 2, WF_PERMANENT);
        near(MO(&r, m, 2, WF_POSTS), 33, 1e-12, "shared total", m, 2, WF_POSTS);
        near(MO(&r, m, 2, WF_AGENCY), 6, 1e-12, "shared total", m, 2, WF_AGENCY);
        near(MO(&r, m, 2, WF_CASES), 355, 1e-12, "shared total", m, 2, WF_CASES);
        near(MO(&r, m, 2, WF_CASELOAD), 355 / (36 * 0.9), 1e-12, "total caseload", m, 2,
             WF_CASELOAD);
        near(MO(&r, m, 2, WF_VACANCY_RATE), 100 * 3.0 / 33, 1e-12, "total vacancy rate", m, 2,
             WF_VACANCY_RATE);
    }
    run_close(&r);
    modeldef_free(d);
}

/* ---- 4. cost -------------------------------------------------------------------------- */

/* From 1 March 2026 for 14 months: permanent 2 at 36500 with on-costs 0.25, agency 1 at
 * 400 a day (cover 1, no vacancy: the agency is beyond the vacancies), pay inflation 0.1
 * applied from each 1 April after the start. Month m costs
 *   (2 x 36500 x 1.25 / 12 + 1 x 400 x weekdays(m)) x 1.1^(1 Aprils passed).
 * March and April 2026 have 22 weekdays each (1 March 2026 was a Sunday, 1 April a
 * Wednesday). Financial years: 2025-26 holds March 2026, 2026-27 April 2026 - March 2027
 * (12 months), 2027-28 April 2027. */
static void test_cost_by_hand(void **unused)
{
    (void)unused;
    modeldef *d = small_def(ONE_TEAM);
    scn_workforce w;
    wf_neutral(d, &w);
    w.permanent_fte = 2;
    w.agency_fte = 1;
    w.vacancy_fte = 0;
    w.agency_cover = 1;
    w.salary = 36500;
    w.nq_salary = 30000;
    w.oncost = 0.25;
    w.agency_day_rate = 400;
    w.pay_inflation = 0.1;
    run r;
    run_months(&r, 2026, 3, 14);
    run_constant_stock(&r, 0, 30, 4);
    run_open(&r, d, &w);
    /* our weekday function against the calendar */
    assert_int_equal(weekday(date_from_ymd(2026, 3, 1)), 6);
    assert_int_equal(weekday(date_from_ymd(2026, 4, 1)), 2);
    assert_int_equal(weekdays(r.ms[0], r.ms[1]), 22);
    assert_int_equal(weekdays(r.ms[1], r.ms[2]), 22);
    double cost[MAXM];
    for (int m = 0; m < r.M; m++) {
        int aprils = 0;
        for (int y = 2026; y <= 2028; y++)
            aprils += date_from_ymd(y, 4, 1) > r.ms[0] && date_from_ymd(y, 4, 1) <= r.ms[m];
        cost[m] =
            (2 * 36500 * 1.25 / 12 + 1 * 400 * weekdays(r.ms[m], r.ms[m + 1])) * pow(1.1, aprils);
    }
    assert_true(fabs(cost[0] - (2 * 36500 * 1.25 / 12 + 400 * 22)) < 1e-9);
    assert_true(fabs(cost[1] - (2 * 36500 * 1.25 / 12 + 400 * 22) * 1.1) < 1e-9);
    assert_int_equal(r.Y, 3);
    assert_string_equal(workforce_year_label(r.wf, 0), "2025-26");
    assert_string_equal(workforce_year_label(r.wf, 1), "2026-27");
    assert_string_equal(workforce_year_label(r.wf, 2), "2027-28");
    assert_int_equal(workforce_year_months(r.wf, 0), 1);
    assert_int_equal(workforce_year_months(r.wf, 1), 12);
    assert_int_equal(workforce_year_months(r.wf, 2), 1);
    assert_true(workforce_measures[WF_COST].flow);
    assert_false(workforce_measures[WF_PERMANENT].flow);
    run_rep(&r, 3);
    for (int g = 0; g < r.G; g++) {
        for (int m = 0; m < r.M; m++) {
            near(MO(&r, m, g, WF_COST), cost[m], 1e-12, "cost", m, g, WF_COST);
            near(MO(&r, m, g, WF_AGENCY), 1, 1e-12, "cost", m, g, WF_AGENCY);
            near(MO(&r, m, g, WF_PERMANENT), 2, 1e-12, "cost", m, g, WF_PERMANENT);
        }
        double year1 = 0;
        for (int m = 1; m <= 12; m++)
            year1 += cost[m];
        near(YO(&r, 0, g, WF_COST), cost[0], 1e-12, "year cost", 0, g, WF_COST);
        near(YO(&r, 1, g, WF_COST), year1, 1e-12, "year cost", 1, g, WF_COST);
        near(YO(&r, 2, g, WF_COST), cost[13], 1e-12, "year cost", 2, g, WF_COST);
        for (int y = 0; y < 3; y++) { /* stocks are averaged, not summed */
            near(YO(&r, y, g, WF_PERMANENT), 2, 1e-12, "year average", y, g, WF_PERMANENT);
            near(YO(&r, y, g, WF_AGENCY), 1, 1e-12, "year average", y, g, WF_AGENCY);
            near(YO(&r, y, g, WF_CASES), 30 + 1.5 * 4, 1e-12, "year average", y, g, WF_CASES);
        }
    }
    run_close(&r);
    modeldef_free(d);
}

/* ---- 5. recruitment ------------------------------------------------------------------- */

/* Posts 10, permanent 5, fill 1, no turnover, no agency (cover 0), capacity 2 a month,
 * lag 3. Step 4 then step 7 each month (vacant = posts - P - NQ - already recruited):
 *   m0: nothing starts; vacant 5, recruiting 0 -> advertise min(5, 2) = 2 (start m3)
 *   m1: vacant 5, recruiting 2 -> advertise 2 (start m4)
 *   m2: vacant 5, recruiting 4 -> advertise 1 (start m5)
 *   m3: 2 start, P = 7;  m4: 2 start, P = 9;  m5: 1 starts, P = 10;  m6: P = 10.
 * Permanent 5,5,5,7,9,10,10, starters 0,0,0,2,2,1,0. */
static void test_recruitment_lag_capacity(void **unused)
{
    (void)unused;
    modeldef *d = small_def(ONE_TEAM);
    scn_workforce w;
    wf_neutral(d, &w);
    w.permanent_fte = 5;
    w.vacancy_fte = 5;
    w.recruitment_per_month = 2;
    w.recruitment_lag = 3;
    w.recruitment_fill = 1;
    run r;
    run_months(&r, 2025, 4, 7);
    run_constant_stock(&r, 0, 50, 0);
    run_open(&r, d, &w);
    const double perm[] = {5, 5, 5, 7, 9, 10, 10}, start[] = {0, 0, 0, 2, 2, 1, 0};
    for (int rep = 0; rep < 3; rep++) {
        run_rep(&r, rep);
        for (int m = 0; m < r.M; m++) {
            near(MO(&r, m, 0, WF_PERMANENT), perm[m], 1e-12, "lag 3, capacity 2", m, 0,
                 WF_PERMANENT);
            near(MO(&r, m, 0, WF_STARTERS), start[m], 1e-12, "lag 3, capacity 2", m, 0,
                 WF_STARTERS);
            near(MO(&r, m, 0, WF_POSTS), 10, 1e-12, "lag 3, capacity 2", m, 0, WF_POSTS);
            near(MO(&r, m, 0, WF_VACANCY_RATE), 100 * (10 - perm[m]) / 10, 1e-12,
                 "lag 3, capacity 2", m, 0, WF_VACANCY_RATE);
            near(MO(&r, m, 0, WF_AGENCY), 0, 1e-12, "lag 3, capacity 2", m, 0, WF_AGENCY);
        }
    }
    run_close(&r);

    /* capacity 0.5 a month, lag 0 (a recruit starts the month advertised): the capacity
     * accumulates 0.5, 1.0, 1.5, 2.0, ... so one post is advertised in months 1, 3, 5, 7, 9
     * (whole posts once a whole one has accumulated): P = 5,6,6,7,7,8,8,9,9,10,10,10. */
    w.recruitment_per_month = 0.5;
    w.recruitment_lag = 0;
    run_months(&r, 2025, 4, 12);
    run_constant_stock(&r, 0, 50, 0);
    run_open(&r, d, &w);
    run_rep(&r, 0);
    const double half[] = {5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 10};
    for (int m = 0; m < r.M; m++) {
        near(MO(&r, m, 0, WF_PERMANENT), half[m], 1e-12, "capacity 0.5", m, 0, WF_PERMANENT);
        near(MO(&r, m, 0, WF_STARTERS), m == 0 ? 0 : half[m] - half[m - 1], 1e-12, "capacity 0.5",
             m, 0, WF_STARTERS);
    }
    run_close(&r);

    /* fill 0.5, no capacity limit, lag 0: each of the 5 advertised posts is filled with
     * probability 0.5, so month-0 starters average 2.5 with variance 5 x 0.25 */
    w.recruitment_per_month = INFINITY;
    w.recruitment_fill = 0.5;
    run_months(&r, 2025, 4, 1);
    run_constant_stock(&r, 0, 50, 0);
    run_open(&r, d, &w);
    const int N = 4000;
    double s = 0;
    for (int rep = 0; rep < N; rep++) {
        run_rep(&r, rep);
        double x = MO(&r, 0, 0, WF_STARTERS);
        near(MO(&r, 0, 0, WF_PERMANENT), 5 + x, 1e-12, "fill 0.5", 0, 0, WF_PERMANENT);
        s += x;
    }
    within_se(s / N, 2.5, sqrt(5 * 0.25 / N), 4, "month-0 starters with fill 0.5");
    run_close(&r);
    modeldef_free(d);
}

/* ---- 6. newly qualified ----------------------------------------------------------------- */

/* From 1 April 2025 for 24 months, intake 2 FTE a year in September, no turnover, no
 * recruitment. Posts on the start date: front 10 + 6 = 16, cases 20 + 4 = 24, so front
 * takes 2 x 16/40 = 0.8 and cases 2 x 24/40 = 1.2. Month 5 (September 2025): NQ starts;
 * month 17 (September 2026): the NQ become permanent and a new intake starts. Year
 * 2025-26 has NQ in 7 of its 12 months; 2026-27 has permanent + NQ in 7 of 12. */
static void test_nq_intake(void **unused)
{
    (void)unused;
    modeldef *d = small_def(TWO_TEAMS);
    int tf = team_of(d, "front"), tc = team_of(d, "cases");
    scn_workforce w;
    wf_neutral(d, &w);
    w.permanent_fte = 30;
    w.vacancy_fte = 10;
    w.team[tf].permanent_fte = 10;
    w.team[tf].vacancy_fte = 6;
    w.team[tf].agency_fte = 0;
    w.team[tc].permanent_fte = 20;
    w.team[tc].vacancy_fte = 4;
    w.team[tc].agency_fte = 0;
    w.nq_intake = 2;
    w.nq_month = 9;
    run r;
    run_months(&r, 2025, 4, 24);
    run_constant_stock(&r, 300, 40, 10);
    run_open(&r, d, &w);
    assert_int_equal(r.Y, 2);
    assert_string_equal(workforce_year_label(r.wf, 0), "2025-26");
    assert_string_equal(workforce_year_label(r.wf, 1), "2026-27");
    assert_int_equal(workforce_year_months(r.wf, 0), 12);
    assert_int_equal(workforce_year_months(r.wf, 1), 12);
    double P0[3] = {0}, nq[3] = {0};
    P0[tf] = 10, P0[tc] = 20, P0[2] = 30;
    nq[tf] = 2 * 16.0 / 40, nq[tc] = 2 * 24.0 / 40, nq[2] = 2;
    run_rep(&r, 0);
    for (int g = 0; g < r.G; g++) {
        for (int m = 0; m < r.M; m++) {
            int y, mon, day;
            date_to_ymd(r.ms[m], &y, &mon, &day);
            double want_nq = m < 5 ? 0 : nq[g];
            double want_p = m < 17 ? P0[g] : P0[g] + nq[g];
            near(MO(&r, m, g, WF_NQ), want_nq, 1e-12, "NQ", m, g, WF_NQ);
            near(MO(&r, m, g, WF_PERMANENT), want_p, 1e-12, "NQ", m, g, WF_PERMANENT);
            /* starters: the intake in each September (graduates were already in post) */
            near(MO(&r, m, g, WF_STARTERS), mon == 9 ? nq[g] : 0, 1e-12, "NQ", m, g, WF_STARTERS);
            same(MO(&r, m, g, WF_LEAVERS), 0, "NQ", m, g, WF_LEAVERS);
        }
        near(YO(&r, 0, g, WF_NQ), nq[g] * 7 / 12, 1e-12, "NQ year average", 0, g, WF_NQ);
        near(YO(&r, 1, g, WF_NQ), nq[g], 1e-12, "NQ year average", 1, g, WF_NQ);
        near(YO(&r, 0, g, WF_PERMANENT), P0[g], 1e-12, "NQ year average", 0, g, WF_PERMANENT);
        near(YO(&r, 1, g, WF_PERMANENT), P0[g] + nq[g] * 7 / 12, 1e-12, "NQ year average", 1, g,
             WF_PERMANENT);
        near(YO(&r, 0, g, WF_STARTERS), nq[g], 1e-12, "NQ year sum", 0, g, WF_STARTERS);
        near(YO(&r, 1, g, WF_STARTERS), nq[g], 1e-12, "NQ year sum", 1, g, WF_STARTERS);
    }
    run_close(&r);
    modeldef_free(d);
}

/* ---- 7. agency cap -------------------------------------------------------------------- */

/* Team bc, W = 55, absence 0.1. Start: permanent 6, vacant 6, agency 6, cover 1 (the
 * agency covers the 6 vacancies). Cap 0.25: agency <= 0.25 / 0.75 x (P + NQ).
 *  (a) from April, no NQ: cover rule 6 + (6 - 6) = 6, cap 6 / 3 = 2 -> agency 2,
 *      caseload 55 / ((6 + 2) x 0.9), agency share 2 / 8 = 25%;
 *  (b) cap 1 (no cap): agency 6, caseload 55 / (12 x 0.9);
 *  (c) from September with an NQ intake of 1.5 (nq_caseload 0.8): vacant 12 - 7.5 = 4.5,
 *      cover rule 4.5, cap 7.5 / 3 = 2.5 -> agency 2.5,
 *      caseload 55 / ((6 + 0.8 x 1.5 + 2.5) x 0.9), agency share 2.5 / 10 = 25%. */
static void test_agency_cap(void **unused)
{
    (void)unused;
    modeldef *d = small_def(ONE_TEAM);
    scn_workforce w;
    wf_neutral(d, &w);
    w.permanent_fte = 6;
    w.vacancy_fte = 6;
    w.agency_fte = 6;
    w.agency_cover = 1;
    w.agency_cap = 0.25;
    w.absence_rate = 0.1;
    const struct {
        int month;
        double cap, intake, agency, nq;
    } cases[] = {{4, 0.25, 0, 2, 0}, {4, 1, 0, 6, 0}, {9, 0.25, 1.5, 2.5, 1.5}};
    for (int c = 0; c < 3; c++) {
        w.agency_cap = cases[c].cap;
        w.nq_intake = cases[c].intake;
        run r;
        run_months(&r, 2025, cases[c].month, 3);
        run_constant_stock(&r, 0, 40, 10);
        run_open(&r, d, &w);
        run_rep(&r, c);
        double A = cases[c].agency, N = cases[c].nq;
        for (int m = 0; m < r.M; m++) {
            near(MO(&r, m, 0, WF_NQ), N, 1e-12, "agency cap", m, 0, WF_NQ);
            near(MO(&r, m, 0, WF_AGENCY), A, 1e-12, "agency cap", m, 0, WF_AGENCY);
            near(MO(&r, m, 0, WF_IN_POST), 6 + N + A, 1e-12, "agency cap", m, 0, WF_IN_POST);
            near(MO(&r, m, 0, WF_CASELOAD), 55 / ((6 + 0.8 * N + A) * 0.9), 1e-12, "agency cap", m,
                 0, WF_CASELOAD);
            near(MO(&r, m, 0, WF_AGENCY_SHARE), 100 * A / (6 + N + A), 1e-12, "agency cap", m, 0,
                 WF_AGENCY_SHARE);
        }
        run_close(&r);
    }
    modeldef_free(d);
}

/* ---- 8. turnover feedback ------------------------------------------------------------- */

/* Mean month-0 leavers over N replicates when the starting caseload is c0 = W0 / (P0 x 1)
 * (no agency, no absence): expected P0 x (1 - (1 - r')^(1/12)). */
static void feedback_case(const modeldef *d, double W0, double threshold, double elasticity,
                          double r_eff, const char *what)
{
    scn_workforce w;
    wf_neutral(d, &w);
    const double P0 = 40, rate = 0.3;
    w.permanent_fte = P0;
    w.turnover = rate;
    w.turnover_threshold = threshold;
    w.turnover_elasticity = elasticity;
    run r;
    run_months(&r, 2025, 4, 1);
    run_constant_stock(&r, 0, (int)W0, 0);
    run_open(&r, d, &w);
    const int N = 4000;
    double s = 0;
    for (int rep = 0; rep < N; rep++) {
        run_rep(&r, rep);
        s += MO(&r, 0, 0, WF_LEAVERS);
    }
    double p = 1 - pow(1 - r_eff, 1.0 / 12);
    within_se(s / N, P0 * p, sqrt(P0 * p * (1 - p) / N), 4, what);
    run_close(&r);
}

static void test_turnover_feedback(void **unused)
{
    (void)unused;
    modeldef *d = small_def(ONE_TEAM);
    /* c0 = 1200 / 40 = 30 over T = 20 with e = 0.5: r' = 0.3 x (1 + 0.5 x 0.5) = 0.375 */
    double c0 = 1200.0 / 40, T = 20, e = 0.5, rate = 0.3;
    double r_eff = fmin(1, rate * (1 + e * (c0 / T - 1)));
    assert_true(fabs(r_eff - 0.375) < 1e-12);
    feedback_case(d, 1200, T, e, r_eff, "month-0 leavers, caseload 30 over threshold 20");
    /* elasticity 0: the plain rate */
    feedback_case(d, 1200, T, 0, rate, "month-0 leavers, elasticity 0");
    /* caseload 15 under the threshold: not lowered (r x (1 + 2 x (0.75 - 1)) would be 0.15) */
    feedback_case(d, 600, T, 2, rate, "month-0 leavers, caseload under the threshold");
    /* r' capped at 1: everyone leaves in month 0, fraction included (e = 20: 0.3 x 11) */
    scn_workforce w;
    wf_neutral(d, &w);
    w.permanent_fte = 40.5;
    w.turnover = rate;
    w.turnover_threshold = T;
    w.turnover_elasticity = 20;
    run r;
    run_months(&r, 2025, 4, 1);
    run_constant_stock(&r, 0, 1215, 0); /* c0 = 1215 / 40.5 = 30 */
    run_open(&r, d, &w);
    for (int rep = 0; rep < 20; rep++) {
        run_rep(&r, rep);
        near(MO(&r, 0, 0, WF_LEAVERS), 40.5, 1e-12, "turnover capped at 1", 0, 0, WF_LEAVERS);
        near(MO(&r, 0, 0, WF_PERMANENT), 0, 1e-12, "turnover capped at 1", 0, 0, WF_PERMANENT);
    }
    run_close(&r);
    modeldef_free(d);
}

/* ---- 9. dated changes ----------------------------------------------------------------- */

static void test_dated_changes(void **unused)
{
    (void)unused;
    modeldef *d = small_def(ONE_TEAM);
    scn_workforce w;
    run r;
    /* (a) a recruitment freeze from the start of month 2 to the start of month 5: posts 10,
     * permanent 2, capacity 1 a month, lag 0, fill 1 -> one recruit a month except in
     * months 2-4: P = 3,4,4,4,4,5,6,7,8,9,10,10. */
    wf_neutral(d, &w);
    w.permanent_fte = 2;
    w.vacancy_fte = 8;
    w.recruitment_per_month = 1;
    w.recruitment_lag = 0;
    run_months(&r, 2025, 4, 12);
    run_constant_stock(&r, 0, 50, 0);
    scn_staffing_change freeze = {{r.ms[2], r.ms[5], 0}, NAN, 0, NAN, NAN};
    w.nchanges = 1;
    w.changes = &freeze;
    run_open(&r, d, &w);
    run_rep(&r, 0);
    const double perm[] = {3, 4, 4, 4, 4, 5, 6, 7, 8, 9, 10, 10};
    for (int m = 0; m < r.M; m++) {
        near(MO(&r, m, 0, WF_PERMANENT), perm[m], 1e-12, "freeze", m, 0, WF_PERMANENT);
        near(MO(&r, m, 0, WF_STARTERS), m == 0 ? 1 : perm[m] - perm[m - 1], 1e-12, "freeze", m, 0,
             WF_STARTERS);
    }
    run_close(&r);

    /* (b) turnover: the team's own 0 overrides the council's 0.5; a change to 1 in month 3
     * only overrides the team's, so all 7.5 FTE leave in month 3 and nobody before. */
    wf_neutral(d, &w);
    w.permanent_fte = 7.5;
    w.turnover = 0.5;
    w.team[0].turnover = 0;
    run_months(&r, 2025, 4, 6);
    run_constant_stock(&r, 0, 50, 0);
    scn_staffing_change leave = {{r.ms[3], r.ms[4], 0}, 1, NAN, NAN, NAN};
    w.nchanges = 1;
    w.changes = &leave;
    run_open(&r, d, &w);
    for (int rep = 0; rep < 5; rep++) {
        run_rep(&r, rep);
        for (int m = 0; m < r.M; m++) {
            near(MO(&r, m, 0, WF_PERMANENT), m < 3 ? 7.5 : 0, 1e-12, "turnover change", m, 0,
                 WF_PERMANENT);
            near(MO(&r, m, 0, WF_LEAVERS), m == 3 ? 7.5 : 0, 1e-12, "turnover change", m, 0,
                 WF_LEAVERS);
        }
    }
    run_close(&r);

    /* (c) agency conversion 1 in month 2 only: permanent 6, vacant 4, agency 4 covering
     * them (cover 1, nothing beyond). In month 2 all 4 agency move into the posts: P = 10,
     * vacant 0, agency 1 x 0 + 0 = 0, starters 4. */
    wf_neutral(d, &w);
    w.permanent_fte = 6;
    w.vacancy_fte = 4;
    w.agency_fte = 4;
    w.agency_cover = 1;
    run_months(&r, 2025, 4, 5);
    run_constant_stock(&r, 0, 50, 0);
    scn_staffing_change convert = {{r.ms[2], r.ms[3], 0}, NAN, NAN, NAN, 1};
    w.nchanges = 1;
    w.changes = &convert;
    run_open(&r, d, &w);
    run_rep(&r, 0);
    for (int m = 0; m < r.M; m++) {
        near(MO(&r, m, 0, WF_PERMANENT), m < 2 ? 6 : 10, 1e-12, "conversion", m, 0, WF_PERMANENT);
        near(MO(&r, m, 0, WF_AGENCY), m < 2 ? 4 : 0, 1e-12, "conversion", m, 0, WF_AGENCY);
        near(MO(&r, m, 0, WF_STARTERS), m == 2 ? 4 : 0, 1e-12, "conversion", m, 0, WF_STARTERS);
    }
    run_close(&r);

    /* (d) conversion only fills vacant posts: posts 10, permanent 9 (1 vacant), agency 3
     * (1 covering the vacancy, 2 beyond it as absence cover), conversion 1 from the start:
     * in month 0 one agency worker takes the vacant post, then no post is vacant, so
     * permanent stays 10 and agency is the 2 beyond vacancies, in every month. */
    wf_neutral(d, &w);
    w.permanent_fte = 9;
    w.vacancy_fte = 1;
    w.agency_fte = 3;
    w.agency_cover = 1;
    w.agency_conversion = 1;
    run_months(&r, 2025, 4, 6);
    run_constant_stock(&r, 0, 50, 0);
    run_open(&r, d, &w);
    run_rep(&r, 0);
    for (int m = 0; m < r.M; m++) {
        near(MO(&r, m, 0, WF_PERMANENT), 10, 1e-12, "conversion cap", m, 0, WF_PERMANENT);
        near(MO(&r, m, 0, WF_AGENCY), 2, 1e-12, "conversion cap", m, 0, WF_AGENCY);
        near(MO(&r, m, 0, WF_STARTERS), m == 0 ? 1 : 0, 1e-12, "conversion cap", m, 0, WF_STARTERS);
    }
    run_close(&r);
    modeldef_free(d);
}

/* ---- model-definition teams ------------------------------------------------------------ */

/* 1-based line of the first line of `text` containing `needle`. */
static int line_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    if (!at)
        fail_msg("test bug: '%s' is not in the test text", needle);
    int line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    return line;
}

/* Expects the small states plus `teams` to be refused, naming small.ini:LINE (LINE of
 * `at` in the whole text) with every string of `want`. */
static void def_refused(const char *teams, const char *at, const char *const *want, int n)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", SMALL_STATES, teams);
    cc_err err = {{0}, 0};
    int status = -1;
    modeldef *d = modeldef_alloc_text(text, "small.ini", &err, &status);
    if (d) {
        modeldef_free(d);
        fail_msg("accepted a bad definition:\n%s", teams);
    }
    assert_int_equal(status, CC_EINPUT);
    char where[64];
    snprintf(where, sizeof where, "small.ini:%d:", line_of(text, at));
    if (!strstr(err.msg, where))
        fail_msg("'%s' missing from:\n%s", where, err.msg);
    for (int i = 0; i < n; i++)
        if (!strstr(err.msg, want[i]))
            fail_msg("'%s' missing from:\n%s", want[i], err.msg);
}

static void test_modeldef_teams(void **unused)
{
    (void)unused;
    /* a valid team: holds and weights as written, others 1 */
    modeldef *d = small_def(TWO_TEAMS);
    int tc = team_of(d, "cases");
    assert_int_equal(d->nteams, 2);
    assert_true(d->teams[tc].holds[SB] && d->teams[tc].holds[SC] && !d->teams[tc].holds[SA]);
    assert_true(d->teams[tc].weight[SB] == 1 && d->teams[tc].weight[SC] == 1.5);
    assert_true(d->teams[tc].target_caseload == 12);
    double weight[MD_MAX];
    for (int s = 0; s < MD_MAX; s++)
        weight[s] = 1;
    char why[256];
    assert_true(modeldef_parse_weights(d, tc, "B:2.5, C:0.5", weight, why, sizeof why));
    assert_true(weight[SB] == 2.5 && weight[SC] == 0.5 && weight[SA] == 1);
    assert_false(modeldef_parse_weights(d, tc, "A:2", weight, why, sizeof why));
    assert_non_null(strstr(why, "does not hold A"));
    modeldef_free(d);

    const char *w1[] = {"'CC' is not a state", "did you mean 'C'"};
    def_refused("[team.x]\nstates = A, CC\ntarget_caseload = 10\n", "states = A, CC", w1, 2);
    const char *w2[] = {"A cases are already held by team x"};
    def_refused("[team.x]\nstates = A\ntarget_caseload = 10\n"
                "[team.y]\nstates = A, B\ntarget_caseload = 10\n",
                "states = A, B", w2, 1);
    const char *w3[] = {"[team.x]", "'target_caseload' is missing"};
    def_refused("[team.x]\nstates = A\n", "[team.x]", w3, 2);
    const char *w4[] = {"does not hold B cases"};
    def_refused("[team.x]\nstates = A\nweights = B:2\ntarget_caseload = 10\n", "weights = B:2", w4,
                1);
}

/* ---- 10. reading scenarios against the fitted standard model -------------------------- */

static demo_fixture fx;
static const char *dir, *fitted; /* fx's folder and fitted model file */
static model *fm;                /* the fitted standard model */
static int start;                /* 2025-04-01 */

static int setup(void **unused)
{
    (void)unused;
    if (demo_fixture_make(&fx, "workforce") != 0)
        return -1;
    dir = fx.dir;
    fitted = fx.fitted;
    fm = fx.model;
    start = fx.start;
    return 0;
}

static int teardown(void **unused)
{
    (void)unused;
    return demo_fixture_remove(&fx);
}

/* Writes `text` as `name`, expects scenario_read to refuse it with every string of
 * `want` in the printed problems, the first being NAME:LINE:. */
static void read_bad(const char *name, const char *text, int line, const char *const *want, int n)
{
    const char *path = demo_fixture_write(&fx, name, text);
    problems *p = problems_alloc(20);
    scenario *sc = scenario_read(path, fm, start, p);
    if (sc) {
        scenario_free(sc);
        problems_free(p);
        fail_msg("%s was accepted:\n%s", name, text);
    }
    assert_true(problems_errors(p) >= 1);
    char *printed = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&printed, &len);
    problems_print(p, f);
    fclose(f);
    problems_free(p);
    char where[128];
    snprintf(where, sizeof where, "%s:%d:", name, line);
    if (!strstr(printed, where))
        fail_msg("'%s' missing from:\n%s", where, printed);
    for (int i = 0; i < n; i++)
        if (!strstr(printed, want[i]))
            fail_msg("'%s' missing from:\n%s", want[i], printed);
    free(printed);
}

static void test_read_errors(void **unused)
{
    (void)unused;
    assert_int_equal(fm->def->nteams, 4);
    const char *neg[] = {"permanent_fte = '-3'", "expected a number from 0 to 100000"};
    read_bad("wf-neg.ini", "[workforce]\npermanent_fte = -3\n", 2, neg, 2);
    const char *turn[] = {"turnover = '1.5'", "expected a number from 0 to 1"};
    read_bad("wf-turnover.ini", "[workforce]\npermanent_fte = 50\nturnover = 1.5\n", 3, turn, 2);
    const char *typo[] = {"assesment", "did you mean 'assessment'"};
    read_bad("wf-typo.ini",
             "[workforce]\npermanent_fte = 50\n[team.assesment]\ntarget_caseload = 17\n", 3, typo,
             2);
    const char *xyz[] = {"weights = 'XYZ:2'", "'XYZ' is not a state"};
    read_bad("wf-xyz.ini",
             "[workforce]\npermanent_fte = 50\n[team.family_support]\nweights = XYZ:2\n", 4, xyz,
             2);
    const char *ref[] = {"weights = 'REF:2'", "does not hold REF cases"};
    read_bad("wf-ref.ini",
             "[workforce]\npermanent_fte = 50\n[team.family_support]\nweights = REF:2\n", 4, ref,
             2);
    const char *nowf[] = {"[team.assessment]", "no [workforce] section"};
    read_bad("wf-none.ini", "description = staff only\n[team.assessment]\ntarget_caseload = 17\n",
             2, nowf, 2);
    const char *mode[] = {"establishment = 'sometimes'", "expected fixed or demand"};
    read_bad("wf-mode.ini", "[workforce]\npermanent_fte = 50\nestablishment = sometimes\n", 3, mode,
             2);
    const char *missing[] = {"needs 'permanent_fte'"};
    read_bad("wf-missing.ini", "\n[workforce]\nturnover = 0.1\n", 2, missing, 1);
    const char *nothing[] = {"[workforce_change.x] changes nothing"};
    read_bad("wf-nothing.ini",
             "[workforce]\npermanent_fte = 50\n[workforce_change.x]\nstart = 2026-04-01\n", 3,
             nothing, 1);
    const char *order[] = {"end = 2026-01-01 is not after start = 2026-04-01"};
    read_bad("wf-order.ini",
             "[workforce]\npermanent_fte = 50\n[workforce_change.y]\nstart = 2026-04-01\n"
             "end = 2026-01-01\nturnover = 0.2\n",
             5, order, 1);
}

static void test_read_valid(void **unused)
{
    (void)unused;
    const modeldef *d = fm->def;
    int as = modeldef_team_index(d, "assessment"), fs = modeldef_team_index(d, "family_support"),
        ci = modeldef_team_index(d, "children_in_care"),
        lc = modeldef_team_index(d, "leaving_care");
    assert_true(as >= 0 && fs >= 0 && ci >= 0 && lc >= 0);
    scenario *sc = demo_fixture_read_ok(&fx, demo_fixture_write(&fx, "wf-ok.ini",
                                                                "name = wf-ok\n"
                                                                "[workforce]\n"
                                                                "permanent_fte = 120.5\n"
                                                                "agency_fte = 14\n"
                                                                "vacancy_fte = 10\n"
                                                                "turnover = 0.15\n"
                                                                "establishment = demand\n"
                                                                "recruitment_lag_months = 2\n"
                                                                "nq_intake = 8\n"
                                                                "agency_cap = 0.2\n"
                                                                "[team.leaving_care]\n"
                                                                "permanent_fte = 6\n"
                                                                "target_caseload = 22\n"
                                                                "turnover = 0.2\n"
                                                                "[team.family_support]\n"
                                                                "weights = CP:1.5\n"
                                                                "[workforce_change.freeze]\n"
                                                                "start = 2026-01-01\n"
                                                                "end = 2026-07-01\n"
                                                                "recruitment_per_month = 0\n"));
    const scn_workforce *w = sc->workforce;
    assert_non_null(w);
    assert_true(w->permanent_fte == 120.5);
    assert_true(w->agency_fte == 14);
    assert_true(w->vacancy_fte == 10);
    assert_true(w->turnover == 0.15);
    assert_true(w->demand_led);
    assert_int_equal(w->recruitment_lag, 2);
    assert_true(w->nq_intake == 8);
    assert_true(w->agency_cap == 0.2);
    assert_true(isinf(w->recruitment_per_month) && w->recruitment_per_month > 0); /* no limit */
    /* defaults as declared in the key table */
    assert_true(w->recruitment_fill == 1);
    assert_int_equal(w->nq_month, 9);
    assert_true(w->nq_caseload == 0.8);
    assert_true(w->agency_cover == 1);
    assert_true(w->absence_rate == 0.034);
    assert_true(w->pay_inflation == 0);
    /* the team override, the others sharing the council's figures */
    assert_true(w->team[lc].permanent_fte == 6);
    assert_true(w->team[lc].target_caseload == 22);
    assert_true(w->team[lc].turnover == 0.2);
    assert_true(isnan(w->team[lc].agency_fte) && isnan(w->team[lc].vacancy_fte));
    for (int t = 0; t < d->nteams; t++)
        if (t != lc) {
            assert_true(isnan(w->team[t].permanent_fte));
            assert_true(isnan(w->team[t].turnover));
        }
    assert_true(w->team[as].target_caseload == 18);
    assert_true(w->team[fs].target_caseload == 16);
    assert_true(w->team[ci].target_caseload == 15);
    int cp = modeldef_state_index(d, "CP"), cin = modeldef_state_index(d, "CIN");
    assert_true(w->team[fs].weight[cp] == 1.5);
    assert_true(w->team[fs].weight[cin] == 1);
    /* the change */
    assert_int_equal(w->nchanges, 1);
    assert_int_equal(w->changes[0].when.start, date_from_ymd(2026, 1, 1));
    assert_int_equal(w->changes[0].when.end, date_from_ymd(2026, 7, 1));
    assert_int_equal(w->changes[0].when.ramp, 0);
    assert_true(w->changes[0].recruitment_per_month == 0);
    assert_true(isnan(w->changes[0].turnover));
    assert_true(isnan(w->changes[0].agency_cap));
    assert_true(isnan(w->changes[0].agency_conversion));
    scenario_free(sc);
    /* a scenario without [workforce] has no workforce */
    sc = demo_fixture_read_ok(
        &fx, demo_fixture_write(&fx, "wf-absent.ini", "[entries]\nmultiplier = 0.9\n"));
    assert_null(sc->workforce);
    scenario_free(sc);
}

int main(void)
{
    const struct CMUnitTest units[] = {
        cmocka_unit_test(test_constant_fte),
        cmocka_unit_test(test_turnover_expectation),
        cmocka_unit_test(test_caseload_by_hand),
        cmocka_unit_test(test_demand_led_and_scenario_weights),
        cmocka_unit_test(test_shares_and_target),
        cmocka_unit_test(test_cost_by_hand),
        cmocka_unit_test(test_recruitment_lag_capacity),
        cmocka_unit_test(test_nq_intake),
        cmocka_unit_test(test_agency_cap),
        cmocka_unit_test(test_turnover_feedback),
        cmocka_unit_test(test_dated_changes),
        cmocka_unit_test(test_modeldef_teams),
    };
    const struct CMUnitTest reading[] = {
        cmocka_unit_test(test_read_errors),
        cmocka_unit_test(test_read_valid),
    };
    int failed = cmocka_run_group_tests_name("workforce units", units, NULL, NULL);
    failed += cmocka_run_group_tests_name("workforce scenarios", reading, setup, teardown);
    return failed;
}
