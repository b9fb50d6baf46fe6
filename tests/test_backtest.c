/* test_backtest.c -- the aggregate model (engine/aggmodel.c) and `carecast backtest`
 * (engine/backtest.c).
 *
 * Build and run one program from the repository root:
 *   make carecast build/tests/test_backtest && build/tests/test_backtest
 * (the command-line tests run CARECAST_BIN, by default CARECAST_HOME/build/carecast, and
 * CARECAST_HOME defaults to the current folder.)
 *
 * Where the expected values come from: aggmodel.h and backtest.h are the specification.
 *  1. aggmodel_exit_hazard: s1 is computed here from a chosen h by the header's formula
 *     (S0 e^-nh plus each year's entries surviving (1 - e^-h)/h, then e^-h a year); the
 *     function must give h back. Clamps: s1 >= s0 + E gives 1e-3, s1 = 0 gives 20.
 *  2. naive forecasts and their scores on three hand-made councils: every last value,
 *     least-squares line and median APE below is worked by hand in the comments.
 *  3. the acceptance criterion: on synthetic published data generated here (GSL's
 *     MT19937, not the engine's generator) from the model aggmodel.h describes, the 50%,
 *     80% and 90% intervals cover the later values within 5 points of nominal, the
 *     pooled random-walk variances q are within a factor of 2 of the true ones, the
 *     pooled correlation of the two parameters' steps within 0.25 of the true one, and
 *     the interval width learnt from earlier origins within 15% of the model's own.
 *  4. backtest_compute gives bit-identical results on 1 and 2 threads (for the councils'
 *     loop and for the pooled calibration's draws).
 *  5. the command: a bad value exits 2 naming file:line and writes nothing; an existing
 *     --out without --force exits 2 and is left as it was; --geography Nowhere and
 *     --origins 2021:2017 exit 2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <omp.h>

#include "aggmodel.h"
#include "aggregate.h"
#include "backtest.h"
#include "problems.h"
#include "support/workdir.h"

static workdir W;       /* the binary and the temporary folder */
static workdir_run R;   /* the last run of the binary */
static char tiny[4200]; /* TMP/tiny.csv: the hand-worked councils of test 2 */
static char syn[4200];  /* TMP/synthetic.csv: the data of test 3 */
static aggdata *syn_data;

/* ---- helpers -------------------------------------------------------------------------- */

static const char *write_tmp(char *buf, size_t size, const char *name, const char *text)
{
    snprintf(buf, size, "%s/%s", W.dir, name);
    FILE *f = fopen(buf, "w");
    if (!f)
        fail_msg("cannot write %s: %s", buf, strerror(errno));
    fputs(text, f);
    fclose(f);
    return buf;
}

/* |got - want| <= tol x max(1, |want|). */
static void near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol * fmax(1.0, fabs(want))))
        fail_msg("%s = %.12g, expected %.12g", what, got, want);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Reads a data file that must have no errors. */
static aggdata *read_data(const char *path)
{
    aggdata *a = aggdata_alloc();
    problems *p = problems_alloc(20);
    assert_non_null(a);
    assert_non_null(p);
    aggdata_read(a, path, p);
    if (problems_errors(p)) {
        problems_print(p, stderr);
        fail_msg("errors reading %s", path);
    }
    problems_free(p);
    return a;
}

/* ---- 1. exit hazard ------------------------------------------------------------------- */

/* The stock a year after s0 with hazard h and entries E through the year. */
static double one_year(double s0, double e, double h)
{
    return s0 * exp(-h) + e * (1 - exp(-h)) / h;
}

static void test_exit_hazard(void **state)
{
    (void)state;
    static const double cases[][3] = {
        /* s0, E, h */
        {100, 50, 0.45},  {1000, 300, 1.0}, {20, 5, 0.05},
        {500, 2000, 3.0}, {0, 80, 0.7},     {2500, 0, 0.2},
    };
    char what[128];
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        double s0 = cases[k][0], e = cases[k][1], h = cases[k][2];
        double s1 = one_year(s0, e, h);
        double got = aggmodel_exit_hazard(s0, &e, 1, s1);
        snprintf(what, sizeof what, "hazard for s0=%g E=%g s1=%.6g (n=1)", s0, e, s1);
        if (!(fabs(got - h) <= 1e-8))
            fail_msg("%s = %.12g, expected %.12g", what, got, h);
    }
    /* two years: the first year's entries survive the second year too */
    static const double two[][4] = {
        /* s0, E0, E1, h */
        {300, 120, 150, 0.45},
        {50, 400, 350, 1.2},
        {1000, 10, 20, 0.08},
    };
    for (size_t k = 0; k < sizeof two / sizeof two[0]; k++) {
        double s0 = two[k][0], e[2] = {two[k][1], two[k][2]}, h = two[k][3];
        double s1 = one_year(one_year(s0, e[0], h), e[1], h);
        double got = aggmodel_exit_hazard(s0, e, 2, s1);
        if (!(fabs(got - h) <= 1e-8))
            fail_msg("n=2 hazard for s0=%g E=%g,%g = %.12g, expected %.12g", s0, e[0], e[1], got,
                     h);
    }
    /* three years (a stock missing for two years) */
    double e3[3] = {60, 70, 80}, h3 = 0.6;
    double s3 = one_year(one_year(one_year(200, e3[0], h3), e3[1], h3), e3[2], h3);
    near(aggmodel_exit_hazard(200, e3, 3, s3), h3, 1e-8, "n=3 hazard");

    /* clamps: nobody left (or more than everybody stayed), everybody left */
    double e = 50;
    assert_true(aggmodel_exit_hazard(100, &e, 1, 150) == 1e-3);
    assert_true(aggmodel_exit_hazard(100, &e, 1, 170) == 1e-3);
    assert_true(aggmodel_exit_hazard(100, &e, 1, 0) == 20.0);
    double e2[2] = {50, 60};
    assert_true(aggmodel_exit_hazard(100, e2, 2, 210) == 1e-3);
    assert_true(aggmodel_exit_hazard(100, e2, 2, 0) == 20.0);
}

/* ---- 2. naive forecasts and the summary, by hand -------------------------------------- */

/* Three councils, 2016-2021, origin 2019, horizons 1 and 2 (target years 2020, 2021):
 *
 *                 stock at 31 March                  starts in the year
 *            2016 2017 2018 2019 | 2020 2021    2016 2017 2018 2019 | 2020 2021
 *   901 A     95  100  110  130  |  125  150      50   60   55   70  |   65   80
 *   902 B    200  210  190  205  |  220  200     100   90  120    x  |  110  100
 *   903 C     70   60   30   10  |   20    .      30   25   20   15  |   12   18
 */
static const char TINY[] = "geography,code,year,measure,value\n"
                           "Aville,901,2016,cla_at_31_march,95\n"
                           "Aville,901,2017,cla_at_31_march,100\n"
                           "Aville,901,2018,cla_at_31_march,110\n"
                           "Aville,901,2019,cla_at_31_march,130\n"
                           "Aville,901,2020,cla_at_31_march,125\n"
                           "Aville,901,2021,cla_at_31_march,150\n"
                           "Aville,901,2016,cla_started_in_year,50\n"
                           "Aville,901,2017,cla_started_in_year,60\n"
                           "Aville,901,2018,cla_started_in_year,55\n"
                           "Aville,901,2019,cla_started_in_year,70\n"
                           "Aville,901,2020,cla_started_in_year,65\n"
                           "Aville,901,2021,cla_started_in_year,80\n"
                           "Bee Town,902,2016,cla_at_31_march,200\n"
                           "Bee Town,902,2017,cla_at_31_march,210\n"
                           "Bee Town,902,2018,cla_at_31_march,190\n"
                           "Bee Town,902,2019,cla_at_31_march,205\n"
                           "Bee Town,902,2020,cla_at_31_march,220\n"
                           "Bee Town,902,2021,cla_at_31_march,200\n"
                           "Bee Town,902,2016,cla_started_in_year,100\n"
                           "Bee Town,902,2017,cla_started_in_year,90\n"
                           "Bee Town,902,2018,cla_started_in_year,120\n"
                           "Bee Town,902,2019,cla_started_in_year,x\n"
                           "Bee Town,902,2020,cla_started_in_year,110\n"
                           "Bee Town,902,2021,cla_started_in_year,100\n"
                           "Sea Borough,903,2016,cla_at_31_march,70\n"
                           "Sea Borough,903,2017,cla_at_31_march,60\n"
                           "Sea Borough,903,2018,cla_at_31_march,30\n"
                           "Sea Borough,903,2019,cla_at_31_march,10\n"
                           "Sea Borough,903,2020,cla_at_31_march,20\n"
                           "Sea Borough,903,2021,cla_at_31_march,\n"
                           "Sea Borough,903,2016,cla_started_in_year,30\n"
                           "Sea Borough,903,2017,cla_started_in_year,25\n"
                           "Sea Borough,903,2018,cla_started_in_year,20\n"
                           "Sea Borough,903,2019,cla_started_in_year,15\n"
                           "Sea Borough,903,2020,cla_started_in_year,12\n"
                           "Sea Borough,903,2021,cla_started_in_year,18\n"
                           "Aville,901,2019,population_0_17_used_by_dfe,40000\n"
                           "Bee Town,902,2019,population_0_17_used_by_dfe,60000\n"
                           "Sea Borough,903,2019,population_0_17_used_by_dfe,20000\n";

static size_t case_index(const backtest *bt, int gi, int o, int h, int m)
{
    return (((size_t)gi * bt->O + o) * bt->H + h) * BT_NMEASURES + m;
}

static int scored_index(const backtest *bt, const aggdata *a, const char *code)
{
    int g = aggdata_find(a, code);
    for (int gi = 0; gi < bt->G; gi++)
        if (bt->geo[gi] == g)
            return gi;
    fail_msg("%s is not among the geographies scored", code);
    return -1;
}

static void test_naive_forecasts(void **state)
{
    (void)state;
    aggdata *a = read_data(tiny);
    backtest_config cfg = {.first_origin = 2019,
                           .last_origin = 2019,
                           .horizons = 2,
                           .replicates = 50,
                           .threads = 1,
                           .seed = 7,
                           .geography = -1};
    backtest *bt = backtest_compute(a, &cfg);
    assert_non_null(bt);
    assert_int_equal(bt->G, 3);
    assert_int_equal(bt->O, 1);
    assert_int_equal(bt->H, 2);
    int A = scored_index(bt, a, "901"), B = scored_index(bt, a, "902"),
        C = scored_index(bt, a, "903");

    /* Naive forecasts at origin 2019, k = 1, 2 years ahead. The line through the values
     * at x = -2, -1, 0 (years 2017-2019) has slope sum (x - xbar)(y - ybar) / 2 and passes
     * through (-1, ybar); at x = k it is ybar + slope (k + 1).
     *   stock A: 100, 110, 130: ybar 340/3, slope (-1)(-40/3) + (1)(50/3) = 30 / 2 = 15:
     *            k=1: 340/3 + 30 = 430/3; k=2: 340/3 + 45 = 475/3; last 130
     *   stock B: 210, 190, 205: ybar 605/3, slope (-25/3 + 10/3) / 2 = -5/2:
     *            k=1: 605/3 - 5 = 590/3; k=2: 605/3 - 7.5 = 1165/6; last 205
     *   stock C: 60, 30, 10: ybar 100/3, slope (-80/3 - 70/3) / 2 = -25:
     *            k=1: 100/3 - 50 < 0 -> 0; k=2: -> 0; last 10
     *   starts A: 60, 55, 70: ybar 185/3, slope (5/3 + 25/3) / 2 = 5:
     *            k=1: 185/3 + 10 = 215/3; k=2: 185/3 + 15 = 230/3; last 70
     *   starts B: 90, 120 and 2019 suppressed: the line through two points, slope 30,
     *            120 at x = -1: k=1: 180; k=2: 210; last = 2018's 120
     *   starts C: 25, 20, 15: ybar 20, slope -5: k=1: 10; k=2: 5; last 15 */
    const struct {
        int *gi;
        int m, k;
        double last, trend, actual;
    } want[] = {
        {&A, BT_CLA_STOCK, 1, 130, 430.0 / 3, 125}, {&A, BT_CLA_STOCK, 2, 130, 475.0 / 3, 150},
        {&B, BT_CLA_STOCK, 1, 205, 590.0 / 3, 220}, {&B, BT_CLA_STOCK, 2, 205, 1165.0 / 6, 200},
        {&C, BT_CLA_STOCK, 1, 10, 0, 20},           {&C, BT_CLA_STOCK, 2, 10, 0, NAN},
        {&A, BT_CLA_STARTS, 1, 70, 215.0 / 3, 65},  {&A, BT_CLA_STARTS, 2, 70, 230.0 / 3, 80},
        {&B, BT_CLA_STARTS, 1, 120, 180, 110},      {&B, BT_CLA_STARTS, 2, 120, 210, 100},
        {&C, BT_CLA_STARTS, 1, 15, 10, 12},         {&C, BT_CLA_STARTS, 2, 15, 5, 18},
    };
    char what[128];
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        size_t i = case_index(bt, *want[w].gi, 0, want[w].k - 1, want[w].m);
        const char *code = bt->data->geo[bt->geo[*want[w].gi]].code;
        snprintf(what, sizeof what, "%s %s k=%d naive last", code, backtest_measure_name(want[w].m),
                 want[w].k);
        near(bt->last[i], want[w].last, 1e-12, what);
        snprintf(what, sizeof what, "%s %s k=%d naive trend", code,
                 backtest_measure_name(want[w].m), want[w].k);
        near(bt->trend[i], want[w].trend, 1e-12, what);
        if (isnan(want[w].actual))
            assert_true(isnan(bt->actual[i]));
        else
            assert_true(bt->actual[i] == want[w].actual);
        /* the fitted model gives every case of these councils a median */
        assert_false(isnan(bt->quantile[i * BT_NQ + 3]));
    }

    /* Scores: APE = 100 |F - A| / A over the cases with a published value (C's 2021
     * stock is blank: 5 stock cases, 6 starts cases).
     * stock, last:  A1 100*5/125 = 4, A2 100*20/150 = 13.33, B1 100*15/220 = 6.818,
     *               B2 100*5/200 = 2.5, C1 100*10/20 = 50
     *   all: 2.5 4 6.818 13.33 50 -> 6.818 (B1); k=1: 4 6.818 50 -> 6.818;
     *   k=2: 2.5 13.33 -> 7.917
     * stock, trend: A1 100*(55/3)/125 = 14.67, A2 100*(25/3)/150 = 5.556,
     *               B1 100*(70/3)/220 = 10.61, B2 100*(35/6)/200 = 2.917, C1 100
     *   all: 2.917 5.556 10.61 14.67 100 -> 10.61 (B1); k=1: 10.61 14.67 100 -> 14.67;
     *   k=2: 2.917 5.556 -> 4.236
     * starts, last: A1 100*5/65 = 7.692, A2 100*10/80 = 12.5, B1 100*10/110 = 9.091,
     *               B2 100*20/100 = 20, C1 100*3/12 = 25, C2 100*3/18 = 16.67
     *   all: 7.692 9.091 12.5 16.67 20 25 -> (12.5 + 16.67) / 2; k=1: 7.692 9.091 25 ->
     *   9.091; k=2: 12.5 16.67 20 -> 16.67
     * starts, trend: A1 100*(20/3)/65 = 10.26, A2 100*(10/3)/80 = 4.167,
     *               B1 100*70/110 = 63.64, B2 100*110/100 = 110, C1 100*2/12 = 16.67,
     *               C2 100*13/18 = 72.22
     *   all: 4.167 10.26 16.67 63.64 72.22 110 -> (16.67 + 63.64) / 2;
     *   k=1: 10.26 16.67 63.64 -> 16.67; k=2: 4.167 72.22 110 -> 72.22 */
    static const struct {
        int m, h;
        double n, last, trend;
    } score[] = {
        {BT_CLA_STOCK, 0, 5, 100.0 * 15 / 220, 100.0 * (70.0 / 3) / 220},
        {BT_CLA_STOCK, 1, 3, 100.0 * 15 / 220, 100.0 * (55.0 / 3) / 125},
        {BT_CLA_STOCK, 2, 2, (100.0 * 20 / 150 + 100.0 * 5 / 200) / 2,
         (100.0 * (25.0 / 3) / 150 + 100.0 * (35.0 / 6) / 200) / 2},
        {BT_CLA_STARTS, 0, 6, (100.0 * 10 / 80 + 100.0 * 3 / 18) / 2,
         (100.0 * 2 / 12 + 100.0 * 70 / 110) / 2},
        {BT_CLA_STARTS, 1, 3, 100.0 * 10 / 110, 100.0 * 2 / 12},
        {BT_CLA_STARTS, 2, 3, 100.0 * 3 / 18, 100.0 * 13 / 18},
    };
    for (size_t s = 0; s < sizeof score / sizeof score[0]; s++) {
        double out[BT_NSUMMARY];
        backtest_summary(bt, score[s].m, score[s].h, out);
        snprintf(what, sizeof what, "%s h=%d cases", backtest_measure_name(score[s].m), score[s].h);
        near(out[BT_S_N], score[s].n, 0, what);
        snprintf(what, sizeof what, "%s h=%d median APE of the last value",
                 backtest_measure_name(score[s].m), score[s].h);
        near(out[BT_S_APE_LAST], score[s].last, 1e-12, what);
        snprintf(what, sizeof what, "%s h=%d median APE of the linear trend",
                 backtest_measure_name(score[s].m), score[s].h);
        near(out[BT_S_APE_TREND], score[s].trend, 1e-12, what);
    }
    /* no CIN or CP data: nothing scored */
    double out[BT_NSUMMARY];
    backtest_summary(bt, BT_CIN_STOCK, 0, out);
    assert_true(out[BT_S_N] == 0);
    backtest_free(bt);
    aggdata_free(a);
}

/* ---- 3. coverage on synthetic data from the model ------------------------------------- */

#define SYN_COUNCILS 150
#define SYN_FIRST    2005 /* first year written */
#define SYN_LAST     2024
#define SYN_BURN     5 /* years simulated before SYN_FIRST and not written */
#define SYN_SEED     20240331ul

/* The truth: per level (CLA, CIN, CP) a typical entry rate per child a year and exit
 * hazard a year, each council's own level drawn around it; the random-walk variance q and
 * the transient variance eps of the log entry rate and log hazard, and the correlation of
 * the two parameters' steps and of their transients (same for every level). */
static const double syn_rate[AGGMODEL_NLEVELS] = {0.003, 0.05, 0.005};
static const double syn_hazard[AGGMODEL_NLEVELS] = {0.45, 1.0, 1.0};
static const double syn_q[AGGMODEL_NPARAMS] = {0.01, 0.004};
static const double syn_eps[AGGMODEL_NPARAMS] = {0.004, 0.003};
#define SYN_RHO_Q   0.5  /* correlation of the yearly steps of log rate and log hazard */
#define SYN_RHO_EPS -0.4 /* correlation of their transients */
#define SYN_SPREAD  0.2  /* sd of the councils' starting log levels around the typical */

static const char *const syn_stock[AGGMODEL_NLEVELS] = {"cla_at_31_march", "cin_at_31_march",
                                                        "cpp_at_31_march"};
static const char *const syn_starts[AGGMODEL_NLEVELS] = {
    "cla_started_in_year", "cin_episodes_started", "cpp_started_in_year"};

/* Writes the synthetic published data of `councils` councils: each year the log
 * parameters step by N(0, q), the year's parameters are exp(level + N(0, eps)) (the two
 * parameters' steps correlated SYN_RHO_Q, their transients SYN_RHO_EPS), entries
 * are Poisson(rate x population) and the stock at 31 March is Binomial(S, e^-h) +
 * Binomial(N, (1 - e^-h) / h). Population is fixed per council, 20,000-100,000. */
static int write_synthetic(const char *path, int councils, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    FILE *f = fopen(path, "w");
    if (!r || !f) {
        gsl_rng_free(r);
        if (f)
            fclose(f);
        return -1;
    }
    gsl_rng_set(r, seed);
    fprintf(f, "geography,code,year,measure,value\n");
    for (int c = 0; c < councils; c++) {
        int code = 100 + c;
        double pop = floor(gsl_ran_flat(r, 20000, 100000));
        for (int y = SYN_FIRST; y <= SYN_LAST; y++)
            fprintf(f, "Council %d,%d,%d,population_0_17_used_by_dfe,%.0f\n", c, code, y, pop);
        for (int l = 0; l < AGGMODEL_NLEVELS; l++) {
            double level[AGGMODEL_NPARAMS] = {log(syn_rate[l]) + gsl_ran_gaussian(r, SYN_SPREAD),
                                              log(syn_hazard[l]) + gsl_ran_gaussian(r, SYN_SPREAD)};
            /* start near the steady state E / h */
            unsigned s = (unsigned)floor(exp(level[0]) * pop / exp(level[1]) + 0.5);
            for (int y = SYN_FIRST - SYN_BURN; y <= SYN_LAST; y++) {
                double theta[AGGMODEL_NPARAMS], step[AGGMODEL_NPARAMS], noise[AGGMODEL_NPARAMS];
                gsl_ran_bivariate_gaussian(r, sqrt(syn_q[0]), sqrt(syn_q[1]), SYN_RHO_Q, &step[0],
                                           &step[1]);
                gsl_ran_bivariate_gaussian(r, sqrt(syn_eps[0]), sqrt(syn_eps[1]), SYN_RHO_EPS,
                                           &noise[0], &noise[1]);
                for (int p = 0; p < AGGMODEL_NPARAMS; p++) {
                    level[p] += step[p];
                    theta[p] = exp(level[p] + noise[p]);
                }
                double h = theta[1];
                unsigned e = gsl_ran_poisson(r, theta[0] * pop);
                s = gsl_ran_binomial(r, exp(-h), s) + gsl_ran_binomial(r, -expm1(-h) / h, e);
                if (y >= SYN_FIRST) {
                    fprintf(f, "Council %d,%d,%d,%s,%u\n", c, code, y, syn_stock[l], s);
                    fprintf(f, "Council %d,%d,%d,%s,%u\n", c, code, y, syn_starts[l], e);
                }
            }
        }
    }
    gsl_rng_free(r);
    return fclose(f) == 0 ? 0 : -1;
}

static void test_coverage_synthetic(void **state)
{
    (void)state;
    backtest_config cfg = {.first_origin = 2015,
                           .last_origin = 2021,
                           .horizons = 3,
                           .replicates = 400,
                           .threads = 2,
                           .seed = 1,
                           .geography = -1};
    backtest *bt = backtest_compute(syn_data, &cfg);
    assert_non_null(bt);
    assert_int_equal(bt->G, SYN_COUNCILS);
    printf("backtest of %d synthetic councils, origins %d-%d, %d horizons, %d replicates: "
           "%.1f s\n",
           bt->G, cfg.first_origin, cfg.last_origin, cfg.horizons, cfg.replicates, bt->seconds);

    /* pooled variances against the truth */
    static const char *const pname[4] = {"q entry", "eps entry", "q exit", "eps exit"};
    const double truth[4] = {syn_q[0], syn_eps[0], syn_q[1], syn_eps[1]};
    double mean[AGGMODEL_NLEVELS][4] = {{0}};
    printf("pooled variances [origin][level]: q entry, eps entry, q exit, eps exit "
           "(true %.4f %.4f %.4f %.4f)\n",
           truth[0], truth[1], truth[2], truth[3]);
    for (int o = 0; o < bt->O; o++)
        for (int l = 0; l < AGGMODEL_NLEVELS; l++) {
            const double *pv = &bt->pool[((size_t)o * AGGMODEL_NLEVELS + l) * BT_NPOOL];
            printf("  %d %-3s %.5f %.5f %.5f %.5f\n", cfg.first_origin + o,
                   aggmodel_level_name((aggmodel_level)l), pv[0], pv[1], pv[2], pv[3]);
            for (int k = 0; k < 4; k++)
                mean[l][k] += pv[k] / bt->O;
        }
    for (int l = 0; l < AGGMODEL_NLEVELS; l++)
        printf("  mean %-3s %.5f %.5f %.5f %.5f\n", aggmodel_level_name((aggmodel_level)l),
               mean[l][0], mean[l][1], mean[l][2], mean[l][3]);

    /* coverage by measure and horizon */
    printf("%-22s %3s %6s %8s %8s %8s %8s %8s\n", "measure", "h", "cases", "cover50", "cover80",
           "cover90", "bias%", "APE%");
    bool cover_ok = true;
    char failures[4096] = "";
    for (int m = 0; m < BT_NMEASURES; m++)
        for (int h = 1; h <= bt->H + 1; h++) {
            int hh = h <= bt->H ? h : 0;
            double out[BT_NSUMMARY];
            backtest_summary(bt, m, hh, out);
            char hs[16];
            snprintf(hs, sizeof hs, hh ? "%d" : "all", hh);
            printf("%-22s %3s %6.0f %8.1f %8.1f %8.1f %+8.2f %8.2f\n", backtest_measure_name(m), hs,
                   out[BT_S_N], out[BT_S_COVER50], out[BT_S_COVER80], out[BT_S_COVER90],
                   out[BT_S_BIAS], out[BT_S_APE]);
            if (hh)
                continue;
            /* every case is scored: councils x origins x horizons */
            if (out[BT_S_N] != (double)SYN_COUNCILS * bt->O * bt->H)
                fail_msg("%s: %.0f cases scored, expected %d", backtest_measure_name(m),
                         out[BT_S_N], SYN_COUNCILS * bt->O * bt->H);
            static const double nominal[3] = {50, 80, 90};
            for (int c = 0; c < 3; c++) {
                double got = out[BT_S_COVER50 + c];
                if (!(fabs(got - nominal[c]) <= 5)) {
                    cover_ok = false;
                    size_t n = strlen(failures);
                    snprintf(failures + n, sizeof failures - n,
                             "  %s: %.0f%% interval covered %.1f%% of cases\n",
                             backtest_measure_name(m), nominal[c], got);
                }
            }
        }
    fflush(stdout);

    /* q within a factor of 2 of the truth (mean over origins) */
    bool pool_ok = true;
    for (int l = 0; l < AGGMODEL_NLEVELS; l++)
        for (int k = 0; k < 4; k += 2)
            if (!(mean[l][k] >= truth[k] / 2 && mean[l][k] <= truth[k] * 2)) {
                pool_ok = false;
                size_t n = strlen(failures);
                snprintf(failures + n, sizeof failures - n,
                         "  %s %s: pooled %.5f, true %.5f (outside a factor of 2)\n",
                         aggmodel_level_name((aggmodel_level)l), pname[k], mean[l][k], truth[k]);
            }
    /* the correlation of the two parameters' steps within 0.25 of the truth (mean over
     * origins; the pool is estimated again here, as the backtest keeps only variances) */
    for (int l = 0; l < AGGMODEL_NLEVELS; l++) {
        double rho_q = 0, rho_eps = 0, scale[2][3] = {{0}};
        for (int o = cfg.first_origin; o <= cfg.last_origin; o++) {
            aggmodel_pool pool;
            aggmodel_pool_estimate(syn_data, (aggmodel_level)l, o, &pool);
            rho_q += pool.q_cross / sqrt(pool.q[0] * pool.q[1]) / bt->O;
            rho_eps += pool.eps_cross / sqrt(fmax(pool.eps[0] * pool.eps[1], 1e-300)) / bt->O;
            for (int k = 0; k < 3; k++) {
                scale[0][k] += pool.scale[k] / bt->O;
                scale[1][k] += pool.starts_scale[k] / bt->O;
            }
        }
        printf("  mean %-3s correlation of steps %+.3f (true %+.2f), of transients %+.3f "
               "(true %+.2f); learnt width 1-3 years ahead: stock %.2f %.2f %.2f, starts "
               "%.2f %.2f %.2f\n",
               aggmodel_level_name((aggmodel_level)l), rho_q, SYN_RHO_Q, rho_eps, SYN_RHO_EPS,
               scale[0][0], scale[0][1], scale[0][2], scale[1][0], scale[1][1], scale[1][2]);
        if (!(fabs(rho_q - SYN_RHO_Q) <= 0.25)) {
            pool_ok = false;
            size_t n = strlen(failures);
            snprintf(failures + n, sizeof failures - n,
                     "  %s correlation of the steps: pooled %.3f, true %.2f\n",
                     aggmodel_level_name((aggmodel_level)l), rho_q, SYN_RHO_Q);
        }
        /* the model is right here, so the width learnt from earlier origins must leave
         * its spread nearly as drawn */
        for (int m = 0; m < 2; m++)
            for (int k = 0; k < 3; k++)
                if (!(scale[m][k] >= 0.85 && scale[m][k] <= 1.15)) {
                    pool_ok = false;
                    size_t n = strlen(failures);
                    snprintf(failures + n, sizeof failures - n,
                             "  %s %s width %d years ahead: learnt %.3f, expected 0.85-1.15\n",
                             aggmodel_level_name((aggmodel_level)l), m ? "starts" : "stock", k + 1,
                             scale[m][k]);
                }
    }
    backtest_free(bt);
    if (!cover_ok || !pool_ok)
        fail_msg("synthetic data from the model, coverage within 5 points of nominal, q "
                 "within a factor of 2, the steps' correlation within 0.25 and the learnt "
                 "width within 15%% of the model's:\n%s",
                 failures);
}

/* ---- 4. threads ----------------------------------------------------------------------- */

static void test_threads_identical(void **state)
{
    (void)state;
    backtest_config cfg = {.first_origin = 2019,
                           .last_origin = 2020,
                           .horizons = 3,
                           .replicates = 60,
                           .threads = 1,
                           .seed = 5,
                           .geography = -1};
    /* --threads also sets the threads of the pooled calibration's draws, which run
     * outside the councils' loop; the default is left as it was. */
    int threads = omp_get_max_threads();
    backtest *one = backtest_compute(syn_data, &cfg);
    assert_int_equal(omp_get_max_threads(), threads);
    cfg.threads = 2;
    backtest *two = backtest_compute(syn_data, &cfg);
    assert_non_null(one);
    assert_non_null(two);
    assert_int_equal(one->G, two->G);
    size_t cases = (size_t)one->G * one->O * one->H * BT_NMEASURES;
    assert_memory_equal(one->quantile, two->quantile, cases * BT_NQ * sizeof(double));
    assert_memory_equal(one->mean, two->mean, cases * sizeof(double));
    assert_memory_equal(one->params, two->params,
                        (size_t)one->G * one->O * AGGMODEL_NLEVELS * BT_NPARAMS * sizeof(double));
    assert_memory_equal(one->projection, two->projection,
                        (size_t)one->O * AGGMODEL_NLEVELS * 4 * AGGMODEL_MAX_AHEAD * sizeof(double));
    /* the quantiles are real draws, not all missing */
    size_t finite = 0;
    for (size_t i = 0; i < cases * BT_NQ; i++)
        finite += isfinite(one->quantile[i]);
    assert_true(finite == cases * BT_NQ);
    backtest_free(one);
    backtest_free(two);
}

/* ---- 5. the command ------------------------------------------------------------------- */

static void expect_status(int want)
{
    if (R.status != want)
        fail_msg("exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s", R.status, want, R.out,
                 R.err);
}

static void expect_err(const char *needle)
{
    if (!strstr(R.err, needle))
        fail_msg("stderr does not contain \"%s\":\n%s", needle, R.err);
}

static void expect_absent(const char *path)
{
    if (exists(path))
        fail_msg("%s exists after a failed command\nstderr:\n%s", path, R.err);
}

static void test_cli_bad_value(void **state)
{
    (void)state;
    char data[4200], out[4200], csv[4200], want[4400];
    write_tmp(data, sizeof data, "bad-value.csv",
              "geography,code,year,measure,value\n"
              "Aville,901,2016,cla_at_31_march,95\n"
              "Aville,901,2017,cla_at_31_march,1O0\n" /* line 3: letter O */
              "Aville,901,2018,cla_at_31_march,110\n");
    snprintf(out, sizeof out, "%s/bad-value.h5", W.dir);
    snprintf(csv, sizeof csv, "%s/bad-value.csv.out", W.dir);
    workdir_carecast(&W, &R, "backtest", data, "--out", out, "--csv", csv, "--replicates", "20", "--threads", "1",
             NULL);
    expect_status(2);
    snprintf(want, sizeof want, "%s:3:", data);
    expect_err(want);
    expect_err("1O0");
    expect_absent(out);
    expect_absent(csv);
}

static void test_cli_existing_out(void **state)
{
    (void)state;
    char out[4200], csv[4200];
    static const char keep[] = "not a backtest file; must survive\n";
    write_tmp(out, sizeof out, "existing.h5", keep);
    snprintf(csv, sizeof csv, "%s/existing.csv", W.dir);
    workdir_carecast(&W, &R, "backtest", tiny, "--out", out, "--origins", "2019:2019", "--horizons", "2",
             "--replicates", "20", "--threads", "1", NULL);
    expect_status(2);
    expect_err(out);
    char buf[256] = "";
    FILE *f = fopen(out, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, keep);
    expect_absent(csv); /* the summary next to it was not written either */
}

static void test_cli_unknown_geography(void **state)
{
    (void)state;
    char out[4200];
    snprintf(out, sizeof out, "%s/nowhere.h5", W.dir);
    workdir_carecast(&W, &R, "backtest", tiny, "--out", out, "--origins", "2019:2019", "--horizons", "2",
             "--replicates", "20", "--threads", "1", "--geography", "Nowhere", NULL);
    expect_status(2);
    expect_err("Nowhere");
    expect_absent(out);
}

static void test_cli_reversed_origins(void **state)
{
    (void)state;
    char out[4200];
    snprintf(out, sizeof out, "%s/reversed.h5", W.dir);
    workdir_carecast(&W, &R, "backtest", tiny, "--out", out, "--origins", "2021:2017", "--replicates", "20",
             "--threads", "1", NULL);
    expect_status(2);
    expect_err("2021:2017");
    expect_absent(out);
}

/* A good run through the command, so the failures above are failures of the checks they
 * name and not of a command that never works. */
static void test_cli_good_run(void **state)
{
    (void)state;
    char out[4200], csv[4200];
    snprintf(out, sizeof out, "%s/good.h5", W.dir);
    snprintf(csv, sizeof csv, "%s/good.csv", W.dir);
    workdir_carecast(&W, &R, "backtest", tiny, "--out", out, "--origins", "2019:2019", "--horizons", "2",
             "--replicates", "20", "--threads", "1", NULL);
    expect_status(0);
    assert_true(exists(out));
    assert_true(exists(csv));
}

/* ---- setup ---------------------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    if (workdir_make(&W, "backtest", true) != 0)
        return -1;
    snprintf(tiny, sizeof tiny, "%s/tiny.csv", W.dir);
    snprintf(syn, sizeof syn, "%s/synthetic.csv", W.dir);
    FILE *f = fopen(tiny, "w");
    if (!f || fputs(TINY, f) < 0 || fclose(f) != 0)
        return -1;
    if (write_synthetic(syn, SYN_COUNCILS, SYN_SEED) != 0)
        return -1;
    syn_data = aggdata_alloc();
    problems *p = problems_alloc(20);
    aggdata_read(syn_data, syn, p);
    long errors = problems_errors(p);
    if (errors)
        problems_print(p, stderr);
    problems_free(p);
    return errors ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    aggdata_free(syn_data);
    return workdir_remove(&W);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_hazard),           cmocka_unit_test(test_naive_forecasts),
        cmocka_unit_test(test_coverage_synthetic),    cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_cli_bad_value),         cmocka_unit_test(test_cli_existing_out),
        cmocka_unit_test(test_cli_unknown_geography), cmocka_unit_test(test_cli_reversed_origins),
        cmocka_unit_test(test_cli_good_run),
    };
    return cmocka_run_group_tests_name("aggregate model and backtest", tests, setup, teardown);
}
