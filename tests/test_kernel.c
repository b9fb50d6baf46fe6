/* test_kernel.c -- the simulation kernel against exact results.
 *
 * 1. A constant-hazard three-state chain with arrivals and exits: the mean over many
 *    replicates of the month-end stock and of the cumulative flows must equal the
 *    exact expectation of the Markov model (Kolmogorov forward equations, solved in
 *    tests/support/markov_exact.c with GSL), within Monte Carlo error.
 * 2. A duration-dependent exit hazard: the surviving fraction must follow the
 *    hand-worked piecewise-exponential survival function, for children who had
 *    already spent some days in the state before the start.
 * 3. An age-dependent hazard and a forced exit at an exact birthday.
 * 4. Seeds: the same seed gives the same replicate; another replicate differs.
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

#include "date.h"
#include "model.h"
#include "sim.h"
#include "support/markov_exact.h"

static model *model_from_text(const char *text, int ntrans)
{
    cc_err err = {{0}, 0};
    int status;
    modeldef *def = modeldef_alloc_text(text, "test", &err, &status);
    if (!def)
        fail_msg("definition rejected: %s", err.msg);
    model *m = model_alloc(def, ntrans);
    assert_non_null(m);
    return m;
}

/* n children open in `state` since `since`, born on `dob`; history ends the day before
 * `start`. */
static void open_children(model *m, int n, int state, int since, int dob, int start)
{
    model_episode *ep = calloc((size_t)n, sizeof *ep);
    for (int i = 0; i < n; i++) {
        ep[i].child = i + 1;
        ep[i].dob = dob;
        ep[i].start = since;
        ep[i].end = MODEL_OPEN_END;
        ep[i].state = (int16_t)state;
        ep[i].reason = MODEL_REASON_OPEN;
    }
    model_set_history(m, ep, n, start - 1);
    m->history_start = since;
}

/* ---- 1. constant hazards vs the Kolmogorov forward equations ------------------------ */

static const char *CHAIN =
    "[model]\nname = chain\n[bands]\nage = 0\nduration = 0\n"
    "[state.A]\n[state.B]\n[state.C]\n[exit.gone]\nthen = OUT\n";

static void test_markov_chain_means(void **unused)
{
    (void)unused;
    enum { N = 3, MONTHS = 18, R = 3000, X0 = 40 };
    /* rates per day, deliberately unround */
    const double q[N * N] = {0, 0.0213, 0.0047, 0.0081, 0, 0.0139, 0.0025, 0.0061, 0};
    const double ex[N] = {0.0052, 0.0031, 0.0117};
    const double lambda[N] = {0.83, 0, 0.21};
    model *m = model_from_text(CHAIN, 16);
    m->entry_per_child = false;
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < N; j++)
            if (i != j)
                model_rate(m, model_transition(m, i, j))[0] = q[i * N + j];
        model_rate(m, model_transition(m, i, N + 0))[0] = ex[i];
        m->entry[i] = lambda[i];
    }
    int start = date_from_ymd(2025, 4, 1);
    open_children(m, X0, 0, start - 17, date_from_ymd(2015, 6, 3), start);

    cc_err err = {{0}, 0};
    int status;
    sim_setup *s = sim_setup_alloc(m, start, MONTHS, 77, &err, &status);
    assert_non_null(s);
    sim_work *w = sim_work_alloc(s);
    sim_ledger *o = sim_ledger_alloc(s);
    assert_non_null(o);
    double sum[MONTHS][N] = {{0}}, sum2[MONTHS][N] = {{0}};
    double fsum[MONTHS][N][N + 1] = {{{0}}}, fsum2[MONTHS][N][N + 1] = {{{0}}};
    int F = sim_nflows(s);
    for (int r = 0; r < R; r++) {
        sim_replicate(s, w, r, o);
        int cum[N][N + 1] = {{0}};
        for (int mo = 0; mo < MONTHS; mo++)
            for (int i = 0; i < N; i++) {
                double x = o->stock[mo * N + i];
                sum[mo][i] += x;
                sum2[mo][i] += x * x;
                for (int j = 0; j <= N; j++) {
                    int f = j == i ? -1 : sim_flow_index(s, i, j);
                    cum[i][j] += f < 0 ? 0 : o->flows[mo * F + f];
                    fsum[mo][i][j] += cum[i][j];
                    fsum2[mo][i][j] += (double)cum[i][j] * cum[i][j];
                }
            }
    }
    double t[MONTHS], x0[N] = {X0, 0, 0};
    for (int mo = 0; mo < MONTHS; mo++)
        t[mo] = sim_month_start(s, mo + 1) - start;
    double expect[MONTHS * N], flows[MONTHS * N * (N + 1)];
    assert_int_equal(markov_exact_occupancy(N, q, ex, lambda, x0, MONTHS, t, expect), 0);
    assert_int_equal(markov_exact_flows(N, q, ex, lambda, x0, MONTHS, t, flows), 0);
    for (int mo = 0; mo < MONTHS; mo++)
        for (int i = 0; i < N; i++) {
            double mean = sum[mo][i] / R;
            double se = sqrt((sum2[mo][i] / R - mean * mean) / R);
            double want = expect[mo * N + i];
            if (fabs(mean - want) > 4.5 * se + 1e-9)
                fail_msg("month %d state %d: mean %.3f, exact %.3f, se %.3f", mo, i, mean, want,
                         se);
            for (int j = 0; j <= N; j++) {
                if (j == i)
                    continue;
                double fm = fsum[mo][i][j] / R;
                double fse = sqrt((fsum2[mo][i][j] / R - fm * fm) / R);
                double fw = flows[mo * N * (N + 1) + i * (N + 1) + j];
                if (fabs(fm - fw) > 4.5 * fse + 1e-9)
                    fail_msg("month %d flow %d->%d: mean %.3f, exact %.3f, se %.3f", mo, i, j,
                             fm, fw, se);
            }
        }
    /* The interval is meaningful: at month 12 the expectation of B is far from 0. */
    assert_true(expect[11 * N + 1] > 10);
    sim_ledger_free(o);
    sim_work_free(w);
    sim_setup_free(s);
    model_free(m);
}

/* ---- 2. duration-dependent hazard vs a hand-worked survival function ---------------- */

static const char *STAY =
    "[model]\nname = stay\n[bands]\nage = 0\nduration = 0, 30\n"
    "[state.A]\n[exit.gone]\nthen = OUT\n";

static void test_duration_survival(void **unused)
{
    (void)unused;
    enum { N = 400, R = 400, MONTHS = 4 };
    const double h1 = 0.05, h2 = 0.01; /* per day, before / after 30 days in the state */
    model *m = model_from_text(STAY, 2);
    double *rate = model_rate(m, model_transition(m, 0, 1));
    rate[0] = h1;
    rate[1] = h2;
    int start = date_from_ymd(2025, 4, 1);
    /* in the state for 10 days already: 20 more days at h1, then h2 */
    open_children(m, N, 0, start - 10, date_from_ymd(2012, 1, 9), start);
    cc_err err = {{0}, 0};
    int status;
    sim_setup *s = sim_setup_alloc(m, start, MONTHS, 5, &err, &status);
    sim_work *w = sim_work_alloc(s);
    sim_ledger *o = sim_ledger_alloc(s);
    assert_non_null(o);
    double total[MONTHS] = {0}, days[MONTHS] = {0}, days2[MONTHS] = {0};
    for (int r = 0; r < R; r++) {
        sim_replicate(s, w, r, o);
        for (int mo = 0; mo < MONTHS; mo++) {
            total[mo] += o->stock[mo];
            days[mo] += o->person_days[mo];
            days2[mo] += o->person_days[mo] * o->person_days[mo];
        }
    }
    /* Month ends at 30, 61, 91, 122 days after 1 April. Survival S(t) = exp(-h1 t) for
     * t <= 20, exp(-20 h1 - h2 (t - 20)) after; e.g. S(30) = exp(-1.1) = 0.332871. */
    const double t[MONTHS] = {30, 61, 91, 122};
    for (int mo = 0; mo < MONTHS; mo++) {
        double p = exp(-20 * h1 - h2 * (t[mo] - 20));
        double got = total[mo] / ((double)N * R);
        double se = sqrt(p * (1 - p) / ((double)N * R));
        if (fabs(got - p) > 4.5 * se)
            fail_msg("month %d: surviving %.5f, exact %.5f (se %.5f)", mo, got, p, se);
    }
    assert_true(fabs(exp(-1.1) - 0.332871) < 1e-6);
    /* Person-days in month [a, b) are N times the integral of S over it:
     * (e^{-h1 a} - e^{-h1 min(b,20)}) / h1 for the part before day 20, and
     * e^{-20 h1} (e^{-h2 (a' - 20)} - e^{-h2 (b - 20)}) / h2 after it (a' = max(a, 20)). */
    const double a_[MONTHS] = {0, 30, 61, 91};
    for (int mo = 0; mo < MONTHS; mo++) {
        double a = a_[mo], b = t[mo], integral = 0;
        if (a < 20)
            integral += (exp(-h1 * a) - exp(-h1 * fmin(b, 20))) / h1;
        double a2 = fmax(a, 20);
        integral += exp(-20 * h1) * (exp(-h2 * (a2 - 20)) - exp(-h2 * (b - 20))) / h2;
        double want = N * integral, mean = days[mo] / R;
        double se = sqrt((days2[mo] / R - mean * mean) / R);
        if (fabs(mean - want) > 4.5 * se)
            fail_msg("month %d: person-days %.2f, exact %.2f (se %.2f)", mo, mean, want, se);
    }
    sim_ledger_free(o);
    sim_work_free(w);
    sim_setup_free(s);
    model_free(m);
}

/* ---- 3. exact ages: an age-dependent hazard and a forced exit at a birthday -------- */

static const char *AGES =
    "[model]\nname = ages\n[bands]\nage = 0, 10\nduration = 0\n"
    "[state.A]\nmax_age = 12\nat_max_age = grown\n"
    "[exit.gone]\nthen = OUT\n[exit.grown]\nthen = OUT\n";

static void test_exact_ages(void **unused)
{
    (void)unused;
    enum { N = 500, R = 200, MONTHS = 30 };
    const double h = 0.004; /* per day, from the 10th birthday only */
    model *m = model_from_text(AGES, 2);
    double *rate = model_rate(m, model_transition(m, 0, 1));
    rate[0] = 0;
    rate[1] = h;
    int start = date_from_ymd(2025, 4, 1);
    /* born 15 May 2015: 10 on 15 May 2025 (44 days after the start), 12 on 15 May 2027 */
    int dob = date_from_ymd(2015, 5, 15);
    open_children(m, N, 0, date_from_ymd(2020, 1, 1), dob, start);
    cc_err err = {{0}, 0};
    int status;
    sim_setup *s = sim_setup_alloc(m, start, MONTHS, 9, &err, &status);
    sim_work *w = sim_work_alloc(s);
    sim_ledger *o = sim_ledger_alloc(s);
    assert_non_null(o);
    double total[MONTHS] = {0};
    int F = sim_nflows(s), grown_flow = sim_flow_index(s, 0, 2);
    assert_true(grown_flow >= 0);
    for (int r = 0; r < R; r++) {
        sim_replicate(s, w, r, o);
        assert_int_equal(o->stock[0], N); /* no hazard before the 10th birthday */
        for (int mo = 0; mo < MONTHS; mo++) {
            total[mo] += o->stock[mo];
            /* forced exits happen in May 2027 (month 25) and only then */
            int grown = o->flows[mo * F + grown_flow];
            if (mo != 25)
                assert_int_equal(grown, 0);
        }
        assert_int_equal(o->stock[25], 0);
    }
    int birthday10 = date_from_ymd(2025, 5, 15);
    for (int mo = 1; mo < 25; mo++) {
        double t = sim_month_start(s, mo + 1) - birthday10;
        double p = exp(-h * t);
        double got = total[mo] / ((double)N * R);
        double se = sqrt(p * (1 - p) / ((double)N * R));
        if (fabs(got - p) > 4.5 * se)
            fail_msg("month %d: surviving %.5f, exact %.5f", mo, got, p);
    }
    sim_ledger_free(o);
    sim_work_free(w);
    sim_setup_free(s);
    model_free(m);
}

/* ---- 4. streams depend on (seed, replicate) only ------------------------------------ */

static void test_streams(void **unused)
{
    (void)unused;
    model *m = model_from_text(CHAIN, 16);
    m->entry_per_child = false;
    model_rate(m, model_transition(m, 0, 1))[0] = 0.01;
    model_rate(m, model_transition(m, 1, 3))[0] = 0.02;
    m->entry[0] = 0.5;
    int start = date_from_ymd(2025, 4, 1);
    open_children(m, 30, 0, start - 5, date_from_ymd(2014, 2, 2), start);
    cc_err err = {{0}, 0};
    int status;
    sim_setup *s = sim_setup_alloc(m, start, 12, 123, &err, &status);
    sim_work *w1 = sim_work_alloc(s), *w2 = sim_work_alloc(s);
    sim_ledger *a = sim_ledger_alloc(s), *b = sim_ledger_alloc(s), *c = sim_ledger_alloc(s);
    sim_replicate(s, w1, 4, a);
    sim_replicate(s, w2, 9, c); /* another replicate in between, on another workspace */
    sim_replicate(s, w2, 4, b);
    size_t ms = (size_t)sim_nmonths(s) * sim_nstates(s);
    assert_memory_equal(a->stock, b->stock, ms * sizeof(int32_t));
    assert_memory_equal(a->person_days, b->person_days, ms * sizeof(double));
    assert_memory_not_equal(a->stock, c->stock, ms * sizeof(int32_t));
    sim_ledger_free(a);
    sim_ledger_free(b);
    sim_ledger_free(c);
    sim_work_free(w1);
    sim_work_free(w2);
    sim_setup_free(s);
    model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markov_chain_means),
        cmocka_unit_test(test_duration_survival),
        cmocka_unit_test(test_exact_ages),
        cmocka_unit_test(test_streams),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
