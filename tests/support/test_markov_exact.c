/*
 * test_markov_exact.c - cmocka tests for tests/support/markov_exact.[ch].
 *
 * Build and run from the repository root (one line):
 *   gcc -std=c11 -Wall -Wextra -Werror -O2 -o /tmp/test_markov_exact tests/support/test_markov_exact.c tests/support/markov_exact.c -lcmocka -lgsl -lgslcblas -lm && /tmp/test_markov_exact
 *
 * Cases (a)-(c) compare both methods (ODE and matrix exponential) with
 * closed forms derived by hand, evaluated here with libm, and additionally
 * with literals worked out independently with `bc -l` (scale=30) at one time
 * point each.  Case (d) checks that the two methods agree to 1e-8 relative
 * on an irregular 4-state chain with immigration, and that both conserve
 * mass.  Parameters are deliberately "high-entropy" (no round numbers), so a
 * formula or index slip cannot cancel out by coincidence.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "markov_exact.h"

/* Relative tolerance against the hand-derived closed forms.  The ODE is run
 * at 1e-10 local tolerance; the closed forms are exact up to libm rounding. */
#define REL_HAND 1e-9
/* Absolute slack added to REL_HAND * |expected|, for expected values of 0
 * (e.g. everything at t = 0).  Populations in the tests are O(10..1000). */
#define ABS_HAND 1e-10
/* Required agreement between the two methods in case (d). */
#define REL_AGREE 1e-8

#define NT_MAX 8
#define NS_MAX 4
#define FLOWS(n) ((n) * ((n) + 1))

/* Fail the current test (reporting file:line of the caller) unless
 * |got - want| <= rel*|want| + abs_slack. */
static void check_close(double got, double want, double rel, double abs_slack,
                        const char *what, size_t k, const char *file, int line)
{
    const double tol = rel * fabs(want) + abs_slack;
    const double diff = fabs(got - want);

    if (!(diff <= tol)) {
        print_error("%s:%d: %s at time index %zu: got %.17g, want %.17g "
                    "(|diff| %.3g > tol %.3g)\n",
                    file, line, what, k, got, want, diff, tol);
        _fail(file, line);
    }
}

#define CHECK_HAND(got, want, what, k) \
    check_close((got), (want), REL_HAND, ABS_HAND, (what), (k), __FILE__, __LINE__)

/* Fail unless a and b agree to rel relative to the larger magnitude (two
 * exact zeros agree). */
static void check_agree(double a, double b, double rel, const char *what,
                        size_t k, size_t idx, const char *file, int line)
{
    const double scale = fmax(fabs(a), fabs(b));
    const double diff = fabs(a - b);

    if (!(diff <= rel * scale)) {
        print_error("%s:%d: %s[%zu] at time index %zu: ode %.17g, expm %.17g "
                    "(rel diff %.3g > %.3g)\n",
                    file, line, what, idx, k, a, b, diff / scale, rel);
        _fail(file, line);
    }
}

#define CHECK_AGREE(a, b, what, k, idx) \
    check_agree((a), (b), REL_AGREE, (what), (k), (idx), __FILE__, __LINE__)

/* Results of both methods for one chain. */
struct both {
    double occ_ode[NT_MAX * NS_MAX];
    double occ_expm[NT_MAX * NS_MAX];
    double flow_ode[NT_MAX * FLOWS(NS_MAX)];
    double flow_expm[NT_MAX * FLOWS(NS_MAX)];
};

/* Run all four public functions on one chain, asserting each succeeds. */
static void solve_both(size_t n, const double *q, const double *exit,
                       const double *lambda, const double *x0, size_t nt,
                       const double *t, struct both *r)
{
    assert_true(n <= NS_MAX && nt <= NT_MAX);
    assert_int_equal(markov_exact_occupancy(n, q, exit, lambda, x0, nt, t,
                                            r->occ_ode), 0);
    assert_int_equal(markov_exact_flows(n, q, exit, lambda, x0, nt, t,
                                        r->flow_ode), 0);
    assert_int_equal(markov_exact_occupancy_expm(n, q, exit, lambda, x0, nt,
                                                 t, r->occ_expm), 0);
    assert_int_equal(markov_exact_flows_expm(n, q, exit, lambda, x0, nt, t,
                                             r->flow_expm), 0);
}

/* (a) One state, exit rate h, no immigration, x(0) = x0:
 *     x(t) = x0 e^{-h t};  cumulative exits = x0 (1 - e^{-h t}). */
static void test_single_state_decay(void **state)
{
    const double h = 0.0123, x0v = 37.41;
    const double q[1] = {0.0}, ex[1] = {h}, lam[1] = {0.0}, x0[1] = {x0v};
    const double t[] = {0.0, 17.3, 91.7, 365.25};
    const size_t nt = sizeof t / sizeof t[0];
    struct both r;
    size_t k;

    (void)state;
    solve_both(1, q, ex, lam, x0, nt, t, &r);
    for (k = 0; k < nt; k++) {
        const double want_x = x0v * exp(-h * t[k]);
        const double want_exits = x0v * (1.0 - exp(-h * t[k]));
        CHECK_HAND(r.occ_ode[k], want_x, "(a) ode x", k);
        CHECK_HAND(r.occ_expm[k], want_x, "(a) expm x", k);
        CHECK_HAND(r.flow_ode[k * 2 + 0], 0.0, "(a) ode self-flow", k);
        CHECK_HAND(r.flow_expm[k * 2 + 0], 0.0, "(a) expm self-flow", k);
        CHECK_HAND(r.flow_ode[k * 2 + 1], want_exits, "(a) ode exits", k);
        CHECK_HAND(r.flow_expm[k * 2 + 1], want_exits, "(a) expm exits", k);
    }
    /* bc -l: 37.41*e(-0.0123*91.7) */
    CHECK_HAND(r.occ_ode[2], 12.109957503602666936, "(a) ode x bc", 2);
    CHECK_HAND(r.occ_expm[2], 12.109957503602666936, "(a) expm x bc", 2);
}

/* (b) One state, immigration lambda, exit rate h, empty at 0:
 *     x(t) = lambda/h (1 - e^{-h t});  cumulative exits = lambda t - x(t). */
static void test_single_state_immigration(void **state)
{
    const double lv = 2.37, h = 0.00871;
    const double q[1] = {0.0}, ex[1] = {h}, lam[1] = {lv}, x0[1] = {0.0};
    const double t[] = {0.0, 5.9, 48.2, 730.5};
    const size_t nt = sizeof t / sizeof t[0];
    struct both r;
    size_t k;

    (void)state;
    solve_both(1, q, ex, lam, x0, nt, t, &r);
    for (k = 0; k < nt; k++) {
        const double want_x = lv / h * (1.0 - exp(-h * t[k]));
        const double want_exits = lv * t[k] - want_x;
        CHECK_HAND(r.occ_ode[k], want_x, "(b) ode x", k);
        CHECK_HAND(r.occ_expm[k], want_x, "(b) expm x", k);
        CHECK_HAND(r.flow_ode[k * 2 + 1], want_exits, "(b) ode exits", k);
        CHECK_HAND(r.flow_expm[k * 2 + 1], want_exits, "(b) expm exits", k);
    }
    /* bc -l: y=2.37/0.00871*(1-e(-0.00871*48.2)); y; 2.37*48.2-y */
    CHECK_HAND(r.occ_ode[2], 93.286088472590909625, "(b) ode x bc", 2);
    CHECK_HAND(r.occ_expm[2], 93.286088472590909625, "(b) expm x bc", 2);
    CHECK_HAND(r.flow_ode[2 * 2 + 1], 20.947911527409090375,
               "(b) ode exits bc", 2);
    CHECK_HAND(r.flow_expm[2 * 2 + 1], 20.947911527409090375,
               "(b) expm exits bc", 2);
}

/* (c) Two states, 0 -> 1 at rate a, 1 exits at rate b, x(0) = (N, 0):
 *     x0(t) = N e^{-a t}
 *     x1(t) = N a/(b - a) (e^{-a t} - e^{-b t})
 *     F_01(t) = N (1 - e^{-a t}),  exits from 1 = N - x0(t) - x1(t),
 *     and no 1 -> 0 moves or exits from 0. */
static void test_two_state_series(void **state)
{
    const double N = 211.3, a = 0.0417, b = 0.00913;
    const double q[4] = {0.0, a, 0.0, 0.0};
    const double ex[2] = {0.0, b}, lam[2] = {0.0, 0.0}, x0[2] = {N, 0.0};
    const double t[] = {0.0, 3.7, 28.9, 402.6};
    const size_t nt = sizeof t / sizeof t[0];
    const size_t nf = FLOWS(2);
    struct both r;
    size_t k;

    (void)state;
    solve_both(2, q, ex, lam, x0, nt, t, &r);
    for (k = 0; k < nt; k++) {
        const double ea = exp(-a * t[k]), eb = exp(-b * t[k]);
        const double w0 = N * ea;
        const double w1 = N * a / (b - a) * (ea - eb);
        const double w01 = N * (1.0 - ea);
        const double w1x = N - w0 - w1;
        const double *fo = r.flow_ode + k * nf, *fe = r.flow_expm + k * nf;
        /* flow layout i*(n+1)+j: [0->0, 0->1, 0->exit, 1->0, 1->1, 1->exit] */
        CHECK_HAND(r.occ_ode[k * 2 + 0], w0, "(c) ode x0", k);
        CHECK_HAND(r.occ_expm[k * 2 + 0], w0, "(c) expm x0", k);
        CHECK_HAND(r.occ_ode[k * 2 + 1], w1, "(c) ode x1", k);
        CHECK_HAND(r.occ_expm[k * 2 + 1], w1, "(c) expm x1", k);
        CHECK_HAND(fo[1], w01, "(c) ode F01", k);
        CHECK_HAND(fe[1], w01, "(c) expm F01", k);
        CHECK_HAND(fo[5], w1x, "(c) ode exits 1", k);
        CHECK_HAND(fe[5], w1x, "(c) expm exits 1", k);
        CHECK_HAND(fo[0] + fo[2] + fo[3] + fo[4], 0.0, "(c) ode zero flows", k);
        CHECK_HAND(fe[0] + fe[2] + fe[3] + fe[4], 0.0, "(c) expm zero flows", k);
    }
    /* bc -l at t = 28.9: x0, x1, F01, exits from 1 */
    CHECK_HAND(r.occ_ode[2 * 2 + 0], 63.316687792686704474, "(c) ode x0 bc", 2);
    CHECK_HAND(r.occ_expm[2 * 2 + 0], 63.316687792686704474, "(c) expm x0 bc", 2);
    CHECK_HAND(r.occ_ode[2 * 2 + 1], 126.72514490576169154, "(c) ode x1 bc", 2);
    CHECK_HAND(r.occ_expm[2 * 2 + 1], 126.72514490576169154, "(c) expm x1 bc", 2);
    CHECK_HAND(r.flow_ode[2 * nf + 1], 147.98331220731329553, "(c) ode F01 bc", 2);
    CHECK_HAND(r.flow_expm[2 * nf + 1], 147.98331220731329553, "(c) expm F01 bc", 2);
    CHECK_HAND(r.flow_ode[2 * nf + 5], 21.258167301551603989, "(c) ode exits bc", 2);
    CHECK_HAND(r.flow_expm[2 * nf + 5], 21.258167301551603989, "(c) expm exits bc", 2);
}

/* (d) An irregular 4-state chain with immigration (some zero rates, one
 * state with no immigration, one starting empty, a repeated time): the ODE
 * and matrix-exponential methods must agree to REL_AGREE on every occupancy
 * and every flow, and each must satisfy mass balance
 *     sum_i x_i(t) = sum_i x0_i + t sum_i lambda_i - sum_i exits_i(t). */
static void test_ode_matches_expm_4state(void **state)
{
    enum { n = 4 };
    const double q[n * n] = {
        0.0,     0.0213, 0.00457, 0.00093,
        0.0171,  0.0,    0.0332,  0.0,
        0.00283, 0.0119, 0.0,     0.00671,
        0.00074, 0.0,    0.0142,  0.0,
    };
    const double ex[n] = {0.00189, 0.0052, 0.00377, 0.0611};
    const double lam[n] = {1.73, 0.29, 0.0, 0.417};
    const double x0[n] = {41.3, 7.9, 113.6, 0.0};
    const double t[] = {0.0, 0.37, 12.9, 77.7, 77.7, 365.25, 1461.0};
    const size_t nt = sizeof t / sizeof t[0];
    const size_t nf = FLOWS(n);
    struct both r;
    size_t k, i;

    (void)state;
    solve_both(n, q, ex, lam, x0, nt, t, &r);
    for (k = 0; k < nt; k++) {
        double sum_x0 = 0.0, sum_lam = 0.0;
        double sx_ode = 0.0, sx_expm = 0.0, exits_ode = 0.0, exits_expm = 0.0;

        for (i = 0; i < n; i++)
            CHECK_AGREE(r.occ_ode[k * n + i], r.occ_expm[k * n + i],
                        "(d) occupancy", k, i);
        for (i = 0; i < nf; i++)
            CHECK_AGREE(r.flow_ode[k * nf + i], r.flow_expm[k * nf + i],
                        "(d) flow", k, i);

        for (i = 0; i < n; i++) {
            sum_x0 += x0[i];
            sum_lam += lam[i];
            sx_ode += r.occ_ode[k * n + i];
            sx_expm += r.occ_expm[k * n + i];
            exits_ode += r.flow_ode[k * nf + i * (n + 1) + n];
            exits_expm += r.flow_expm[k * nf + i * (n + 1) + n];
        }
        CHECK_HAND(sx_ode, sum_x0 + t[k] * sum_lam - exits_ode,
                   "(d) ode mass balance", k);
        CHECK_HAND(sx_expm, sum_x0 + t[k] * sum_lam - exits_expm,
                   "(d) expm mass balance", k);
    }
    /* Sanity that the chain is not degenerate: by the last time every
     * state is occupied and 0 -> 3 (a slow rate) has happened. */
    for (i = 0; i < n; i++)
        assert_true(r.occ_ode[(nt - 1) * n + i] > 1.0);
    assert_true(r.flow_ode[(nt - 1) * nf + 0 * (n + 1) + 3] > 1.0);
}

/* Bad arguments are rejected with a nonzero return by all four functions,
 * and ntimes == 0 is a successful no-op. */
static void test_bad_arguments(void **state)
{
    typedef int (*fn)(size_t, const double *, const double *, const double *,
                      const double *, size_t, const double *, double *);
    static const fn fns[4] = {markov_exact_occupancy, markov_exact_flows,
                              markov_exact_occupancy_expm,
                              markov_exact_flows_expm};
    const double q[4] = {0.0, 0.031, 0.0072, 0.0};
    const double qneg[4] = {0.0, -0.031, 0.0072, 0.0};
    const double qnan[4] = {0.0, NAN, 0.0072, 0.0};
    const double qdiag[4] = {-5.0, 0.031, 0.0072, NAN}; /* diagonal ignored */
    const double ex[2] = {0.0045, 0.0113}, exneg[2] = {0.0045, -0.0113};
    const double lam[2] = {0.61, 0.0}, x0[2] = {12.7, 3.1};
    const double x0neg[2] = {12.7, -3.1};
    const double t[3] = {0.0, 9.4, 31.3}, tdec[3] = {0.0, 31.3, 9.4};
    const double tneg[3] = {-1.5, 9.4, 31.3}, tinf[3] = {0.0, 9.4, INFINITY};
    double out[3 * FLOWS(2)];
    size_t f;

    (void)state;
    for (f = 0; f < 4; f++) {
        assert_int_equal(fns[f](2, q, ex, lam, x0, 3, t, out), 0);
        assert_int_equal(fns[f](2, qdiag, ex, lam, x0, 3, t, out), 0);
        assert_int_equal(fns[f](2, q, ex, lam, x0, 0, NULL, NULL), 0);
        assert_int_not_equal(fns[f](0, q, ex, lam, x0, 3, t, out), 0);
        assert_int_not_equal(fns[f](2, NULL, ex, lam, x0, 3, t, out), 0);
        assert_int_not_equal(fns[f](2, q, NULL, lam, x0, 3, t, out), 0);
        assert_int_not_equal(fns[f](2, q, ex, NULL, x0, 3, t, out), 0);
        assert_int_not_equal(fns[f](2, q, ex, lam, NULL, 3, t, out), 0);
        assert_int_not_equal(fns[f](2, q, ex, lam, x0, 3, NULL, out), 0);
        assert_int_not_equal(fns[f](2, q, ex, lam, x0, 3, t, NULL), 0);
        assert_int_not_equal(fns[f](2, qneg, ex, lam, x0, 3, t, out), 0);
        assert_int_not_equal(fns[f](2, qnan, ex, lam, x0, 3, t, out), 0);
        assert_int_not_equal(fns[f](2, q, exneg, lam, x0, 3, t, out), 0);
        assert_int_not_equal(fns[f](2, q, ex, lam, x0neg, 3, t, out), 0);
        assert_int_not_equal(fns[f](2, q, ex, lam, x0, 3, tdec, out), 0);
        assert_int_not_equal(fns[f](2, q, ex, lam, x0, 3, tneg, out), 0);
        assert_int_not_equal(fns[f](2, q, ex, lam, x0, 3, tinf, out), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_state_decay),
        cmocka_unit_test(test_single_state_immigration),
        cmocka_unit_test(test_two_state_series),
        cmocka_unit_test(test_ode_matches_expm_4state),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
