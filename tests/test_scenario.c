/* test_scenario.c -- scenario files and what they do to a run.
 *
 * The model is fitted, as in the demo, from the synthetic council of `synth --seed 1`
 * (window 2018-04-01..2025-03-31), so runs draw their parameters per replicate. Checks:
 *  - reading: inheritance (keys override by section, the name is never inherited), the
 *    parameter dump, every problem of a file reported at once with file:line and the
 *    nearest key; the ramp and entry factors against values worked by hand;
 *  - a scenario whose levers are all neutral gives per-replicate arrays identical, byte
 *    for byte, to the baseline's;
 *  - common random numbers: for entries x 0.9 the standard deviation of the
 *    per-replicate difference is far smaller than that of two independent runs;
 *  - a multiplier of 0 removes a transition in every replicate; an entry ramp gives the
 *    expected arrivals of the hand-worked formula month by month, and the simulated
 *    arrivals follow; fixed extra arrivals add exactly their monthly counts in every
 *    replicate; a support age of 21 ends every care-leaver stay by the 21st birthday;
 *  - the shipped edge-of-care scenario lowers starts in care at ages 10-17 on the demo,
 *    with the 90% interval of the difference at 24 months below 0;
 *  - the shipped high-turnover scenario raises caseload per FTE at 12 and 24 months on
 *    the demo (P5 of the per-replicate difference above 0) while its children, and so
 *    its weighted cases, are the baseline's; workforce arrays are the same on 1 and 2
 *    threads.
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
#include <unistd.h>

#include "date.h"
#include "fit.h"
#include "h5io.h"
#include "model.h"
#include "problems.h"
#include "run.h"
#include "scenario.h"
#include "sim.h"
#include "synth.h"
#include "support/command.h"
#include "support/demo_fixture.h"

static demo_fixture fx;
static const char *dir, *fitted; /* fx's folder and fitted model file */
static char home[512];
static model *fm; /* the fitted model */
static int start; /* 2025-04-01 */

static int setup(void **unused)
{
    (void)unused;
    if (demo_fixture_make(&fx, "scenario") != 0)
        return -1;
    snprintf(home, sizeof home, "%s", getenv("CARECAST_HOME") ? getenv("CARECAST_HOME") : ".");
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

/* Reads a scenario expecting failure; returns the printed problems (malloc'd) and the
 * number of errors. */
static char *read_bad(const char *path, long *errors)
{
    problems *p = problems_alloc(20);
    scenario *sc = scenario_read(path, fm, start, p);
    assert_null(sc);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    problems_print(p, f);
    fclose(f);
    *errors = problems_errors(p);
    problems_free(p);
    return text;
}

static int state(const char *name)
{
    int i = modeldef_state_index(fm->def, name);
    assert_true(i >= 0);
    return i;
}

/* ---- reading ------------------------------------------------------------------------ */

static void test_inheritance(void **unused)
{
    (void)unused;
    demo_fixture_write(&fx, "base.ini",
                       "name = base-name\ndescription = the base\n"
                       "[entries.eh]\nmultiplier = 0.5\nstates = REF\n"
                       "[hazard.x]\nfrom = CP\nto = CLA\nmultiplier = 0.7\n");
    const char *child = demo_fixture_write(&fx, "child.ini",
                                           "base = base.ini\n"
                                           "[entries.eh]\nmultiplier = 0.8\n"
                                           "[extra.u]\nstate = CLA_SUP\nages = 16-17\n"
                                           "per_month = 2\n");
    scenario *sc = demo_fixture_read_ok(&fx, child);
    assert_string_equal(sc->name, "child"); /* the base's name is not inherited */
    assert_string_equal(sc->description, "");
    assert_int_equal(sc->nentries, 1);
    assert_true(sc->entries[0].multiplier == 0.8);
    for (int s = 0; s < fm->def->nstates; s++)
        assert_int_equal(sc->entries[0].state[s], s == state("REF"));
    assert_int_equal(sc->nhazards, 1);
    assert_true(sc->hazards[0].multiplier == 0.7);
    int T = modeldef_ntargets(fm->def), cla = 0;
    for (int t = 0; t < T; t++) {
        bool want = t < fm->def->nstates && fm->def->states[t].looked_after;
        assert_int_equal(sc->hazards[0].target[t], want);
        cla += want;
    }
    assert_int_equal(cla, 7);
    assert_int_equal(sc->nextra, 1);
    assert_int_equal(sc->extra[0].age_lo, 16);
    assert_int_equal(sc->extra[0].age_hi, 17);
    assert_int_equal(sc->extra[0].state, state("CLA_SUP"));
    assert_int_equal(sc->hazards[0].when.start, start); /* default: the run's start */
    /* the dump says where every value came from */
    assert_non_null(strstr(sc->parameters, "multiplier = 0.8    ; "));
    assert_non_null(strstr(sc->parameters, "child.ini:3"));
    assert_non_null(strstr(sc->parameters, "base.ini:7"));
    assert_non_null(strstr(sc->parameters, "ramp_months = 0    ; default"));
    scenario_free(sc);
}

static void test_problems_at_once(void **unused)
{
    (void)unused;
    const char *bad = demo_fixture_write(&fx, "bad.ini",
                                         "descriptoin = typo\n"     /* 1 */
                                         "[hazard.e]\n"             /* 2 */
                                         "from = CP\n"              /* 3 */
                                         "to = CLA_FOST\n"          /* 4 */
                                         "ages = 12-17\n"           /* 5 */
                                         "multipler = 0.8\n"        /* 6 */
                                         "from = CIN\n"             /* 7 */
                                         "[entries]\n"              /* 8 */
                                         "multiplier = -1\n"        /* 9 */
                                         "start = 2025-13-01\n"     /* 10 */
                                         "[hazrd.x]\nfrom = CP\n"); /* 11 */
    long errors = 0;
    char *text = read_bad(bad, &errors);
    assert_int_equal(errors, 8);
    const char *want[] = {"bad.ini:1:",
                          "did you mean 'description'",
                          "bad.ini:4:",
                          "did you mean 'CLA_FOS'",
                          "bad.ini:5:",
                          "cuts the model's age band 10-16",
                          "bad.ini:6:",
                          "did you mean 'multiplier'",
                          "bad.ini:7:",
                          "duplicate key 'from'",
                          "first set on line 3",
                          "bad.ini:9:",
                          "expected a number from 0 to 100",
                          "bad.ini:10:",
                          "expected a date",
                          "bad.ini:11:",
                          "did you mean [hazard]"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(text, want[i]))
            fail_msg("'%s' missing from:\n%s", want[i], text);
    free(text);
    /* a loop in the base chain, and a required key missing */
    demo_fixture_write(&fx, "loop-a.ini", "base = loop-b.ini\n");
    const char *b = demo_fixture_write(&fx, "loop-b.ini", "base = loop-a.ini\n");
    text = read_bad(b, &errors);
    assert_non_null(strstr(text, "a loop"));
    free(text);
    text = read_bad(demo_fixture_write(&fx, "missing.ini", "[hazard]\nto = CLA\n"), &errors);
    assert_non_null(strstr(text, "missing.ini:1:"));
    assert_non_null(strstr(text, "needs 'from'"));
    free(text);
}

/* Ramp shares and entry factors worked by hand. */
static void test_fraction_and_factor(void **unused)
{
    (void)unused;
    scn_when w = {date_from_ymd(2025, 4, 1), date_from_ymd(2026, 4, 1), 6};
    assert_true(scenario_fraction(&w, date_from_ymd(2025, 3, 31) + 0.5) == 0);
    assert_true(scenario_fraction(&w, date_from_ymd(2025, 4, 1)) == 1.0 / 6);
    assert_true(scenario_fraction(&w, date_from_ymd(2025, 4, 30) + 0.9) == 1.0 / 6);
    assert_true(scenario_fraction(&w, date_from_ymd(2025, 5, 1)) == 2.0 / 6);
    assert_true(scenario_fraction(&w, date_from_ymd(2025, 8, 31) + 0.5) == 5.0 / 6);
    assert_true(scenario_fraction(&w, date_from_ymd(2025, 9, 1)) == 1);
    assert_true(scenario_fraction(&w, date_from_ymd(2026, 3, 31) + 0.5) == 1);
    assert_true(scenario_fraction(&w, date_from_ymd(2026, 4, 1)) == 0);
    /* a lever from 11 April at x 0.5: April (30 days) has 10 days at 1 and 20 at 0.5 */
    scenario *sc = demo_fixture_read_ok(&fx, demo_fixture_write(&fx, "mid.ini",
                                                                "[entries]\nmultiplier = 0.5\n"
                                                                "start = 2025-04-11\n"));
    int apr = date_from_ymd(2025, 4, 1), may = date_from_ymd(2025, 5, 1);
    assert_float_equal(scenario_entry_factor(sc, fm, 0, 7, apr, may), (10 + 20 * 0.5) / 30, 1e-12);
    assert_true(scenario_entry_factor(sc, fm, 0, 7, may, date_from_ymd(2025, 6, 1)) == 0.5);
    scenario_free(sc);
    /* a projection CSV doubling ages 0-4 from 2026 on: factor 2 for age 2 in 2026, 1 in
     * 2025 (the file's 2025 equals the model's population) */
    char csv[8192] = "year,age,children\n";
    for (int y = 2025; y <= 2026; y++)
        for (int a = 0; a < MODEL_POP_AGES; a++)
            snprintf(csv + strlen(csv), sizeof csv - strlen(csv), "%d,%d,%.0f\n", y, a,
                     model_population(fm, y, a) * (y == 2026 && a <= 4 ? 2 : 1));
    demo_fixture_write(&fx, "projection.csv", csv);
    sc = demo_fixture_read_ok(
        &fx, demo_fixture_write(&fx, "proj.ini", "[population]\nfile = projection.csv\n"));
    int jan26 = date_from_ymd(2026, 1, 1), feb26 = date_from_ymd(2026, 2, 1);
    assert_float_equal(scenario_entry_factor(sc, fm, 0, 2, jan26, feb26), 2.0, 1e-12);
    assert_float_equal(scenario_entry_factor(sc, fm, 0, 7, jan26, feb26), 1.0, 1e-12);
    assert_float_equal(scenario_entry_factor(sc, fm, 0, 2, may, date_from_ymd(2025, 6, 1)), 1.0,
                       1e-12);
    scenario_free(sc);
    /* growth of 2% a year: a month that starts one year after the start is 1.02 times
     * the rate, to within the half-month of compounding */
    sc = demo_fixture_read_ok(&fx,
                              demo_fixture_write(&fx, "grow.ini", "[population]\ngrowth = 0.02\n"));
    double g =
        scenario_entry_factor(sc, fm, 0, 7, date_from_ymd(2026, 4, 1), date_from_ymd(2026, 5, 1));
    assert_true(g > 1.02 && g < 1.02 * pow(1.02, 31 / 365.25));
    scenario_free(sc);
}

/* ---- runs --------------------------------------------------------------------------- */

static const char *run_path(const char *name)
{
    static char p[2][320];
    static int n;
    char *q = p[n++ % 2];
    snprintf(q, 320, "%s/%s", dir, name);
    return q;
}

/* Runs `files` (the first is the baseline) into `out`. */
static void run(const char *out, const char **files, int n, int R, int horizon, uint64_t seed,
                bool fixed)
{
    run_config c = {fitted, out, R, 2, seed, start, horizon, true, false, fixed, n, files};
    cc_err err = {{0}, 0};
    if (run_execute(&c, NULL, &err) != CC_OK)
        fail_msg("run failed: %s", err.msg);
}

/* Reads a dataset of `n` elements of `type` from a run file (malloc'd). */
static void *read_data(const char *path, const char *name, hid_t type, size_t n)
{
    cc_err err = {{0}, 0};
    int status;
    hid_t f = h5io_open(path, &err, &status);
    assert_true(f >= 0);
    void *buf = malloc(n * 8);
    if (h5io_read(f, name, type, buf, n, path, &err) != CC_OK)
        fail_msg("%s", err.msg);
    H5Fclose(f);
    return buf;
}

static void test_neutral_identical(void **unused)
{
    (void)unused;
    const char *files[2] = {
        demo_fixture_write(&fx, "plain.ini", "description = no levers\n"),
        demo_fixture_write(&fx, "neutral.ini",
                           "[entries.a]\nmultiplier = 1\n"
                           "[hazard.b]\nfrom = all\nto = all\nmultiplier = 1\nadd = 0\n"
                           "ramp_months = 6\nstart = 2025-06-01\nend = 2026-06-01\n"
                           "[rereferral]\nmultiplier = 1\n"
                           "[population]\ngrowth = 0\n"
                           "[care_leavers]\nstate = CL\nsupport_to_age = 25\n")};
    const char *out = run_path("neutral.h5");
    int R = 40, M = 36, S = fm->def->nstates;
    run(out, files, 2, R, M, 7, false);
    struct {
        const char *name;
        hid_t type;
        size_t n;
    } sets[] = {{"stock", H5T_NATIVE_INT32, (size_t)R * M * S},
                {"entries", H5T_NATIVE_INT32, (size_t)R * M * S},
                {"exits", H5T_NATIVE_INT32, (size_t)R * M * S},
                {"arrivals", H5T_NATIVE_INT32, (size_t)R * M * S},
                {"person_days", H5T_NATIVE_DOUBLE, (size_t)R * M * S},
                {"starts", H5T_NATIVE_INT32, (size_t)R * M * fm->def->nage}};
    for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
        char a[128], b[128];
        snprintf(a, sizeof a, "scenarios/plain/%s", sets[k].name);
        snprintf(b, sizeof b, "scenarios/neutral/%s", sets[k].name);
        void *x = read_data(out, a, sets[k].type, sets[k].n);
        void *y = read_data(out, b, sets[k].type, sets[k].n);
        size_t bytes = sets[k].n * (sets[k].type == H5T_NATIVE_DOUBLE ? 8 : 4);
        if (memcmp(x, y, bytes) != 0)
            fail_msg("%s differs between the baseline and the neutral scenario", sets[k].name);
        free(x);
        free(y);
    }
}

static double sd(const double *v, int n)
{
    double m = 0, s = 0;
    for (int i = 0; i < n; i++)
        m += v[i] / n;
    for (int i = 0; i < n; i++)
        s += (v[i] - m) * (v[i] - m);
    return sqrt(s / (n - 1));
}

/* Entries x 0.9 with and without common random numbers, with the parameters fixed (the
 * harder case: no parameter draw shared between scenarios) and drawn. */
static void test_common_random_numbers(void **unused)
{
    (void)unused;
    const char *base = demo_fixture_write(&fx, "crn-base.ini", "\n");
    const char *less = demo_fixture_write(&fx, "crn-less.ini", "[entries]\nmultiplier = 0.9\n");
    int R = 200, M = 24, S = fm->def->nstates;
    for (int fixed = 1; fixed >= 0; fixed--) {
        const char *both[2] = {base, less}, *alone[1] = {less};
        const char *a = run_path("crn-a.h5"), *b = run_path("crn-b.h5");
        run(a, both, 2, R, M, 1, fixed);
        run(b, alone, 1, R, M, 2, fixed); /* another seed: independent of run a */
        size_t n = (size_t)R * M * S;
        int32_t *base_a = read_data(a, "scenarios/crn-base/stock", H5T_NATIVE_INT32, n);
        int32_t *less_a = read_data(a, "scenarios/crn-less/stock", H5T_NATIVE_INT32, n);
        int32_t *less_b = read_data(b, "scenarios/crn-less/stock", H5T_NATIVE_INT32, n);
        const char *cohorts[] = {"REF", "CIN", "CP", "CLA_FOS"};
        double worst = INFINITY;
        for (int c = 0; c < 4; c++) {
            int s = state(cohorts[c]);
            double crn[200], ind[200];
            for (int r = 0; r < R; r++) {
                size_t i = ((size_t)r * M + (M - 1)) * S + s;
                crn[r] = less_a[i] - base_a[i];
                ind[r] = less_b[i] - base_a[i];
            }
            double ratio = sd(ind, R) / sd(crn, R);
            printf("# CRN, entries x 0.9, %s at %d months (%s parameters): sd of the difference "
                   "%.2f with common random numbers, %.2f independent; ratio %.1f\n",
                   cohorts[c], M, fixed ? "fixed" : "drawn", sd(crn, R), sd(ind, R), ratio);
            worst = ratio < worst ? ratio : worst;
        }
        assert_true(worst >= 3.0);
        free(base_a);
        free(less_a);
        free(less_b);
    }
}

static void test_zero_multiplier(void **unused)
{
    (void)unused;
    const char *files[2] = {demo_fixture_write(&fx, "z-base.ini", "\n"),
                            demo_fixture_write(&fx, "z-none.ini",
                                               "[hazard]\nfrom = CP\nto = CLA\n"
                                               "multiplier = 0\n")};
    const char *out = run_path("zero.h5");
    int R = 30, M = 24;
    run(out, files, 2, R, M, 3, false);
    cc_err err = {{0}, 0};
    int status;
    hid_t f = h5io_open(out, &err, &status);
    hsize_t dims[8];
    assert_int_equal(h5io_dims(f, "scenarios/z-none/flows", dims), 3);
    H5Fclose(f);
    int F = (int)dims[2];
    int *from = read_data(out, "scenarios/z-none/flow_from", H5T_NATIVE_INT, (size_t)F);
    int *to = read_data(out, "scenarios/z-none/flow_to", H5T_NATIVE_INT, (size_t)F);
    int32_t *none = read_data(out, "scenarios/z-none/flows", H5T_NATIVE_INT32, (size_t)R * M * F);
    int32_t *base = read_data(out, "scenarios/z-base/flows", H5T_NATIVE_INT32, (size_t)R * M * F);
    long in_base = 0, in_none = 0, flows = 0;
    for (int k = 0; k < F; k++) {
        if (from[k] != state("CP") || to[k] >= fm->def->nstates ||
            !fm->def->states[to[k]].looked_after)
            continue;
        flows++;
        for (int rm = 0; rm < R * M; rm++) {
            in_base += base[(size_t)rm * F + k];
            in_none += none[(size_t)rm * F + k];
        }
    }
    assert_true(flows >= 3);
    assert_true(in_base > 50); /* the baseline has such moves */
    assert_int_equal(in_none, 0);
    free(from);
    free(to);
    free(none);
    free(base);
}

/* Entries x 0.4 from 1 June 2025 ramped over 4 months: expected arrivals month by month
 * are the baseline's times 1, 1, 0.85, 0.7, 0.55, then 0.4 (full from September, the 4th
 * month). Simulated arrivals follow within Monte Carlo error. */
static void test_entry_ramp(void **unused)
{
    (void)unused;
    scenario *sc =
        demo_fixture_read_ok(&fx, demo_fixture_write(&fx, "ramp.ini",
                                                     "[entries]\nmultiplier = 0.4\n"
                                                     "start = 2025-06-01\nramp_months = 4\n"));
    cc_err err = {{0}, 0};
    int status, M = 8;
    sim_setup *s = sim_setup_alloc(fm, start, M, 11, &err, &status);
    assert_non_null(s);
    sim_scenario *x = sim_scenario_alloc(s, sc);
    assert_non_null(x);
    sim_set_parameter_draws(s, false);
    const double want[8] = {1, 1, 0.85, 0.7, 0.55, 0.4, 0.4, 0.4};
    int ref = state("REF");
    for (int m = 0; m < M; m++)
        assert_float_equal(sim_expected_arrivals(s, x, m, ref) /
                               sim_expected_arrivals(s, NULL, m, ref),
                           want[m], 1e-9);
    sim_work *w = sim_work_alloc(s);
    sim_ledger *a = sim_ledger_alloc(s), *b = sim_ledger_alloc(s);
    double got[8] = {0}, base[8] = {0};
    int R = 100;
    for (int r = 0; r < R; r++) {
        sim_replicate(s, w, r, a);
        sim_replicate_scenario(s, x, w, r, b);
        for (int m = 0; m < M; m++) {
            base[m] += a->arrivals[m * fm->def->nstates + ref];
            got[m] += b->arrivals[m * fm->def->nstates + ref];
            /* inversion: never more arrivals than the baseline in the same replicate */
            assert_true(b->arrivals[m * fm->def->nstates + ref] <=
                        a->arrivals[m * fm->def->nstates + ref]);
        }
    }
    for (int m = 0; m < M; m++) {
        double lam = sim_expected_arrivals(s, x, m, ref) * R;
        assert_true(fabs(got[m] - lam) < 4 * sqrt(lam));
        printf("# ramp month %d: arrivals %.3f of the baseline's (expected %.2f)\n", m,
               got[m] / base[m], want[m]);
    }
    sim_ledger_free(a);
    sim_ledger_free(b);
    sim_work_free(w);
    sim_scenario_free(x);
    sim_setup_free(s);
    scenario_free(sc);
}

/* 1.5 extra arrivals a month from June 2025 into CLA_SUP at 16-17: the cumulative 1.5,
 * 3, 4.5, 6 ... gives whole children 1, 2, 1, 2 ... a month; with common random numbers
 * every replicate's arrivals differ from the baseline's by exactly those counts. */
static void test_extra_arrivals(void **unused)
{
    (void)unused;
    const char *files[2] = {demo_fixture_write(&fx, "x-base.ini", "\n"),
                            demo_fixture_write(&fx, "x-uasc.ini",
                                               "[extra]\nstate = CLA_SUP\nages = 16-17\n"
                                               "per_month = 1.5\nstart = 2025-06-01\n")};
    const char *out = run_path("extra.h5");
    int R = 20, M = 8, S = fm->def->nstates, A = fm->def->nage;
    run(out, files, 2, R, M, 5, false);
    int32_t *base =
        read_data(out, "scenarios/x-base/arrivals", H5T_NATIVE_INT32, (size_t)R * M * S);
    int32_t *more =
        read_data(out, "scenarios/x-uasc/arrivals", H5T_NATIVE_INT32, (size_t)R * M * S);
    int32_t *sb = read_data(out, "scenarios/x-base/starts", H5T_NATIVE_INT32, (size_t)R * M * A);
    int32_t *sm = read_data(out, "scenarios/x-uasc/starts", H5T_NATIVE_INT32, (size_t)R * M * A);
    const int want[8] = {0, 0, 1, 2, 1, 2, 1, 2};
    int sup = state("CLA_SUP"), band16 = modeldef_age_band(fm->def, 16.5);
    for (int r = 0; r < R; r++)
        for (int m = 0; m < M; m++) {
            size_t i = ((size_t)r * M + m) * S;
            for (int s = 0; s < S; s++)
                assert_int_equal(more[i + s] - base[i + s], s == sup ? want[m] : 0);
            size_t j = ((size_t)r * M + m) * A;
            for (int a = 0; a < A; a++)
                assert_int_equal(sm[j + a] - sb[j + a], a == band16 ? want[m] : 0);
        }
    free(base);
    free(more);
    free(sb);
    free(sm);
}

typedef struct leaver_ctx {
    int cl, start;
    long checked, late_in_base;
    bool scenario;
} leaver_ctx;

/* Every care-leaver stay ends by the 21st birthday (or the start, if later). */
static void check_leaver(void *vctx, const sim_event *ev)
{
    leaver_ctx *c = vctx;
    if (ev->from != c->cl || ev->target < 0)
        return;
    double limit = date_add_years(ev->dob, 21);
    if (limit < c->start)
        limit = c->start;
    if (c->scenario) {
        c->checked++;
        if (ev->time > limit + 1e-6)
            fail_msg("a care leaver left at day %.2f, after 21 (%.0f)", ev->time, limit);
    } else if (ev->time > limit + 1) {
        c->late_in_base++;
    }
}

static void test_support_age(void **unused)
{
    (void)unused;
    scenario *sc = demo_fixture_read_ok(&fx, demo_fixture_write(&fx, "cl21.ini",
                                                                "[care_leavers]\nstate = CL\n"
                                                                "support_to_age = 21\n"));
    cc_err err = {{0}, 0};
    int status, M = 36;
    sim_setup *s = sim_setup_alloc(fm, start, M, 13, &err, &status);
    sim_scenario *x = sim_scenario_alloc(s, sc);
    sim_work *w = sim_work_alloc(s);
    sim_ledger *l = sim_ledger_alloc(s);
    leaver_ctx c = {state("CL"), start, 0, 0, false};
    sim_work_observe(w, check_leaver, &c);
    for (int r = 0; r < 5; r++) {
        c.scenario = false;
        sim_replicate(s, w, r, l);
        c.scenario = true;
        sim_replicate_scenario(s, x, w, r, l);
    }
    assert_true(c.checked > 100);
    assert_true(c.late_in_base > 10); /* without the lever some stay past 21 */
    sim_ledger_free(l);
    sim_work_free(w);
    sim_scenario_free(x);
    sim_setup_free(s);
    scenario_free(sc);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The shipped edge-of-care file on the demo council: per replicate, starts in care at
 * ages 10-17 over the first 24 months, scenario minus baseline. */
static void test_edge_of_care_demo(void **unused)
{
    (void)unused;
    char base[600], edge[600];
    snprintf(base, sizeof base, "%s/scenarios/baseline.ini", home);
    snprintf(edge, sizeof edge, "%s/scenarios/edge-of-care.ini", home);
    const char *files[2] = {base, edge};
    const char *out = run_path("edge.h5");
    int R = 200, M = 24, A = fm->def->nage;
    run(out, files, 2, R, M, 1, false);
    int32_t *sb = read_data(out, "scenarios/baseline/starts", H5T_NATIVE_INT32, (size_t)R * M * A);
    int32_t *se =
        read_data(out, "scenarios/edge-of-care/starts", H5T_NATIVE_INT32, (size_t)R * M * A);
    int32_t *cum = read_data(out, "scenarios/edge-of-care/difference/starts_cumulative",
                             H5T_NATIVE_INT32, (size_t)R * M * (A + 1));
    int b10 = modeldef_age_band(fm->def, 10.5), b16 = modeldef_age_band(fm->def, 16.5);
    double d[200];
    for (int r = 0; r < R; r++) {
        long diff = 0;
        for (int m = 0; m < M; m++)
            for (int a = b10; a <= b16; a++) {
                size_t i = ((size_t)r * M + m) * A + a;
                diff += se[i] - sb[i];
            }
        d[r] = (double)diff;
        /* the run file's cumulative difference agrees with the raw starts */
        size_t j = ((size_t)r * M + (M - 1)) * (A + 1);
        assert_int_equal(cum[j + b10] + cum[j + b16], diff);
    }
    qsort(d, (size_t)R, sizeof *d, by_value);
    double p5 = d[(int)(0.05 * (R - 1))], p50 = d[R / 2], p95 = d[(int)(0.95 * (R - 1))];
    printf("# edge of care, starts in care at 10-17 over 24 months, scenario minus baseline: "
           "median %.0f (P5 %.0f to P95 %.0f)\n",
           p50, p5, p95);
    assert_true(p50 < 0);
    assert_true(p95 < 0);
    free(sb);
    free(se);
    free(cum);
}

/* The shipped high-turnover file on the demo council: the same children as the
 * baseline (no lever touches them), so the same weighted cases in every replicate and
 * month, and a higher caseload per FTE at 12 and 24 months (per replicate difference,
 * median and P5 above 0). The workforce arrays are the same with 1 thread as with 2. */
static void test_high_turnover_demo(void **unused)
{
    (void)unused;
    char base[600], high[600];
    snprintf(base, sizeof base, "%s/scenarios/baseline.ini", home);
    snprintf(high, sizeof high, "%s/scenarios/high-turnover.ini", home);
    const char *files[2] = {base, high};
    const char *out = run_path("turnover.h5");
    int R = 200, M = 24, G = fm->def->nteams + 1;
    run(out, files, 2, R, M, 1, false);
    size_t n = (size_t)R * M * G;
    float *cb = read_data(out, "scenarios/baseline/workforce/cases", H5T_NATIVE_FLOAT, n);
    float *ch = read_data(out, "scenarios/high-turnover/workforce/cases", H5T_NATIVE_FLOAT, n);
    float *lb = read_data(out, "scenarios/baseline/workforce/caseload", H5T_NATIVE_FLOAT, n);
    float *lh = read_data(out, "scenarios/high-turnover/workforce/caseload", H5T_NATIVE_FLOAT, n);
    assert_memory_equal(cb, ch, n * sizeof *cb);
    static const int at[2] = {12, 24};
    for (int k = 0; k < 2; k++) {
        double d[200];
        for (int r = 0; r < R; r++) {
            size_t i = ((size_t)r * M + at[k] - 1) * G + (G - 1);
            d[r] = (double)lh[i] - lb[i];
        }
        qsort(d, (size_t)R, sizeof *d, by_value);
        double p5 = d[(int)(0.05 * (R - 1))], p50 = d[R / 2], p95 = d[(int)(0.95 * (R - 1))];
        printf("# high turnover, caseload per FTE (all teams) at %d months, scenario minus "
               "baseline: median %+.2f (P5 %+.2f to P95 %+.2f)\n",
               at[k], p50, p5, p95);
        assert_true(p50 > 0);
        assert_true(p5 > 0);
    }
    /* one thread gives the same bytes */
    const char *one = run_path("turnover-1.h5");
    run_config c = {fitted, one, R, 1, 1, start, M, true, false, false, 2, files};
    cc_err err = {{0}, 0};
    assert_int_equal(run_execute(&c, NULL, &err), CC_OK);
    float *l1 = read_data(one, "scenarios/high-turnover/workforce/caseload", H5T_NATIVE_FLOAT, n);
    float *k2 = read_data(out, "scenarios/high-turnover/workforce/cost", H5T_NATIVE_FLOAT, n);
    float *k1 = read_data(one, "scenarios/high-turnover/workforce/cost", H5T_NATIVE_FLOAT, n);
    assert_memory_equal(l1, lh, n * sizeof *l1);
    assert_memory_equal(k1, k2, n * sizeof *k1);
    free(cb);
    free(ch);
    free(lb);
    free(lh);
    free(l1);
    free(k1);
    free(k2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inheritance),
        cmocka_unit_test(test_problems_at_once),
        cmocka_unit_test(test_fraction_and_factor),
        cmocka_unit_test(test_neutral_identical),
        cmocka_unit_test(test_common_random_numbers),
        cmocka_unit_test(test_zero_multiplier),
        cmocka_unit_test(test_entry_ramp),
        cmocka_unit_test(test_extra_arrivals),
        cmocka_unit_test(test_support_age),
        cmocka_unit_test(test_edge_of_care_demo),
        cmocka_unit_test(test_high_turnover_demo),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
