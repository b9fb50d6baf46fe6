/* test_btrecords.c -- the backtest on a council's own records (engine/btrecords.c).
 *
 * Build and run one program from the repository root:
 *   make carecast build/tests/test_btrecords && build/tests/test_btrecords
 *
 * Where the expected values come from:
 *  1. observed values: eight children written here, whose state on each 31 March and
 *     starts in care each year are worked by hand in the comments of HAND; the naive
 *     forecasts of one case are worked by hand too.
 *  2. no peeking: the synthetic council, and a copy of it as a council would have had
 *     it a year later (children arriving after 31 March 2021 removed, everything after
 *     31 March 2022 cut, the population from mid-2021 on doubled). Forecasts from the
 *     2020 and 2021 origins must be identical, bit for bit; only outcomes may differ.
 *  3. coverage: on four synthetic councils (synth seeds 1-4, true model known and the
 *     fitted model's form correct), the 50%, 80% and 90% intervals cover the outcomes of
 *     every measure, origin and horizon within 8 points of nominal, pooled.
 *  4. the peer model's SSDA903 sample (tests/fixtures/ssda903-d2i): from the 2020 origin
 *     with a one-year window, as the peer was run, the outcomes equal the peer's own
 *     observed counts (140 in care on 31 March 2021, 86 in 2022), the observed values
 *     lie in carecast's 90% interval, and carecast's median is nearer than the last
 *     value; carecast's and the peer's errors are printed side by side.
 *  5. 1 and 2 threads give identical forecasts.
 *  6. the command: records and published data together, an origin outside the records,
 *     a records-only option without records, all exit 2 naming what is wrong and write
 *     nothing; a good run writes the file, the summary and the charts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backtest.h"
#include "btrecords.h"
#include "date.h"
#include "fit.h"
#include "h5io.h"
#include "synth.h"
#include "support/command.h"
#include "support/workdir.h"

static workdir W;     /* the binary, the source folder and a temporary folder */
static workdir_run R; /* the last run of the binary */

/* ---- helpers -------------------------------------------------------------------------- */

static const char *path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", W.dir, name);
    return buf;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Reads records and backtests them in memory; fails the test on any error. */
static backtest *run_records(const char *episodes, const char *ssda903, const char *population,
                             const char *extract, int first, int last, int horizons, int window,
                             int replicates, int threads)
{
    int day = INT32_MIN;
    if (extract)
        assert_true(date_parse(extract, &day));
    fit_inputs in = {episodes, ssda903, population, NULL, day};
    cc_err err = {{0}, 0};
    int status;
    model *rec = fit_read_records(&in, "test", &err, &status);
    if (!rec)
        fail_msg("reading the records: %s", err.msg);
    backtest_config cfg = {.first_origin = first, .last_origin = last, .horizons = horizons,
                           .replicates = replicates, .threads = threads, .seed = 7,
                           .geography = -1, .window_years = window};
    const char *inputs[1] = {episodes ? episodes : ssda903};
    backtest *bt = btrecords_compute(rec, &cfg, "test", inputs, 1, &err, &status);
    model_free(rec);
    if (!bt)
        fail_msg("backtest: %s", err.msg);
    return bt;
}

static int measure(const backtest *bt, const char *name)
{
    for (int m = 0; m < bt->M; m++)
        if (!strcmp(bt->measure[m], name))
            return m;
    fail_msg("no measure %s", name);
    return -1;
}

/* The history value of measure `name` on 31 March of `year`. */
static double history(const backtest *bt, const char *name, int year)
{
    int m = measure(bt, name), y = year - bt->years[0];
    assert_true(y >= 0 && y < bt->Y);
    return bt->history[(size_t)m * bt->Y + y];
}

static void same(double got, double want, const char *what, int year)
{
    if (!(isnan(want) ? isnan(got) : fabs(got - want) < 1e-9))
        fail_msg("%s %d: %g, expected %g", what, year, got, want);
}

/* ---- 1. observed values ----------------------------------------------------------------- */

/* Eight children. The earliest episode end (A, 2017-06-30) is where the records become
 * complete, so the 31 March years run 2018-2022 and the starts of a year count from
 * 2019 (the first year to 31 March wholly after 2017-06-30).
 *   A  foster until 2017-06-30: no 31 March in the records.
 *   B  CIN 2017-09-01, foster 2018-05-01 (a start, year 2019), residential 2019-08-01
 *      (a move within care, not a start), open: CIN 2018, FOS 2019, RES 2020-2022.
 *   C  kinship 2018-01-10 to 2019-02-01, again 2020-06-01 (a start, year 2021) to
 *      2021-04-01: KIN 2018 and 2021.
 *   D  REF 2019-03-01, CP 2019-03-20, placed for adoption 2020-02-01 (a start, year 2020)
 *      to 2021-01-01: CP 2019, ADO 2020; REF on no 31 March.
 *   E  supported 2019-10-01 (a start, year 2020), open: SUP 2020-2022.
 *   F  foster 2017-03-01 (a start of year 2017, before the records), 18 on 2021-01-10,
 *      care leaver since: FOS 2018-2020, CL 2021-2022.
 *   G  CIN 2018-06-01 to 2020-06-01: CIN 2019, 2020.
 *   H  CP 2021-05-01, open: CP 2022.
 * Looked after on 31 March: 2018 C F = 2; 2019 B F = 2; 2020 B D E F = 4; 2021 B C E = 3;
 * 2022 B E = 2. Starts: 2019 B = 1; 2020 D E = 2; 2021 C = 1; 2022 none = 0. */
static const char HAND[] =
    "child_id,date_of_birth,state,start_date,end_date,end_reason\n"
    "A,2010-01-01,CLA_FOS,2016-05-01,2017-06-30,returned_home\n"
    "B,2008-01-01,CIN,2017-09-01,2018-05-01,moved\n"
    "B,2008-01-01,CLA_FOS,2018-05-01,2019-08-01,moved\n"
    "B,2008-01-01,CLA_RES,2019-08-01,,\n"
    "C,2012-03-03,CLA_KIN,2018-01-10,2019-02-01,returned_home\n"
    "C,2012-03-03,CLA_KIN,2020-06-01,2021-04-01,returned_home\n"
    "D,2015-05-05,REF,2019-03-01,2019-03-20,moved\n"
    "D,2015-05-05,CP,2019-03-20,2020-02-01,moved\n"
    "D,2015-05-05,CLA_ADO,2020-02-01,2021-01-01,adopted\n"
    "E,2004-06-01,CLA_SUP,2019-10-01,,\n"
    "F,2003-01-10,CLA_FOS,2017-03-01,2021-01-10,aged_out\n"
    "F,2003-01-10,CL,2021-01-10,,\n"
    "G,2011-07-07,CIN,2018-06-01,2020-06-01,case_closed\n"
    "H,2014-02-02,CP,2021-05-01,,\n";

static void test_observed_by_hand(void **state)
{
    (void)state;
    char path[4200];
    FILE *f = fopen(path_in(path, sizeof path, "hand.csv"), "w");
    assert_non_null(f);
    fputs(HAND, f);
    fclose(f);
    backtest *bt = run_records(path, NULL, NULL, "2022-03-31", 2019, 2020, 2, 1, 50, 1);
    assert_int_equal(bt->years[0], 2018);
    assert_int_equal(bt->Y, 5);
    /* states without an episode (CLA_PWP, CLA_OTH) are not scored */
    assert_int_equal(bt->M, 11);
    static const struct {
        const char *name;
        double v[5]; /* 2018 .. 2022 */
    } want[] = {
        {"ref_at_31_march", {0, 0, 0, 0, 0}},     {"cin_at_31_march", {1, 1, 1, 0, 0}},
        {"cp_at_31_march", {0, 1, 0, 0, 1}},      {"cla_at_31_march", {2, 2, 4, 3, 2}},
        {"cla_started_in_year", {NAN, 1, 2, 1, 0}}, {"cla_kin_at_31_march", {1, 0, 0, 1, 0}},
        {"cla_fos_at_31_march", {1, 2, 1, 0, 0}}, {"cla_res_at_31_march", {0, 0, 1, 1, 1}},
        {"cla_sup_at_31_march", {0, 0, 1, 1, 1}}, {"cla_ado_at_31_march", {0, 0, 1, 0, 0}},
        {"cl_at_31_march", {0, 0, 0, 1, 1}},
    };
    for (size_t k = 0; k < sizeof want / sizeof want[0]; k++)
        for (int y = 0; y < 5; y++)
            same(history(bt, want[k].name, 2018 + y), want[k].v[y], want[k].name, 2018 + y);
    /* Origin 2020, one year on: the outcome is 2021's value; the last value is 2020's;
     * the line through (2018, 2), (2019, 2), (2020, 4) has slope 1 and passes 8/3 + 1 at
     * 2020, so 14/3 at 2021. Two years on: 2022's value, and 17/3. */
    int cla = measure(bt, "cla_at_31_march");
    size_t i1 = backtest_case(bt, 0, 1, 0, cla), i2 = backtest_case(bt, 0, 1, 1, cla);
    same(bt->actual[i1], 3, "actual CLA from 2020, 1 year on", 2021);
    same(bt->last[i1], 4, "last value from 2020", 2021);
    same(bt->trend[i1], 14.0 / 3, "trend from 2020", 2021);
    same(bt->actual[i2], 2, "actual CLA from 2020, 2 years on", 2022);
    same(bt->trend[i2], 17.0 / 3, "trend from 2020", 2022);
    /* Starts from 2019: no 2017 value (before the records), so the line uses 2018 (NaN:
     * incomplete) and 2019 only -- one point, no line. */
    int st = measure(bt, "cla_started_in_year");
    size_t s0 = backtest_case(bt, 0, 0, 0, st);
    same(bt->actual[s0], 2, "starts from 2019, 1 year on", 2020);
    same(bt->last[s0], 1, "starts last value from 2019", 2020);
    assert_true(isnan(bt->trend[s0]));
    /* the forecasts exist and are ordered */
    const double *q = &bt->quantile[i1 * BT_NQ];
    for (int k = 1; k < BT_NQ; k++)
        assert_true(q[k - 1] <= q[k]);
    backtest_free(bt);
}

/* ---- 2. no peeking ---------------------------------------------------------------------- */

/* Copies the synthetic council's episodes as they would have been extracted on
 * 2022-03-31, without the children whose first episode starts after 2021-03-31. */
static void cut_copy(const char *src, const char *dst)
{
    FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
    assert_non_null(in);
    assert_non_null(out);
    char line[1024], late[64] = "", child[64] = "";
    int n = 0;
    while (fgets(line, sizeof line, in)) {
        if (n++ == 0) {
            fputs(line, out);
            continue;
        }
        /* child_id,date_of_birth,state,start_date,end_date,end_reason */
        char copy[1024], *field[6] = {0};
        snprintf(copy, sizeof copy, "%s", line);
        char *p = copy;
        for (int k = 0; k < 6 && p; k++) {
            field[k] = p;
            p = strchr(p, ',');
            if (p)
                *p++ = '\0';
        }
        assert_non_null(field[4]);
        bool first = strcmp(child, field[0]) != 0;
        snprintf(child, sizeof child, "%s", field[0]);
        if (first)
            snprintf(late, sizeof late, "%s", strcmp(field[3], "2021-03-31") > 0 ? field[0] : "");
        if (!strcmp(late, field[0]) || strcmp(field[3], "2022-03-31") > 0)
            continue;
        if (*field[4] && strcmp(field[4], "2022-03-31") > 0) /* open at the extract */
            fprintf(out, "%s,%s,%s,%s,,\n", field[0], field[1], field[2], field[3]);
        else
            fputs(line, out);
    }
    fclose(in);
    fclose(out);
}

/* The population with every year from 2021 on doubled. */
static void population_copy(const char *src, const char *dst)
{
    FILE *in = fopen(src, "r"), *out = fopen(dst, "w");
    assert_non_null(in);
    assert_non_null(out);
    char line[256];
    int year, age;
    double children;
    while (fgets(line, sizeof line, in))
        if (sscanf(line, "%d,%d,%lf", &year, &age, &children) == 3 && year >= 2021)
            fprintf(out, "%d,%d,%.1f\n", year, age, 2 * children);
        else
            fputs(line, out);
    fclose(in);
    fclose(out);
}

static void synth_council(int seed, char *dir, size_t size)
{
    snprintf(dir, size, "%s/synth%d", W.dir, seed);
    char s[16];
    snprintf(s, sizeof s, "%d", seed);
    char *argv[] = {"synth", "--out", dir, "--seed", s, "--force", NULL};
    assert_int_equal(command_run(synth_main, argv), CC_OK);
}

static void test_no_peeking(void **state)
{
    (void)state;
    char dir[4200], eps[4300], pop[4300], eps2[4300], pop2[4300];
    synth_council(1, dir, sizeof dir);
    snprintf(eps, sizeof eps, "%s/episodes.csv", dir);
    snprintf(pop, sizeof pop, "%s/population.csv", dir);
    path_in(eps2, sizeof eps2, "episodes-2022.csv");
    path_in(pop2, sizeof pop2, "population-doubled.csv");
    cut_copy(eps, eps2);
    population_copy(pop, pop2);
    backtest *full = run_records(eps, NULL, pop, NULL, 2020, 2021, 1, 3, 100, 2);
    backtest *cut = run_records(eps2, NULL, pop2, "2022-03-31", 2020, 2021, 1, 3, 100, 2);
    assert_int_equal(full->M, cut->M);
    size_t n = (size_t)full->O * full->H * full->M;
    assert_memory_equal(full->quantile, cut->quantile, n * BT_NQ * sizeof(double));
    assert_memory_equal(full->mean, cut->mean, n * sizeof(double));
    /* what happened later did differ: the outcomes of 2022 are not those of the full
     * records for the starts (the late arrivals are gone) */
    int st = measure(full, "cla_started_in_year");
    size_t i = backtest_case(full, 0, 1, 0, st);
    fprintf(stderr, "  starts in care 2021-22: full records %.0f, records cut %.0f\n",
            full->actual[i], cut->actual[i]);
    assert_true(full->actual[i] != cut->actual[i]);
    backtest_free(full);
    backtest_free(cut);
}

/* ---- 3. coverage on synthetic councils ---------------------------------------------- */

static void test_coverage_synthetic(void **state)
{
    (void)state;
    long n = 0, cover[3] = {0, 0, 0};
    for (int seed = 1; seed <= 4; seed++) {
        char dir[4200], eps[4300], pop[4300];
        synth_council(seed, dir, sizeof dir);
        snprintf(eps, sizeof eps, "%s/episodes.csv", dir);
        snprintf(pop, sizeof pop, "%s/population.csv", dir);
        /* origins 2019-2024 (the records run 2015-04-01 to 2025-03-31), 3 years ahead */
        backtest *bt = run_records(eps, NULL, pop, NULL, 2019, 2024, 3, 3, 200, 2);
        for (size_t i = 0; i < (size_t)bt->O * bt->H * bt->M; i++) {
            const double *q = &bt->quantile[i * BT_NQ];
            double a = bt->actual[i];
            if (!(a > 0))
                continue;
            n++;
            cover[0] += q[2] <= a && a <= q[4];
            cover[1] += q[1] <= a && a <= q[5];
            cover[2] += q[0] <= a && a <= q[6];
        }
        backtest_free(bt);
    }
    static const double nominal[3] = {50, 80, 90};
    for (int k = 0; k < 3; k++) {
        double pct = 100.0 * cover[k] / n;
        fprintf(stderr, "  %2.0f%% intervals covered %.1f%% of %ld outcomes\n", nominal[k], pct,
                n);
        assert_true(fabs(pct - nominal[k]) <= 8);
    }
    assert_true(n > 600);
}

/* ---- 4. the peer's SSDA903 sample ----------------------------------------------------- */

static void test_peer_sample(void **state)
{
    (void)state;
    char dir[8300];
    snprintf(dir, sizeof dir, "%s/tests/fixtures/ssda903-d2i", W.home);
    backtest *bt = run_records(NULL, dir, NULL, NULL, 2020, 2020, 2, 1, 1000, 2);
    int cla = measure(bt, "cla_at_31_march");
    static const char *obs_day[2] = {"2021-03-31", "2022-03-27"};
    static const char *fc_day[2] = {"2021-03-31", "2022-03-31"};
    for (int h = 0; h < 2; h++) {
        size_t i = backtest_case(bt, 0, 0, h, cla);
        const double *q = &bt->quantile[i * BT_NQ];
        double obs = workdir_peer_value(W.home, "d2i_observed_stock_by_category.csv", obs_day[h], 5);
        double peer = workdir_peer_value(
            W.home, "d2i_forecast_daily_by_category_ref2019-20_start2020-04-01.csv", fc_day[h], 5);
        double a = bt->actual[i];
        fprintf(stderr,
                "  in care 31 March %d: observed %.0f; carecast median %.0f (P5-P95 %.0f-%.0f, "
                "APE %.1f%%), peer %.1f (APE %.1f%%), last value %.0f (APE %.1f%%)\n",
                2021 + h, a, q[3], q[0], q[6], 100 * fabs(q[3] - a) / a, peer,
                100 * fabs(peer - a) / a, bt->last[i], 100 * fabs(bt->last[i] - a) / a);
        assert_true(a == obs);
        assert_true(q[0] <= a && a <= q[6]);
        assert_true(fabs(q[3] - a) < fabs(bt->last[i] - a));
    }
    backtest_free(bt);
}

/* ---- 5. threads ------------------------------------------------------------------------- */

static void test_threads_identical(void **state)
{
    (void)state;
    char dir[4200], eps[4300], pop[4300];
    snprintf(dir, sizeof dir, "%s/synth1", W.dir);
    snprintf(eps, sizeof eps, "%s/episodes.csv", dir);
    snprintf(pop, sizeof pop, "%s/population.csv", dir);
    if (!exists(eps))
        synth_council(1, dir, sizeof dir);
    backtest *one = run_records(eps, NULL, pop, NULL, 2022, 2022, 2, 3, 60, 1);
    backtest *two = run_records(eps, NULL, pop, NULL, 2022, 2022, 2, 3, 60, 2);
    size_t n = (size_t)one->O * one->H * one->M;
    assert_memory_equal(one->quantile, two->quantile, n * BT_NQ * sizeof(double));
    assert_memory_equal(one->mean, two->mean, n * sizeof(double));
    backtest_free(one);
    backtest_free(two);
}

/* ---- 6. the command ------------------------------------------------------------------- */

static void expect(int status, const char *needle, const char *absent)
{
    if (R.status != status)
        fail_msg("exit status %d, expected %d\nstderr:\n%s", R.status, status, R.err);
    if (needle && !strstr(R.err, needle))
        fail_msg("stderr does not contain \"%s\":\n%s", needle, R.err);
    if (absent && exists(absent))
        fail_msg("%s exists after a failed command", absent);
}

static void test_cli(void **state)
{
    (void)state;
    char hand[4200], out[4200], csv[4200], plots[4200], chart[4400];
    path_in(hand, sizeof hand, "hand.csv");
    path_in(out, sizeof out, "cli.h5");
    path_in(csv, sizeof csv, "cli.csv");
    if (!exists(hand)) {
        FILE *f = fopen(hand, "w");
        assert_non_null(f);
        fputs(HAND, f);
        fclose(f);
    }
    /* records and published data together */
    workdir_carecast(&W, &R, "backtest", "somewhere.csv", "--episodes", hand, "--out", out, NULL);
    expect(2, "not both", out);
    /* an origin the records cannot support: they run 2017-06-30 to 2022-03-31 */
    workdir_carecast(&W, &R, "backtest", "--episodes", hand, "--extract", "2022-03-31", "--origins", "2016:2020",
             "--out", out, "--replicates", "20", NULL);
    expect(2, "2017-06-30", out);
    expect(2, "2022-03-31", out);
    assert_false(exists(csv));
    /* a records-only option without records */
    workdir_carecast(&W, &R, "backtest", "data.csv", "--window-years", "2", "--out", out, NULL);
    expect(2, "--window-years", out);
    /* a good run, then its charts, labelled as observed records */
    workdir_carecast(&W, &R, "backtest", "--episodes", hand, "--extract", "2022-03-31", "--out", out,
             "--replicates", "20", "--threads", "1", "--name", "Hand council", NULL);
    expect(0, "1 geography x 1 origins", NULL);
    assert_true(exists(out) && exists(csv));
    assert_non_null(strstr(R.out, "cla_at_31_march"));
    /* an existing output is kept without --force */
    workdir_carecast(&W, &R, "backtest", "--episodes", hand, "--extract", "2022-03-31", "--out", out,
             "--replicates", "20", NULL);
    expect(2, "--force", NULL);
    /* the layout README.md documents */
    cc_err err = {{0}, 0};
    int status;
    hid_t id = h5io_open(out, &err, &status);
    assert_true(id >= 0);
    static const char *sets[] = {"actual", "quantiles", "mean", "naive_last_value",
                                 "naive_linear_trend", "la_codes", "geographies", "measures",
                                 "measure_titles", "origins", "horizons", "history",
                                 "history_years", "summary", "inputs", "models",
                                 "models/2021", "models/2021/hazards",
                                 "models/2021/hazards/events", "models/2021/definition"};
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++)
        if (H5Lexists(id, sets[k], H5P_DEFAULT) <= 0)
            fail_msg("%s has no %s", out, sets[k]);
    char text[64] = "";
    long long version = 0;
    assert_true(h5io_get_text(id, "format", text, sizeof text));
    assert_string_equal(text, "carecast-backtest");
    assert_true(h5io_get_long(id, "format_version", &version));
    assert_int_equal(version, 2);
    assert_true(h5io_get_text(id, "source", text, sizeof text));
    assert_string_equal(text, "records");
    H5Fclose(id);
    path_in(plots, sizeof plots, "plots");
    workdir_carecast(&W, &R, "plot", out, "--out", plots, NULL);
    expect(0, NULL, NULL);
    snprintf(chart, sizeof chart, "%s/backtest_hand_council_cla_at_31_march.png", plots);
    assert_true(exists(chart));
    snprintf(chart, sizeof chart, "%s/backtest_errors_cla_at_31_march.png", plots);
    assert_true(exists(chart));
}

/* ---- setup ---------------------------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    h5io_init();
    return workdir_make(&W, "btrecords", true);
}

static int teardown(void **state)
{
    (void)state;
    return workdir_remove(&W);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_observed_by_hand), cmocka_unit_test(test_no_peeking),
        cmocka_unit_test(test_coverage_synthetic), cmocka_unit_test(test_peer_sample),
        cmocka_unit_test(test_threads_identical), cmocka_unit_test(test_cli),
    };
    return cmocka_run_group_tests_name("backtest on a council's records", tests, setup, teardown);
}
