/* test_placement.c -- placements, capacity and the sufficiency gap (engine/placement.c) and
 * what they cost (engine/finance.c), through runs of the demo council and directly.
 *
 * Build and run one program from the repository root:
 *   make build/carecast build/tests/test_placement && CARECAST_HOME=$PWD build/tests/test_placement
 * (CARECAST_HOME defaults to the current folder when it holds models/standard.ini; the
 * bad-input tests run the binary CARECAST_BIN, by default CARECAST_HOME/build/carecast;
 * the projections call run_execute() of the library, 20 replicates of 24 months.)
 *
 * Where the expected values come from: placement.h, finance.h and the README's column
 * lists are the specification. Runs use the demo fixture (synth --seed 1 + fit) with
 * capacity, cost and budget files written here, so each expectation is either an identity
 * the header promises (every child is in exactly one of in-house, block or spot; unlimited
 * beds leave nobody in a spot placement; no beds leave everybody in one; the children of a
 * month are the ledger's stock of the state), a number worked by hand in a comment (the
 * finance units), or a second, independent computation from the run file (days x a flat
 * price; the share of replicates over a budget). Checks:
 *  1. unlimited in-house capacity for every need: external, block and overflow 0, in_house
 *     = demand; zero beds: in_house and block 0, external = demand and overflow = starts;
 *     a need without capacity rows is all in-house; `occupied` limits the start-date fill;
 *  2. demand equals the ledger's month-end stock of the state in every replicate and month;
 *     demand = in_house + block + external; "all" is the sum of the needs; the days in the
 *     three providers add up to the ledger's person-days; year/ tables roll months up;
 *  3. finance on hand-made stays: a stay from 2026-03-20 12:00 to 2026-04-10 split at the
 *     month start and priced with April's inflation; daily prices before, on and after
 *     1 April, before the first row and after a later row; a cost_change from mid-month;
 *     services by the day (365000 a year: 1000 a day; 366000 in 2027-28, which holds
 *     29 February: 1000 a day);
 *  4. in a run with flat prices every line is days x price, and p_overspend is the share of
 *     replicates whose financial-year cost is above the budget (NaN where none);
 *  5. bad capacity, cost and budget files through the binary: exit status 2, file, line,
 *     column and the bad value on one line of stderr, no run file written; a beds value
 *     that is not a number read without touching uninitialised memory (valgrind, when
 *     installed), and every problem of a budget file reported at once;
 *  6. 20 more foster households a year (scenarios/foster-recruitment.ini on the shipped
 *     capacity and costs): fewer spot foster placements, a foster line no higher, the same
 *     children (common random numbers);
 *  7. placements and finance identical with --threads 1 and --threads 2.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "date.h"
#include "error.h"
#include "finance.h"
#include "h5io.h"
#include "layer.h"
#include "model.h"
#include "modeldef.h"
#include "placement.h"
#include "problems.h"
#include "run.h"
#include "runfile.h"
#include "scenario.h"
#include "support/demo_fixture.h"
#include "support/spawn.h"

#define SEED    1u
#define REPS    20 /* replicates of a run */
#define HORIZON 24 /* months of a run */

static demo_fixture fx;
static const modeldef *def; /* the standard model of the fixture */
static char bin[4096];      /* the carecast binary */
static char home[4096];     /* CARECAST_HOME */

/* ---- small helpers -------------------------------------------------------------------- */

/* DIR/NAME into buf. */
static const char *in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", fx.dir, name);
    return buf;
}

/* Writes `text` to DIR/NAME (path in buf). */
static const char *write_in(char *buf, size_t size, const char *name, const char *text)
{
    in_dir(buf, size, name);
    FILE *f = fopen(buf, "w");
    if (!f)
        fail_msg("cannot write %s: %s", buf, strerror(errno));
    fputs(text, f);
    fclose(f);
    return buf;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static int state_of(const char *name)
{
    int s = modeldef_state_index(def, name);
    if (s < 0)
        fail_msg("state %s is not in the model", name);
    return s;
}

/* |got - want| <= tol x max(1, |want|). */
static void near(double got, double want, double tol, const char *what)
{
    if (!(fabs(got - want) <= tol * fmax(1.0, fabs(want))))
        fail_msg("%s = %.15g, expected %.15g", what, got, want);
}

/* The capacity CSV header (README, "Placements"). */
static const char CAP_HEADER[] = "need,provider,name,from,to,beds,households,beds_per_household,"
                                 "recruitment_per_year,deregistration_rate,occupied,source\n";

/* A capacity CSV with one in-house row of `beds` ("unlimited", "0", ...) for every need of
 * the model (or only for `only` when not NULL). */
static void capacity_every_need(char *buf, size_t size, const char *beds, const char *only)
{
    size_t n = (size_t)snprintf(buf, size, "%s", CAP_HEADER);
    for (int s = 0; s < def->nstates; s++)
        if (def->states[s].looked_after && (!only || !strcmp(def->states[s].need, only)))
            n += (size_t)snprintf(buf + n, size - n, "%s,in_house,test beds,,,%s,,,,,,test\n",
                                  def->states[s].need, beds);
    assert_true(n < size);
}

/* ---- runs ------------------------------------------------------------------------------ */

/* Runs the scenario files scen[n] (the first is the baseline) on the fixture's model and
 * opens the run file. */
static runfile *run_open(const char *out, const char *const *scen, int n, int R, int M, int threads)
{
    run_config c = {.model_path = fx.fitted,
                    .out = out,
                    .replicates = R,
                    .threads = threads,
                    .seed = SEED,
                    .start_day = INT_MIN,
                    .horizon = M,
                    .force = true,
                    .progress = false,
                    .fixed_parameters = false,
                    .nscenarios = n,
                    .scenarios = scen};
    cc_err err = {{0}, 0};
    int rc = run_execute(&c, NULL, &err);
    if (rc != CC_OK)
        fail_msg("run %s failed (%d): %s", out, rc, err.msg);
    int status = 0;
    runfile *rf = runfile_open(out, &err, &status);
    if (!rf)
        fail_msg("cannot open %s (%d): %s", out, status, err.msg);
    assert_int_equal(rf->R, R);
    assert_int_equal(rf->M, M);
    return rf;
}

/* A layer's measure in every replicate: [R][M][G] (or [R][Y][G] by financial year). */
static double *layer_reps(const runfile *rf, const char *scen, int layer, const char *measure,
                          bool year)
{
    size_t n = (size_t)rf->R * (year ? rf->Y : rf->M) * rf->layer[layer].G;
    double *out = malloc(sizeof *out * n);
    assert_non_null(out);
    cc_err err = {{0}, 0};
    if (runfile_read_layer_replicates(rf, scen, layer, measure, year, out, &err) != CC_OK)
        fail_msg("reading %s/%s%s of %s: %s", runfile_layers[layer], year ? "year/" : "", measure,
                 scen, err.msg);
    return out;
}

static double *pl_reps(const runfile *rf, const char *scen, const char *measure)
{
    return layer_reps(rf, scen, RUNFILE_PLACEMENTS, measure, false);
}

/* The ledger's month-end stock [R][M][S]. */
static int32_t *stock_reps(const runfile *rf, const char *scen)
{
    int32_t *out = malloc(sizeof *out * (size_t)rf->R * rf->M * rf->S);
    assert_non_null(out);
    cc_err err = {{0}, 0};
    if (runfile_read_replicates(rf, scen, "stock", out, &err) != CC_OK)
        fail_msg("reading the stock of %s: %s", scen, err.msg);
    return out;
}

/* The ledger's person-days [R][M][S]. */
static double *person_days_reps(const runfile *rf, const char *scen)
{
    double *out = malloc(sizeof *out * (size_t)rf->R * rf->M * rf->S);
    assert_non_null(out);
    char name[256];
    snprintf(name, sizeof name, "scenarios/%s/person_days", scen);
    cc_err err = {{0}, 0};
    if (h5io_read((hid_t)rf->h5, name, H5T_NATIVE_DOUBLE, out, (size_t)rf->R * rf->M * rf->S,
                  rf->path, &err) != CC_OK)
        fail_msg("reading %s: %s", name, err.msg);
    return out;
}

/* Index of a group of a layer by name, failing if absent. */
static int group(const runfile *rf, int layer, const char *name)
{
    for (int g = 0; g < rf->layer[layer].G; g++)
        if (!strcmp(rf->layer[layer].names[g], name))
            return g;
    fail_msg("%s has no group '%s'", runfile_layers[layer], name);
    return -1;
}

/* The state of placement group g (a need), or -1 for "all". */
static int group_state(const runfile *rf, int g)
{
    const char *name = rf->layer[RUNFILE_PLACEMENTS].names[g];
    if (!strcmp(name, "all"))
        return -1;
    int s = modeldef_need_state(def, name);
    if (s < 0)
        fail_msg("placement group '%s' is not a need of the model", name);
    return s;
}

/* Quantile q of x[n] (sorted here), linear between order statistics (type 7). */
static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(double *x, int n, double q)
{
    qsort(x, (size_t)n, sizeof *x, by_double);
    double h = (n - 1) * q;
    int lo = (int)floor(h);
    int hi = lo + 1 < n ? lo + 1 : lo;
    return x[lo] + (h - lo) * (x[hi] - x[lo]);
}

/* ---- 1. unlimited and zero capacity ---------------------------------------------------- */

/* Three scenarios of one run, on the same children:
 *  - unlimited: an in-house row of unlimited beds for every need, so every placement
 *    finds an in-house bed: external = block = overflow = 0 and in_house = demand; the
 *    beds shown are the beds used, so no free bed and no gap;
 *  - zero: an in-house row of 0 beds for every need, no block row, so nothing is in-house
 *    or block: external = demand, every start overflows (overflow = starts), no beds, and
 *    the gap is every child;
 *  - residential-only: 0 in-house residential beds and no row for the other needs, which
 *    are then not capacity-managed: all their children count as in-house. */
static void test_unlimited_and_zero(void **unused)
{
    (void)unused;
    char text[4096], unl[512], zero[512], res[512], ini[3][512], out[512];
    capacity_every_need(text, sizeof text, "unlimited", NULL);
    write_in(unl, sizeof unl, "cap-unlimited.csv", text);
    capacity_every_need(text, sizeof text, "0", NULL);
    write_in(zero, sizeof zero, "cap-zero.csv", text);
    capacity_every_need(text, sizeof text, "0", "residential");
    write_in(res, sizeof res, "cap-res0.csv", text);
    write_in(ini[0], sizeof ini[0], "unlimited.ini",
             "name = unlimited\n[placements]\ncapacity = cap-unlimited.csv\n");
    write_in(ini[1], sizeof ini[1], "zero.ini",
             "name = zero\n[placements]\ncapacity = cap-zero.csv\n");
    write_in(ini[2], sizeof ini[2], "res0.ini",
             "name = res0\n[placements]\ncapacity = cap-res0.csv\n");
    const char *scen[] = {ini[0], ini[1], ini[2]};
    runfile *rf = run_open(in_dir(out, sizeof out, "run-capacity.h5"), scen, 3, REPS, HORIZON, 2);
    int R = rf->R, M = rf->M, G = rf->layer[RUNFILE_PLACEMENTS].G;
    assert_int_equal(G, 8); /* 7 needs and all */
#define AT(a, r, m, g) (a)[((size_t)(r)*M + (m)) * G + (g)]
    enum { DEM, IN, BL, EX, OVF, STA, BIN, BBL, FREE, GAP, DIN, DBL, DEX, NQ };
    static const char *const q[NQ] = {"demand",       "in_house", "block",         "external",
                                      "overflow",     "starts",   "beds_in_house", "beds_block",
                                      "free_beds",    "gap",      "days_in_house", "days_block",
                                      "days_external"};
    const char *names[3] = {"unlimited", "zero", "res0"};
    int res_state = state_of("CLA_RES");
    for (int sc = 0; sc < 3; sc++) {
        double *v[NQ];
        for (int k = 0; k < NQ; k++)
            v[k] = pl_reps(rf, names[sc], q[k]);
        double placed = 0, started = 0;
        for (int r = 0; r < R; r++)
            for (int m = 0; m < M; m++)
                for (int g = 0; g < G; g++) {
                    int s = group_state(rf, g);
                    bool all_spot = sc == 1 || (sc == 2 && s == res_state);
                    if (sc == 2 && s < 0)
                        continue; /* a mix of both: checked by test 2 */
                    double dem = AT(v[DEM], r, m, g);
                    placed += dem;
                    started += AT(v[STA], r, m, g);
                    char what[160];
                    snprintf(what, sizeof what, "%s, replicate %d, month %d, %s", names[sc], r, m,
                             rf->layer[RUNFILE_PLACEMENTS].names[g]);
                    if (all_spot) {
                        if (AT(v[IN], r, m, g) != 0 || AT(v[BL], r, m, g) != 0 ||
                            AT(v[EX], r, m, g) != dem || AT(v[OVF], r, m, g) != AT(v[STA], r, m, g))
                            fail_msg("%s: in_house %g, block %g, external %g, demand %g, overflow "
                                     "%g, starts %g; expected everybody in spot placements",
                                     what, AT(v[IN], r, m, g), AT(v[BL], r, m, g),
                                     AT(v[EX], r, m, g), dem, AT(v[OVF], r, m, g),
                                     AT(v[STA], r, m, g));
                        if (AT(v[BIN], r, m, g) != 0 || AT(v[BBL], r, m, g) != 0 ||
                            AT(v[FREE], r, m, g) != 0 || AT(v[GAP], r, m, g) != dem ||
                            AT(v[DIN], r, m, g) != 0 || AT(v[DBL], r, m, g) != 0)
                            fail_msg("%s: beds %g + %g, free %g, gap %g (demand %g), days in-house "
                                     "%g, block %g; expected no beds, gap = demand",
                                     what, AT(v[BIN], r, m, g), AT(v[BBL], r, m, g),
                                     AT(v[FREE], r, m, g), AT(v[GAP], r, m, g), dem,
                                     AT(v[DIN], r, m, g), AT(v[DBL], r, m, g));
                    } else {
                        if (AT(v[EX], r, m, g) != 0 || AT(v[BL], r, m, g) != 0 ||
                            AT(v[OVF], r, m, g) != 0 || AT(v[IN], r, m, g) != dem)
                            fail_msg("%s: in_house %g, block %g, external %g, overflow %g, demand "
                                     "%g; expected everybody in-house",
                                     what, AT(v[IN], r, m, g), AT(v[BL], r, m, g),
                                     AT(v[EX], r, m, g), AT(v[OVF], r, m, g), dem);
                        if (AT(v[BIN], r, m, g) != dem || AT(v[BBL], r, m, g) != 0 ||
                            AT(v[FREE], r, m, g) != 0 || AT(v[GAP], r, m, g) != 0 ||
                            AT(v[DBL], r, m, g) != 0 || AT(v[DEX], r, m, g) != 0)
                            fail_msg("%s: beds %g + %g, free %g, gap %g, days block %g, spot %g; "
                                     "expected the beds used (%g), nothing free, no gap",
                                     what, AT(v[BIN], r, m, g), AT(v[BBL], r, m, g),
                                     AT(v[FREE], r, m, g), AT(v[GAP], r, m, g), AT(v[DBL], r, m, g),
                                     AT(v[DEX], r, m, g), dem);
                    }
                }
        /* not vacuous: children were placed and placements started */
        printf("# %s: %.0f child-months placed, %.0f placements started\n", names[sc], placed,
               started);
        assert_true(placed > 1000 && started > 100);
        for (int k = 0; k < NQ; k++)
            free(v[k]);
    }
#undef AT
    runfile_close(rf);
}

/* `occupied` on the start date: 100 in-house residential beds of which the row says 2 are
 * occupied, no other capacity row. Children placed on the start date with no recorded
 * provider (the synthetic council records none) fill in-house beds only up to
 * `occupied`, so n0 - 2 of the n0 residential children open on the start date are in spot
 * placements; they keep them (no step-down) until they leave, and every later placement
 * finds one of the 98 free beds. So in every replicate: overflow 0 in every month, spot
 * placements never rise, and at the end of month m
 *   n0 - 2 - (children leaving residential in months 0..m) <= external <= n0 - 2. */
static void test_occupied_on_start_date(void **unused)
{
    (void)unused;
    char cap[512], ini[512], out[512], text[1024];
    snprintf(text, sizeof text, "%sresidential,in_house,homes,,,100,,,,,2,test\n", CAP_HEADER);
    write_in(cap, sizeof cap, "cap-occupied.csv", text);
    write_in(ini, sizeof ini, "occupied.ini",
             "name = occupied\n[placements]\ncapacity = cap-occupied.csv\n");
    const char *scen[] = {ini};
    runfile *rf = run_open(in_dir(out, sizeof out, "run-occupied.h5"), scen, 1, REPS, 12, 2);
    int R = rf->R, M = rf->M, S = rf->S, G = rf->layer[RUNFILE_PLACEMENTS].G;
    int res = state_of("CLA_RES"), g = group(rf, RUNFILE_PLACEMENTS, "residential");
    int32_t init[MD_MAX];
    cc_err err = {{0}, 0};
    assert_true(S <= MD_MAX);
    assert_int_equal(h5io_read((hid_t)rf->h5, "scenarios/occupied/initial_stock", H5T_NATIVE_INT32,
                               init, (size_t)S, rf->path, &err),
                     CC_OK);
    int n0 = init[res];
    printf("# %d residential children on the start date\n", n0);
    assert_true(n0 > 10);
    int32_t *outflow = malloc(sizeof *outflow * (size_t)R * M * S);
    assert_non_null(outflow);
    assert_int_equal(runfile_read_replicates(rf, "occupied", "exits", outflow, &err), CC_OK);
    double *ex = pl_reps(rf, "occupied", "external"), *ovf = pl_reps(rf, "occupied", "overflow");
    for (int r = 0; r < R; r++) {
        int left = 0;
        for (int m = 0; m < M; m++) {
            size_t i = ((size_t)r * M + m) * G + g;
            left += outflow[((size_t)r * M + m) * S + res];
            if (ovf[i] != 0)
                fail_msg("replicate %d, month %d: %g residential placements overflowed 98 free "
                         "beds",
                         r, m, ovf[i]);
            if (ex[i] > n0 - 2 || ex[i] < n0 - 2 - left)
                fail_msg("replicate %d, month %d: %g residential children in spot placements, "
                         "expected %d - 2 less at most %d who left",
                         r, m, ex[i], n0, left);
            if (m > 0 && ex[i] > ex[i - G])
                fail_msg("replicate %d, month %d: spot placements rose from %g to %g", r, m,
                         ex[i - G], ex[i]);
        }
    }
    free(outflow);
    free(ex);
    free(ovf);
    runfile_close(rf);
}

/* ---- 2. demand is the ledger's stock -------------------------------------------------- */

/* On the shipped capacity (in-house kinship, a foster-household pool, 0 in-house and 2
 * block residential beds, 6 supported places), with and without step-down: in every
 * replicate and month, each need's demand is the ledger's stock of its state, exactly;
 * demand = in_house + block + external; "all" is the sum of the needs for every level and
 * flow; days in the three providers add up to the ledger's person-days of the state; the
 * year tables are the months' means (levels) and sums (flows), inside each replicate. */
static void test_demand_is_stock(void **unused)
{
    (void)unused;
    char ini[2][512], out[512], text[2048];
    snprintf(text, sizeof text,
             "name = shipped\n[placements]\ncapacity = %s/scenarios/placements/capacity.csv\n",
             home);
    write_in(ini[0], sizeof ini[0], "shipped.ini", text);
    snprintf(text, sizeof text,
             "name = stepdown\n[placements]\ncapacity = %s/scenarios/placements/capacity.csv\n"
             "step_down = yes\n",
             home);
    write_in(ini[1], sizeof ini[1], "stepdown.ini", text);
    const char *scen[] = {ini[0], ini[1]};
    runfile *rf = run_open(in_dir(out, sizeof out, "run-stock.h5"), scen, 2, REPS, HORIZON, 2);
    int R = rf->R, M = rf->M, S = rf->S, Y = rf->Y, G = rf->layer[RUNFILE_PLACEMENTS].G;
    int all = group(rf, RUNFILE_PLACEMENTS, "all");
    const char *names[2] = {"shipped", "stepdown"};
    double steps = 0, mixed = 0;
    for (int sc = 0; sc < 2; sc++) {
        int32_t *stock = stock_reps(rf, names[sc]);
        double *pd = person_days_reps(rf, names[sc]);
        double *v[PL_NMEASURES], *y[PL_NMEASURES];
        for (int k = 0; k < PL_NMEASURES; k++) {
            v[k] = pl_reps(rf, names[sc], placement_measures[k].name);
            y[k] = layer_reps(rf, names[sc], RUNFILE_PLACEMENTS, placement_measures[k].name, true);
        }
        for (int r = 0; r < R; r++)
            for (int m = 0; m < M; m++) {
                double sum[PL_NMEASURES] = {0};
                for (int g = 0; g < G; g++) {
                    size_t i = ((size_t)r * M + m) * G + g;
                    int s = group_state(rf, g);
                    double dem = v[PL_DEMAND][i];
                    double in = v[PL_IN_HOUSE][i], bl = v[PL_BLOCK][i], ex = v[PL_EXTERNAL][i];
                    if (dem != in + bl + ex)
                        fail_msg("%s, replicate %d, month %d, group %d: demand %g != in_house %g "
                                 "+ block %g + external %g",
                                 names[sc], r, m, g, dem, in, bl, ex);
                    if (s < 0)
                        continue;
                    int32_t want = stock[((size_t)r * M + m) * S + s];
                    if (dem != want)
                        fail_msg("%s, replicate %d, month %d: demand for %s = %g, but the "
                                 "ledger's month-end stock of %s is %d",
                                 names[sc], r, m, def->states[s].need, dem, def->states[s].name,
                                 want);
                    double days =
                        v[PL_DAYS_IN_HOUSE][i] + v[PL_DAYS_BLOCK][i] + v[PL_DAYS_EXTERNAL][i];
                    char what[128];
                    snprintf(what, sizeof what, "%s, replicate %d, month %d, days in %s", names[sc],
                             r, m, def->states[s].name);
                    near(days, pd[((size_t)r * M + m) * S + s], 1e-6, what);
                    for (int k = 0; k < PL_NMEASURES; k++)
                        sum[k] += v[k][i];
                    mixed += (in > 0) + (bl > 0) + (ex > 0) >= 2;
                }
                for (int k = 0; k < PL_NMEASURES; k++) {
                    char what[128];
                    snprintf(what, sizeof what, "%s, replicate %d, month %d, all needs' %s",
                             names[sc], r, m, placement_measures[k].name);
                    near(v[k][((size_t)r * M + m) * G + all], sum[k], 1e-6, what);
                }
                steps += v[PL_STEP_DOWNS][((size_t)r * M + m) * G + all];
            }
        /* financial years: 2025-26 and 2026-27, 12 months each */
        assert_int_equal(Y, 2);
        for (int r = 0; r < R; r++)
            for (int yi = 0; yi < Y; yi++)
                for (int g = 0; g < G; g++)
                    for (int k = 0; k < PL_NMEASURES; k++) {
                        double acc = 0;
                        for (int m = 12 * yi; m < 12 * yi + 12; m++)
                            acc += v[k][((size_t)r * M + m) * G + g];
                        double want = placement_measures[k].flow ? acc : acc / 12;
                        char what[128];
                        snprintf(what, sizeof what, "%s, replicate %d, year %d, group %d, year/%s",
                                 names[sc], r, yi, g, placement_measures[k].name);
                        near(y[k][((size_t)r * Y + yi) * G + g], want, 1e-6, what);
                    }
        for (int k = 0; k < PL_NMEASURES; k++) {
            free(v[k]);
            free(y[k]);
        }
        free(stock);
        free(pd);
    }
    /* not vacuous: some needs mixed providers, and step-down moved children */
    printf("# %.0f need-months with two or more providers; %.0f step-downs\n", mixed, steps);
    assert_true(mixed > 0);
    assert_true(steps > 0);
    runfile_close(rf);
}

/* ---- 3. finance on hand-made stays ----------------------------------------------------- */

enum { FMAXM = 12 };

/* A finance of the costs CSV `costs_text` for M months from the first of (year, month),
 * with the changes and services given, and the run's lines. */
typedef struct fin_case {
    scn_placements p;
    int M, Y;
    int ms[FMAXM + 1];
    finance *f;
    finance_lines lines;
    double mo[FMAXM * FIN_MAX_LINES], yo[FMAXM * FIN_MAX_LINES];
} fin_case;

static void fin_open(fin_case *c, const char *name, const char *costs_text, int year, int month,
                     int M, scn_cost_change *changes, int nchanges, scn_service *services,
                     int nservices)
{
    memset(c, 0, sizeof *c);
    char path[512];
    write_in(path, sizeof path, name, costs_text);
    snprintf(c->p.costs, sizeof c->p.costs, "%s", path);
    c->p.cost_changes = changes;
    c->p.ncost = nchanges;
    c->p.services = services;
    c->p.nservice = nservices;
    assert_true(M >= 1 && M <= FMAXM);
    c->M = M;
    for (int m = 0; m <= M; m++) {
        int y = year + (month - 1 + m) / 12, mo = (month - 1 + m) % 12 + 1;
        c->ms[m] = date_from_ymd(y, mo, 1);
    }
    /* financial years of the months, counted here: April starts one */
    c->Y = 1;
    for (int m = 1; m < M; m++)
        c->Y += (month - 1 + m) % 12 + 1 == 4;
    problems *pr = problems_alloc(20);
    c->f = finance_alloc(def, &c->p, c->ms, M, false, pr);
    if (!c->f) {
        problems_print(pr, stderr);
        fail_msg("finance_alloc refused %s", name);
    }
    finance_lines_build(&c->f, 1, def, &c->lines);
    if (finance_set_lines(c->f, &c->lines, pr) != CC_OK) {
        problems_print(pr, stderr);
        fail_msg("finance_set_lines failed for %s", name);
    }
    problems_free(pr);
}

static int fin_line(const fin_case *c, const char *name)
{
    for (int l = 0; l < c->lines.L; l++)
        if (!strcmp(c->lines.name[l], name))
            return l;
    fail_msg("no cost line '%s'", name);
    return -1;
}

static void fin_price(fin_case *c, const placement_segment *seg, int64_t n)
{
    for (size_t i = 0; i < sizeof c->mo / sizeof c->mo[0]; i++)
        c->mo[i] = c->yo[i] = -12345; /* every cell must be written */
    finance_replicate(c->f, seg, n, NULL, c->mo, c->yo);
}

/* Month m (year y) of line `name` is `want`, to 1e-12 relative (the prices are worked in
 * decimal, the engine's in binary: 100 x 1.1 is not exactly 110). */
static void fin_month(const fin_case *c, int m, const char *name, double want)
{
    char what[128];
    snprintf(what, sizeof what, "month %d, line %s", m, name);
    near(c->mo[(size_t)m * c->lines.L + fin_line(c, name)], want, 1e-12, what);
}

static void fin_year(const fin_case *c, int y, const char *name, double want)
{
    char what[128];
    snprintf(what, sizeof what, "financial year %d, line %s", y, name);
    near(c->yo[(size_t)y * c->lines.L + fin_line(c, name)], want, 1e-12, what);
}

/* Every line but the total and those named (a space-separated list) is 0 in every month
 * and year, and the total is the sum of the lines. */
static bool named_in(const char *list, const char *name)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save))
        if (!strcmp(t, name))
            return true;
    return false;
}

static void fin_rest_zero(const fin_case *c, const char *named)
{
    int L = c->lines.L, total = fin_line(c, "total");
    assert_int_equal(total, L - 1);
    for (int m = 0; m < c->M; m++) {
        double sum = 0;
        for (int l = 0; l < L - 1; l++) {
            double x = c->mo[(size_t)m * L + l];
            if (!named_in(named, c->lines.name[l]) && x != 0)
                fail_msg("month %d, line %s = %g, expected 0", m, c->lines.name[l], x);
            sum += x;
        }
        char what[64];
        snprintf(what, sizeof what, "month %d, total", m);
        near(c->mo[(size_t)m * L + total], sum, 1e-12, what);
    }
    for (int y = 0; y < c->Y; y++)
        for (int l = 0; l < L - 1; l++) {
            double x = c->yo[(size_t)y * L + l];
            if (!named_in(named, c->lines.name[l]) && x != 0)
                fail_msg("year %d, line %s = %g, expected 0", y, c->lines.name[l], x);
        }
}

static double day_of(int y, int m, int d)
{
    return date_from_ymd(y, m, d);
}

/* Residential spot placements at 700 a week (100 a day) from 2025-04-01, rising 10% each
 * 1 April after: 100 a day to 31 March 2026, 110 from 1 April 2026. Months February to
 * May 2026 (financial years 2025-26: Feb, Mar; 2026-27: Apr, May). Worked by hand:
 *   stay A, 2026-03-20 12:00 to 2026-04-10: March 11.5 days x 100 = 1150,
 *           April 9 days (1st..9th) x 110 = 990;
 *   stay B, the whole horizon: Feb 28 x 100 = 2800, Mar 31 x 100 = 3100,
 *           Apr 30 x 110 = 3300, May 31 x 110 = 3410;
 *   stay C, foster, which has no unit cost here: nothing.
 * residential: Feb 2800, Mar 4250, Apr 4290, May 3410; years 7050 and 7700. */
static void test_finance_month_split(void **unused)
{
    (void)unused;
    fin_case c;
    fin_open(&c, "costs-split.csv",
             "item,provider,from,weekly_cost,inflation,source\n"
             "residential,external,2025-04-01,700,0.10,test\n",
             2026, 2, 4, NULL, 0, NULL, 0);
    assert_int_equal(c.Y, 2);
    int res = state_of("CLA_RES"), fos = state_of("CLA_FOS");
    placement_segment seg[3] = {
        {day_of(2026, 3, 20) + 0.5, day_of(2026, 4, 10), (int16_t)res, SCN_EXTERNAL},
        {day_of(2026, 2, 1), day_of(2026, 6, 1), (int16_t)res, SCN_EXTERNAL},
        {day_of(2026, 2, 3), day_of(2026, 5, 3), (int16_t)fos, SCN_EXTERNAL},
    };
    fin_price(&c, seg, 3);
    const double want[4] = {2800, 1150 + 3100, 990 + 3300, 3410};
    for (int m = 0; m < 4; m++) {
        fin_month(&c, m, "residential", want[m]);
        fin_month(&c, m, "total", want[m]);
    }
    fin_year(&c, 0, "residential", 2800 + 4250);
    fin_year(&c, 1, "residential", 4290 + 3410);
    fin_year(&c, 0, "total", 7050);
    fin_year(&c, 1, "total", 7700);
    fin_rest_zero(&c, "residential");
    /* stay A alone, and A cut into two pieces at an arbitrary time: the same cost */
    fin_price(&c, seg, 1);
    fin_month(&c, 1, "residential", 1150);
    fin_month(&c, 2, "residential", 990);
    fin_month(&c, 0, "residential", 0);
    fin_month(&c, 3, "residential", 0);
    placement_segment cut[2] = {seg[0], seg[0]};
    cut[0].end = cut[1].start = day_of(2026, 3, 27) + 0.25;
    fin_price(&c, cut, 2);
    fin_month(&c, 1, "residential", 1150);
    fin_month(&c, 2, "residential", 990);
    /* lines: the 7 needs, then total (no other state has a cost, no staffing, no service) */
    assert_int_equal(c.lines.L, 8);
    finance_free(c.f);
}

/* Daily prices (finance_daily_price) of a costs file with a later row and a row for every
 * provider. Worked by hand:
 *   residential external: 700/7 = 100 from 2025-04-01 (its price base), x 1.1 from
 *     2026-04-01; replaced from 2026-05-16 by 1400/7 = 200 with its own base, x 1.05
 *     from 2027-04-01 (210), x 1.05^2 from 2028-04-01 (220.5); before 2025-04-01 the
 *     first row at its own prices (100, never deflated);
 *   foster, provider empty (every provider): 70/7 = 10 from 2024-06-01; the first
 *     1 April after is 2025-04-01 (15), then 2026-04-01 (22.5);
 *   CL (a state that is not a placement): 35/7 = 5 from 2025-04-01, x 1.02 a year.
 * A residential stay from 2026-05-10 to 2026-05-20 costs 6 x 110 + 4 x 200 = 1460. */
static void test_finance_daily_price(void **unused)
{
    (void)unused;
    fin_case c;
    fin_open(&c, "costs-price.csv",
             "item,provider,from,weekly_cost,inflation,source\n"
             "residential,external,2025-04-01,700,0.10,first\n"
             "residential,external,2026-05-16,1400,0.05,later\n"
             "foster,,2024-06-01,70,0.5,every provider\n"
             "CL,,2025-04-01,35,0.02,care leavers\n",
             2026, 2, 4, NULL, 0, NULL, 0);
    int res = state_of("CLA_RES"), fos = state_of("CLA_FOS"), cl = state_of("CL");
    struct {
        int state, provider, y, m, d;
        double want;
    } cases[] = {
        {res, SCN_EXTERNAL, 2024, 12, 1, 100},  {res, SCN_EXTERNAL, 2025, 4, 1, 100},
        {res, SCN_EXTERNAL, 2026, 3, 31, 100},  {res, SCN_EXTERNAL, 2026, 4, 1, 110},
        {res, SCN_EXTERNAL, 2026, 5, 15, 110},  {res, SCN_EXTERNAL, 2026, 5, 16, 200},
        {res, SCN_EXTERNAL, 2027, 3, 31, 200},  {res, SCN_EXTERNAL, 2027, 4, 1, 210},
        {res, SCN_EXTERNAL, 2028, 4, 1, 220.5}, {fos, SCN_IN_HOUSE, 2024, 6, 1, 10},
        {fos, SCN_BLOCK, 2025, 3, 31, 10},      {fos, SCN_EXTERNAL, 2025, 4, 1, 15},
        {fos, SCN_IN_HOUSE, 2026, 4, 1, 22.5},  {fos, SCN_BLOCK, 2026, 4, 1, 22.5},
        {cl, SCN_IN_HOUSE, 2026, 3, 31, 5},     {cl, SCN_IN_HOUSE, 2026, 4, 1, 5.1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[128];
        snprintf(what, sizeof what, "daily price of %s %s on %04d-%02d-%02d",
                 def->states[cases[i].state].name, scn_provider_names[cases[i].provider],
                 cases[i].y, cases[i].m, cases[i].d);
        near(finance_daily_price(c.f, cases[i].state, cases[i].provider,
                                 date_from_ymd(cases[i].y, cases[i].m, cases[i].d)),
             cases[i].want, 1e-12, what);
    }
    /* a stay across the later row's date, and a care leaver's March and April */
    placement_segment seg[2] = {
        {day_of(2026, 5, 10), day_of(2026, 5, 20), (int16_t)res, SCN_EXTERNAL},
        {day_of(2026, 3, 1), day_of(2026, 5, 1), (int16_t)cl, SCN_IN_HOUSE},
    };
    fin_price(&c, seg, 2);
    fin_month(&c, 3, "residential", 6 * 110 + 4 * 200);
    fin_month(&c, 1, "CL", 31 * 5);
    fin_month(&c, 2, "CL", 30 * 5.1);
    fin_month(&c, 2, "total", 30 * 5.1);
    fin_month(&c, 3, "total", 1460);
    fin_year(&c, 0, "CL", 155);
    fin_year(&c, 1, "CL", 153);
    fin_rest_zero(&c, "residential CL");
    /* lines: 7 needs, CL (it has a unit cost), total */
    assert_int_equal(c.lines.L, 9);
    assert_string_equal(c.lines.name[7], "CL");
    finance_free(c.f);
}

/* A residential price rise of 50% (every provider) from 2026-03-15 to 2026-04-20 and a
 * block-only doubling from 2026-04-01, on spot residential at 100 a day (110 from April)
 * and block residential at 350/7 = 50 a day (no inflation). Worked by hand:
 *   spot, whole horizon: Feb 28 x 100 = 2800; Mar 14 x 100 + 17 x 150 = 3950;
 *     Apr 19 x 165 + 11 x 110 = 4345; May 31 x 110 = 3410;
 *   block, 2026-03-30 to 2026-04-03: Mar 2 x 75 = 150; Apr 2 x 150 = 300. */
static void test_finance_cost_change(void **unused)
{
    (void)unused;
    int res = state_of("CLA_RES");
    scn_cost_change ch[2] = {
        {res, -1, 1.5, {date_from_ymd(2026, 3, 15), date_from_ymd(2026, 4, 20), 0}},
        {res, SCN_BLOCK, 2, {date_from_ymd(2026, 4, 1), SCN_NEVER, 0}},
    };
    fin_case c;
    fin_open(&c, "costs-change.csv",
             "item,provider,from,weekly_cost,inflation,source\n"
             "residential,external,2025-04-01,700,0.10,spot\n"
             "residential,block,2025-04-01,350,0,block\n",
             2026, 2, 4, ch, 2, NULL, 0);
    struct {
        int provider, y, m, d;
        double want;
    } cases[] = {
        {SCN_EXTERNAL, 2026, 3, 14, 100}, {SCN_EXTERNAL, 2026, 3, 15, 150},
        {SCN_EXTERNAL, 2026, 4, 19, 165}, {SCN_EXTERNAL, 2026, 4, 20, 110},
        {SCN_BLOCK, 2026, 3, 31, 75},     {SCN_BLOCK, 2026, 4, 1, 150},
        {SCN_BLOCK, 2026, 4, 20, 100},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[128];
        snprintf(what, sizeof what, "daily price of residential %s on %04d-%02d-%02d",
                 scn_provider_names[cases[i].provider], cases[i].y, cases[i].m, cases[i].d);
        near(finance_daily_price(c.f, res, cases[i].provider,
                                 date_from_ymd(cases[i].y, cases[i].m, cases[i].d)),
             cases[i].want, 1e-12, what);
    }
    placement_segment seg[2] = {
        {day_of(2026, 2, 1), day_of(2026, 6, 1), (int16_t)res, SCN_EXTERNAL},
        {day_of(2026, 3, 30), day_of(2026, 4, 3), (int16_t)res, SCN_BLOCK},
    };
    fin_price(&c, seg, 1);
    const double spot[4] = {2800, 3950, 4345, 3410};
    for (int m = 0; m < 4; m++)
        fin_month(&c, m, "residential", spot[m]);
    fin_price(&c, seg + 1, 1);
    const double block[4] = {0, 150, 300, 0};
    for (int m = 0; m < 4; m++)
        fin_month(&c, m, "residential", block[m]);
    fin_price(&c, seg, 2);
    for (int m = 0; m < 4; m++)
        fin_month(&c, m, "total", spot[m] + block[m]);
    fin_year(&c, 0, "residential", 2800 + 3950 + 150);
    fin_year(&c, 1, "residential", 4345 + 3410 + 300);
    fin_rest_zero(&c, "residential");
    finance_free(c.f);
}

/* A service at 365000 a year, 2% inflation from the run's start (February 2026, in
 * 2025-26), from 2026-03-10 to 2026-04-05: 2025-26 and 2026-27 have 365 days, so 1000 a
 * day in March (22 days: 22000) and 1020 in April (4 days: 4080). Another from 2026-04-10
 * is also priced from the run start's prices, so 1020 a day from its first day (April 21
 * days: 21420, May 31 days: 31620). A third service at
 * 366000 a year, no inflation, over months February to April 2028: 2027-28 holds
 * 29 February 2028 (366 days: 1000 a day, February 29000, March 31000), 2028-29 does not
 * (April 30 x 366000 / 365). */
static void test_finance_service(void **unused)
{
    (void)unused;
    scn_service sv[2] = {
        {"edge",
         "Edge of care",
         365000,
         0.02,
         {date_from_ymd(2026, 3, 10), date_from_ymd(2026, 4, 5), 0}},
        {"late", "Started in 2026-27", 365000, 0.02, {date_from_ymd(2026, 4, 10), SCN_NEVER, 0}},
    };
    fin_case c;
    fin_open(&c, "costs-service.csv",
             "item,provider,from,weekly_cost,inflation,source\n"
             "residential,external,2025-04-01,700,0.10,spot\n",
             2026, 2, 4, NULL, 0, sv, 2);
    assert_int_equal(c.lines.L, 10); /* 7 needs, service_edge, service_late, total */
    assert_string_equal(c.lines.label[fin_line(&c, "service_edge")], "Service: Edge of care");
    int res = state_of("CLA_RES");
    placement_segment seg = {day_of(2026, 3, 20) + 0.5, day_of(2026, 4, 10), (int16_t)res,
                             SCN_EXTERNAL};
    fin_price(&c, &seg, 1);
    const double want[4] = {0, 22000, 4080, 0};
    for (int m = 0; m < 4; m++)
        fin_month(&c, m, "service_edge", want[m]);
    const double late[4] = {0, 0, 21 * 1020, 31 * 1020};
    for (int m = 0; m < 4; m++)
        fin_month(&c, m, "service_late", late[m]);
    fin_month(&c, 1, "total", 22000 + 1150);
    fin_month(&c, 2, "total", 4080 + 21420 + 990);
    fin_month(&c, 3, "total", 31620);
    fin_year(&c, 0, "service_edge", 22000);
    fin_year(&c, 1, "service_edge", 4080);
    fin_year(&c, 1, "service_late", 21420 + 31620);
    fin_rest_zero(&c, "residential service_edge service_late");
    finance_free(c.f);

    scn_service leap = {"leap", "Leap", 366000, 0, {date_from_ymd(2028, 1, 1), SCN_NEVER, 0}};
    fin_open(&c, "costs-leap.csv",
             "item,provider,from,weekly_cost,inflation,source\n"
             "residential,external,2025-04-01,700,0.10,spot\n",
             2028, 2, 3, NULL, 0, &leap, 1);
    fin_price(&c, NULL, 0);
    fin_month(&c, 0, "service_leap", 29000);
    fin_month(&c, 1, "service_leap", 31000);
    fin_month(&c, 2, "service_leap", 30 * 366000.0 / 365);
    fin_year(&c, 0, "service_leap", 60000);
    fin_rest_zero(&c, "service_leap");
    finance_free(c.f);
}

/* ---- 4. a run's cost and the probability of overspending ------------------------------ */

/* Flat prices (no inflation, one row per item and provider) on the shipped capacity:
 *   foster in-house 70 (10 a day), block 105 (15), spot 140 (20); residential in-house
 *   700 (100), block 420 (60), spot 840 (120); supported 350 (50) and kinship 7 (1) from
 *   every provider; CL 35 (5); the other needs have no unit cost (0).
 * Then each month's foster line is days_in_house x 10 + days_block x 15 + days_external
 * x 20 of the placement layer (residential: 100, 60, 120), and so on, and CL
 * is the ledger's person-days of CL x 5: an independent computation of the same cost.
 * The budget file then sets, for 2025-26, the total at the cost of one replicate (the
 * 11th smallest of 20: spending exactly the budget is not overspending), for 2026-27 the
 * total (line left empty) at the median and foster at its lower quartile, and a year
 * outside the run (ignored). p_overspend must be the count of replicates whose year's
 * cost is above the budget over R, exactly, and NaN where there is no budget. */
static void test_overspend(void **unused)
{
    (void)unused;
    char costs[512], ini[512], out[512], text[4096];
    write_in(costs, sizeof costs, "costs-flat.csv",
             "item,provider,from,weekly_cost,inflation,source\n"
             "foster,in_house,2025-04-01,70,0,flat\n"
             "foster,block,2025-04-01,105,0,flat\n"
             "foster,external,2025-04-01,140,0,flat\n"
             "residential,in_house,2025-04-01,700,0,flat\n"
             "residential,block,2025-04-01,420,0,flat\n"
             "residential,external,2025-04-01,840,0,flat\n"
             "supported,all,2025-04-01,350,0,flat\n"
             "kinship,,2025-04-01,7,0,flat\n"
             "CL,,2025-04-01,35,0,flat\n");
    snprintf(text, sizeof text,
             "name = flat\n[placements]\ncapacity = %s/scenarios/placements/capacity.csv\n"
             "costs = costs-flat.csv\n",
             home);
    write_in(ini, sizeof ini, "flat.ini", text);
    const char *scen[] = {ini};
    runfile *rf = run_open(in_dir(out, sizeof out, "run-flat.h5"), scen, 1, REPS, HORIZON, 2);
    int R = rf->R, M = rf->M, S = rf->S, Y = rf->Y, G = rf->layer[RUNFILE_PLACEMENTS].G;
    int L = rf->layer[RUNFILE_FINANCE].G;
    assert_int_equal(Y, 2);
    assert_int_equal(L, 9); /* 7 needs, CL, total */
    double *cost = layer_reps(rf, "flat", RUNFILE_FINANCE, "cost", false);
    double *ycost = layer_reps(rf, "flat", RUNFILE_FINANCE, "cost", true);
    double *din = pl_reps(rf, "flat", "days_in_house"), *dbl = pl_reps(rf, "flat", "days_block");
    double *dex = pl_reps(rf, "flat", "days_external");
    double *pd = person_days_reps(rf, "flat");
    struct {
        const char *line;
        double in, block, spot;
    } price[] = {{"foster", 10, 15, 20}, {"residential", 100, 60, 120}, {"supported", 50, 50, 50},
                 {"kinship", 1, 1, 1},   {"with_parents", 0, 0, 0},     {"adoption", 0, 0, 0},
                 {"other", 0, 0, 0}};
    int cl = state_of("CL"), l_cl = group(rf, RUNFILE_FINANCE, "CL");
    int l_total = group(rf, RUNFILE_FINANCE, "total"), l_fos = group(rf, RUNFILE_FINANCE, "foster");
    assert_int_equal(l_total, L - 1);
    for (int r = 0; r < R; r++)
        for (int m = 0; m < M; m++) {
            double total = 0;
            for (size_t k = 0; k < sizeof price / sizeof price[0]; k++) {
                int g = group(rf, RUNFILE_PLACEMENTS, price[k].line);
                int l = group(rf, RUNFILE_FINANCE, price[k].line);
                size_t i = ((size_t)r * M + m) * G + g;
                double want =
                    din[i] * price[k].in + dbl[i] * price[k].block + dex[i] * price[k].spot;
                char what[128];
                snprintf(what, sizeof what, "replicate %d, month %d, cost of %s", r, m,
                         price[k].line);
                near(cost[((size_t)r * M + m) * L + l], want, 1e-6, what);
                total += want;
            }
            double want = pd[((size_t)r * M + m) * S + cl] * 5;
            char what[128];
            snprintf(what, sizeof what, "replicate %d, month %d, cost of CL", r, m);
            near(cost[((size_t)r * M + m) * L + l_cl], want, 1e-6, what);
            total += want;
            snprintf(what, sizeof what, "replicate %d, month %d, total", r, m);
            near(cost[((size_t)r * M + m) * L + l_total], total, 1e-6, what);
        }
    /* no budget file: no budget, no probability */
    double *budget = malloc(sizeof *budget * (size_t)Y * L), *p = malloc(sizeof *p * (size_t)Y * L);
    assert_non_null(budget);
    assert_non_null(p);
    cc_err err = {{0}, 0};
    assert_int_equal(runfile_read_budget(rf, "flat", budget, p, &err), CC_OK);
    for (int i = 0; i < Y * L; i++)
        assert_true(isnan(budget[i]) && isnan(p[i]));

    /* the budgets, from this run's per-replicate year costs */
    double *col = malloc(sizeof *col * (size_t)R);
    assert_non_null(col);
    for (int r = 0; r < R; r++)
        col[r] = ycost[((size_t)r * Y + 0) * L + l_total];
    qsort(col, (size_t)R, sizeof *col, by_double);
    double b0 = col[R / 2]; /* exactly one replicate's cost */
    for (int r = 0; r < R; r++)
        col[r] = ycost[((size_t)r * Y + 1) * L + l_total];
    double b1 = quantile(col, R, 0.5);
    for (int r = 0; r < R; r++)
        col[r] = ycost[((size_t)r * Y + 1) * L + l_fos];
    double b2 = quantile(col, R, 0.25);
    char bpath[512];
    snprintf(text, sizeof text,
             "year,line,budget\n2025-26,total,%.17g\n2026-27,,%.17g\n2026/27,foster,%.17g\n"
             "2030-31,total,1\n",
             b0, b1, b2);
    write_in(bpath, sizeof bpath, "budget-test.csv", text);
    snprintf(text, sizeof text,
             "name = budgeted\n[placements]\ncapacity = %s/scenarios/placements/capacity.csv\n"
             "costs = costs-flat.csv\nbudget = budget-test.csv\n",
             home);
    write_in(ini, sizeof ini, "budgeted.ini", text);
    runfile *rb = run_open(in_dir(out, sizeof out, "run-budget.h5"), scen, 1, REPS, HORIZON, 2);
    double *ycost2 = layer_reps(rb, "budgeted", RUNFILE_FINANCE, "cost", true);
    /* the same seed and children: the same costs */
    assert_memory_equal(ycost, ycost2, sizeof *ycost * (size_t)R * Y * L);
    assert_int_equal(runfile_read_budget(rb, "budgeted", budget, p, &err), CC_OK);
    int checked = 0;
    for (int y = 0; y < Y; y++)
        for (int l = 0; l < L; l++) {
            double want_b = y == 0 && l == l_total   ? b0
                            : y == 1 && l == l_total ? b1
                            : y == 1 && l == l_fos   ? b2
                                                     : NAN;
            double b = budget[y * L + l], pr = p[y * L + l];
            if (isnan(want_b)) {
                if (!isnan(b) || !isnan(pr))
                    fail_msg("year %d, line %s: budget %g, p_overspend %g; expected NaN (no "
                             "budget)",
                             y, rf->layer[RUNFILE_FINANCE].names[l], b, pr);
                continue;
            }
            if (b != want_b)
                fail_msg("year %d, line %s: budget %.17g, expected %.17g", y,
                         rf->layer[RUNFILE_FINANCE].names[l], b, want_b);
            int over = 0;
            for (int r = 0; r < R; r++)
                over += ycost2[((size_t)r * Y + y) * L + l] > want_b;
            printf("# %s %s: budget %.0f, %d of %d replicates over it, p_overspend %g\n",
                   rf->years[y], rf->layer[RUNFILE_FINANCE].names[l], want_b, over, R, pr);
            if (pr != (double)over / R)
                fail_msg("year %d, line %s: p_overspend %.17g, expected %d/%d", y,
                         rf->layer[RUNFILE_FINANCE].names[l], pr, over, R);
            assert_true(over > 0 && over < R); /* the budgets were chosen inside the spread */
            checked++;
        }
    assert_int_equal(checked, 3);
    free(col);
    free(budget);
    free(p);
    free(cost);
    free(ycost);
    free(ycost2);
    free(din);
    free(dbl);
    free(dex);
    free(pd);
    runfile_close(rb);
    runfile_close(rf);
}

/* ---- 5. bad files through the binary --------------------------------------------------- */

#define CAPTURE 65536
static struct {
    int status;
    char err[CAPTURE];
} out_;

/* Runs `[PREFIX...] carecast run --model FIT INI --out OUT --replicates 2 --horizon 3
 * --threads 1` in the fixture's folder, capturing the exit status and stderr. `prefix` is
 * NULL or a NULL-terminated list run before the binary (valgrind and its options). */
static void carecast_run(const char *const *prefix, const char *ini, const char *outfile)
{
    const char *args[] = {"run",          "--model", fx.fitted,   ini, "--out",     outfile,
                          "--replicates", "2",       "--horizon", "3", "--threads", "1"};
    char *argv[32];
    int n = 0;
    for (int i = 0; prefix && prefix[i]; i++)
        argv[n++] = (char *)prefix[i];
    const char *exe = n ? argv[0] : bin;
    argv[n] = n ? bin : "carecast";
    n++;
    for (size_t i = 0; i < sizeof args / sizeof args[0]; i++)
        argv[n++] = (char *)args[i];
    argv[n] = NULL;
    out_.status = spawn_capture(exe, argv, fx.dir, NULL, 0, out_.err, sizeof out_.err);
    if (out_.status == -1000)
        fail_msg("fork or waitpid failed: %s", strerror(errno));
    if (out_.status == 126 || out_.status == 127)
        fail_msg("could not run %s (status %d)", exe, out_.status);
}

/* Files left in the fixture's folder whose name starts with `stem`. */
static int files_named(const char *stem)
{
    DIR *d = opendir(fx.dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (!strncmp(e->d_name, stem, strlen(stem))) {
            print_error("left behind: %s/%s\n", fx.dir, e->d_name);
            n++;
        }
    closedir(d);
    return n;
}

/* Writes the files (name, text pairs; the first an .ini), runs it (under `prefix`, see
 * carecast_run), and checks exit status 2, "nothing was run" and that no run file (nor a
 * temporary one) was written. */
static void refused_under(const char *const *prefix, const char *const *files, int nfiles)
{
    char ini[512], outfile[512], path[512];
    for (int i = 0; i < nfiles; i++)
        write_in(path, sizeof path, files[2 * i], files[2 * i + 1]);
    in_dir(ini, sizeof ini, files[0]);
    in_dir(outfile, sizeof outfile, "refused.h5");
    unlink(outfile); /* written by an earlier case that failed */
    carecast_run(prefix, ini, outfile);
    if (out_.status != 2)
        fail_msg("%s: exit status %d, expected 2\nstderr:\n%s", files[0], out_.status, out_.err);
    if (!strstr(out_.err, "nothing was run"))
        fail_msg("%s: stderr does not say nothing was run:\n%s", files[0], out_.err);
    if (exists(outfile) || files_named("refused.h5"))
        fail_msg("%s: a run file was written after an input error", files[0]);
}

static void refused(const char *const *files, int nfiles)
{
    refused_under(NULL, files, nfiles);
}

/* Fails unless a line of the last stderr contains `where` (FILE:LINE: column C) and, on
 * the same line, every further string (the bad value, a suggestion), NULL-terminated. */
static void expect_line(const char *where, ...)
{
    const char *at = strstr(out_.err, where);
    if (!at)
        fail_msg("stderr has no \"%s\":\n%s", where, out_.err);
    const char *start = at, *end = strchr(at, '\n');
    while (start > out_.err && start[-1] != '\n')
        start--;
    size_t len = end ? (size_t)(end - start) : strlen(start);
    char line[4096];
    snprintf(line, sizeof line, "%.*s", (int)len, start);
    va_list ap;
    va_start(ap, where);
    for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
        if (!strstr(line, s)) {
            va_end(ap);
            fail_msg("the line of \"%s\" does not contain \"%s\":\n%s", where, s, line);
        }
    va_end(ap);
}

/* Fails if stderr mentions `where` (a line that must not be reported). */
static void expect_no(const char *where)
{
    if (strstr(out_.err, where))
        fail_msg("stderr reports \"%s\", a valid row:\n%s", where, out_.err);
}

static void test_bad_capacity(void **unused)
{
    (void)unused;
    char neg[1024], need[1024], overlap[2048], ext[1024];
    snprintf(neg, sizeof neg,
             "%skinship,in_house,carers,,,unlimited,,,,,,\n"
             "foster,in_house,carers,,,-3,,,,,,\n",
             CAP_HEADER);
    snprintf(need, sizeof need, "%sfostr,in_house,carers,,,3,,,,,,\n", CAP_HEADER);
    /* line 3 starts the day after line 2 ends and line 4 has another name: both fine;
     * line 5 shares 2026-03-31 with line 2 (and overlaps line 3) */
    snprintf(overlap, sizeof overlap,
             "%sfoster,in_house,carers,2025-04-01,2026-03-31,3,,,,,,\n"
             "foster,in_house,carers,2026-04-01,,4,,,,,,\n"
             "foster,in_house,hub,2025-04-01,2026-03-31,2,,,,,,\n"
             "foster,in_house,carers,2026-03-31,2026-12-31,5,,,,,,\n",
             CAP_HEADER);
    snprintf(ext, sizeof ext, "%sfoster,external,agencies,,,10,,,,,,\n", CAP_HEADER);

    const char *f1[] = {"bad-neg.ini", "[placements]\ncapacity = cap-neg.csv\n", "cap-neg.csv",
                        neg};
    refused(f1, 2);
    expect_line("cap-neg.csv:3: column beds", "'-3'", NULL);
    expect_no("cap-neg.csv:2:");

    const char *f2[] = {"bad-need.ini", "[placements]\ncapacity = cap-need.csv\n", "cap-need.csv",
                        need};
    refused(f2, 2);
    expect_line("cap-need.csv:2: column need", "'fostr'", "did you mean 'foster'", NULL);

    const char *f3[] = {"bad-overlap.ini", "[placements]\ncapacity = cap-overlap.csv\n",
                        "cap-overlap.csv", overlap};
    refused(f3, 2);
    expect_line("cap-overlap.csv:5: column from", "line 2", "'carers'", NULL);
    expect_no("cap-overlap.csv:3:"); /* adjacent dates do not overlap */
    expect_no("cap-overlap.csv:4:"); /* another name is another unit */

    const char *f4[] = {"bad-ext.ini", "[placements]\ncapacity = cap-ext.csv\n", "cap-ext.csv",
                        ext};
    refused(f4, 2);
    expect_line("cap-ext.csv:2: column provider", "'external'", NULL);
}

/* A beds value that is not a number: exit 2 with the message, and (under valgrind, when
 * installed, --error-exitcode 99) no read of an uninitialised value while choosing the
 * "(negative beds ...)" suffix. */
static void test_bad_capacity_not_a_number(void **unused)
{
    (void)unused;
    char cap[1024];
    snprintf(cap, sizeof cap, "%sfoster,in_house,carers,,,ten,,,,,,\n", CAP_HEADER);
    const char *f[] = {"bad-nan.ini", "[placements]\ncapacity = cap-nan.csv\n", "cap-nan.csv", cap};
    refused(f, 2);
    expect_line("cap-nan.csv:2: column beds", "'ten'", "expected a number", NULL);
#if defined(__SANITIZE_ADDRESS__)
    printf("# a sanitizer build: valgrind cannot run it, the uninitialised read is not checked\n");
    return;
#endif
    if (access("/usr/bin/valgrind", X_OK) != 0) {
        printf("# valgrind not installed: the uninitialised read is not checked\n");
        return;
    }
    const char *vg[] = {"/usr/bin/valgrind", "-q", "--error-exitcode=99", NULL};
    refused_under(vg, f, 2);
}

static void test_bad_costs(void **unused)
{
    (void)unused;
    char cap[512];
    snprintf(cap, sizeof cap, "%sfoster,in_house,carers,,,3,,,,,,\n", CAP_HEADER);
    /* line 2 fine; 3 an unknown item; 4 a negative cost; 6 the same item, provider and date
     * as 5; 8 (every provider) includes external, priced from the same date on line 7 */
    const char costs[] = "item,provider,from,weekly_cost,inflation,source\n"
                         "foster,,2025-04-01,800,0.03,fine\n"
                         "fostr,,2025-04-01,800,0.03,typo\n"
                         "supported,,2025-04-01,-150,0.03,negative\n"
                         "residential,external,2025-04-01,6000,0.05,first\n"
                         "residential,external,2025-04-01,6500,0.05,again\n"
                         "kinship,external,2026-04-01,100,0,spot\n"
                         "kinship,,2026-04-01,90,0,every provider\n";
    const char *f[] = {
        "bad-costs.ini", "[placements]\ncapacity = cap-ok.csv\ncosts = costs-bad.csv\n",
        "cap-ok.csv",    cap,
        "costs-bad.csv", costs};
    refused(f, 3);
    expect_line("costs-bad.csv:3: column item", "'fostr'", "did you mean 'foster'", NULL);
    expect_line("costs-bad.csv:4: column weekly_cost", "'-150'", NULL);
    expect_line("costs-bad.csv:6: column from", "2025-04-01", "line 5", NULL);
    expect_line("costs-bad.csv:8: column from", "2026-04-01", "line 7", NULL);
    expect_no("costs-bad.csv:2:");
    expect_no("costs-bad.csv:5:");
    expect_no("costs-bad.csv:7:");
}

static void test_bad_budget(void **unused)
{
    (void)unused;
    char cap[512];
    snprintf(cap, sizeof cap, "%sfoster,in_house,carers,,,3,,,,,,\n", CAP_HEADER);
    const char costs[] = "item,provider,from,weekly_cost,inflation,source\n"
                         "foster,,2025-04-01,800,0.03,fine\n";
    const char *f1[] = {"bad-year.ini",
                        "[placements]\ncapacity = cap-ok.csv\ncosts = costs-ok.csv\n"
                        "budget = budget-year.csv\n",
                        "cap-ok.csv",
                        cap,
                        "costs-ok.csv",
                        costs,
                        "budget-year.csv",
                        "year,line,budget\n2025-26,total,1000000\n2025,total,1000000\n"};
    refused(f1, 4);
    expect_line("budget-year.csv:3: column year", "'2025'", NULL);
    expect_no("budget-year.csv:2:");
    const char *f2[] = {"bad-line.ini",
                        "[placements]\ncapacity = cap-ok.csv\ncosts = costs-ok.csv\n"
                        "budget = budget-line.csv\n",
                        "budget-line.csv",
                        "year,line,budget\n2025-26,foster,1000000\n2025-26,totl,1000000\n"};
    refused(f2, 2);
    expect_line("budget-line.csv:3: column line", "'totl'", "did you mean 'total'", NULL);
    expect_no("budget-line.csv:2:");
}

/* A budget file with a bad year on one line and an unknown cost line on another: both
 * reported in one run (finance.h: every problem with file, line and column; a problem in
 * one line or file does not stop the others being checked). */
static void test_bad_budget_every_problem(void **unused)
{
    (void)unused;
    char cap[512];
    snprintf(cap, sizeof cap, "%sfoster,in_house,carers,,,3,,,,,,\n", CAP_HEADER);
    const char *f[] = {"bad-both.ini",
                       "[placements]\ncapacity = cap-ok.csv\ncosts = costs-ok.csv\n"
                       "budget = budget-both.csv\n",
                       "cap-ok.csv",
                       cap,
                       "costs-ok.csv",
                       "item,provider,from,weekly_cost,inflation,source\n"
                       "foster,,2025-04-01,800,0.03,fine\n",
                       "budget-both.csv",
                       "year,line,budget\n2025,total,1000000\n2025-26,totl,1000000\n"};
    refused(f, 4);
    expect_line("budget-both.csv:2: column year", "'2025'", NULL);
    expect_line("budget-both.csv:3: column line", "'totl'", "did you mean 'total'", NULL);
}

/* ---- 6. more foster carers --------------------------------------------------------------- */

/* The shipped capacity and costs, with and without scenarios/foster-recruitment.ini's
 * lever (20 more in-house foster households a year from the start). The children are the
 * same (stock identical); new carers only add in-house foster beds, so fewer children go
 * to spot foster placements (median of the per-replicate difference at 24 months < 0)
 * and, an in-house place (646 a week in 2017) costing less than an IFA one (820 in 2020),
 * the foster line is no higher in either full financial year (P95 of the per-replicate
 * difference <= 0, ours and the run file's summary) and lower in the second (median
 * < 0). */
static void test_foster_recruitment(void **unused)
{
    (void)unused;
    char ini[2][512], out[512], text[2048];
    snprintf(text, sizeof text,
             "name = base\n[placements]\ncapacity = %s/scenarios/placements/capacity.csv\n"
             "costs = %s/scenarios/placements/costs.csv\n",
             home, home);
    write_in(ini[0], sizeof ini[0], "fr-base.ini", text);
    write_in(ini[1], sizeof ini[1], "fr-campaign.ini",
             "base = fr-base.ini\nname = campaign\n"
             "[capacity_change.foster_campaign]\nneed = foster\nprovider = in_house\n"
             "recruitment_per_year = 20\nstart = 2025-04-01\n");
    const char *scen[] = {ini[0], ini[1]};
    runfile *rf = run_open(in_dir(out, sizeof out, "run-foster.h5"), scen, 2, REPS, HORIZON, 2);
    int R = rf->R, M = rf->M, S = rf->S, Y = rf->Y, G = rf->layer[RUNFILE_PLACEMENTS].G;
    int L = rf->layer[RUNFILE_FINANCE].G;
    assert_int_equal(Y, 2);
    int32_t *s0 = stock_reps(rf, "base"), *s1 = stock_reps(rf, "campaign");
    assert_memory_equal(s0, s1, sizeof *s0 * (size_t)R * M * S);
    int gf = group(rf, RUNFILE_PLACEMENTS, "foster");
    double *e0 = pl_reps(rf, "base", "external"), *e1 = pl_reps(rf, "campaign", "external");
    double *h0 = pl_reps(rf, "base", "households"), *h1 = pl_reps(rf, "campaign", "households");
    double d[REPS], dh[REPS];
    for (int r = 0; r < R; r++) {
        size_t i = ((size_t)r * M + (M - 1)) * G + gf;
        d[r] = e1[i] - e0[i];
        dh[r] = h1[i] - h0[i];
    }
    double med = quantile(d, R, 0.5), medh = quantile(dh, R, 0.5);
    printf("# spot foster placements at 24 months, campaign - base: median %g (households "
           "%+g)\n",
           med, medh);
    assert_true(medh > 0);
    assert_true(med < 0);
    int lf = group(rf, RUNFILE_FINANCE, "foster");
    double *c0 = layer_reps(rf, "base", RUNFILE_FINANCE, "cost", true);
    double *c1 = layer_reps(rf, "campaign", RUNFILE_FINANCE, "cost", true);
    double summ[2 * RUNFILE_NSTATS * FIN_MAX_LINES];
    cc_err err = {{0}, 0};
    assert_int_equal(runfile_read_layer(rf, "campaign", RUNFILE_FINANCE,
                                        "year/difference/summary/cost", summ, &err),
                     CC_OK);
    for (int y = 0; y < Y; y++) {
        assert_int_equal(rf->year_months[y], 12);
        for (int r = 0; r < R; r++) {
            size_t i = ((size_t)r * Y + y) * L + lf;
            d[r] = c1[i] - c0[i];
        }
        double p95 = quantile(d, R, 0.95), p50 = quantile(d, R, 0.5);
        double file_p95 = summ[((size_t)y * L + lf) * RUNFILE_NSTATS + 7];
        printf("# foster cost %s, campaign - base: median %.0f, P95 %.0f (run file P95 %.0f)\n",
               rf->years[y], p50, p95, file_p95);
        assert_true(p95 <= 0);
        assert_true(file_p95 <= 0);
        if (y == 1)
            assert_true(p50 < 0);
    }
    free(s0);
    free(s1);
    free(e0);
    free(e1);
    free(h0);
    free(h1);
    free(c0);
    free(c1);
    runfile_close(rf);
}

/* ---- 7. threads do not matter ------------------------------------------------------------ */

/* The shipped capacity and costs with step-down, and the foster campaign (random carers in
 * two pools), run with 1 and with 2 threads: every placement measure and the cost, per
 * replicate, by month and by year, byte for byte; and the ledger's stock. */
static void test_threads(void **unused)
{
    (void)unused;
    char ini[2][512], out1[512], out2[512], text[2048];
    snprintf(text, sizeof text,
             "name = base\n[placements]\ncapacity = %s/scenarios/placements/capacity.csv\n"
             "costs = %s/scenarios/placements/costs.csv\nstep_down = yes\n",
             home, home);
    write_in(ini[0], sizeof ini[0], "th-base.ini", text);
    write_in(ini[1], sizeof ini[1], "th-campaign.ini",
             "base = th-base.ini\nname = campaign\n"
             "[capacity_change.foster_campaign]\nneed = foster\nrecruitment_per_year = 20\n");
    const char *scen[] = {ini[0], ini[1]};
    runfile *a = run_open(in_dir(out1, sizeof out1, "run-t1.h5"), scen, 2, REPS, HORIZON, 1);
    runfile *b = run_open(in_dir(out2, sizeof out2, "run-t2.h5"), scen, 2, REPS, HORIZON, 2);
    const char *names[2] = {"base", "campaign"};
    int compared = 0;
    for (int sc = 0; sc < 2; sc++) {
        for (int year = 0; year < 2; year++) {
            for (int k = 0; k < PL_NMEASURES; k++) {
                const char *mname = placement_measures[k].name;
                double *x = layer_reps(a, names[sc], RUNFILE_PLACEMENTS, mname, year);
                double *y = layer_reps(b, names[sc], RUNFILE_PLACEMENTS, mname, year);
                size_t n = (size_t)a->R * (year ? a->Y : a->M) * a->layer[RUNFILE_PLACEMENTS].G;
                if (memcmp(x, y, sizeof *x * n))
                    fail_msg("%s placements/%s%s differ between 1 and 2 threads", names[sc],
                             year ? "year/" : "", mname);
                free(x);
                free(y);
                compared++;
            }
            double *x = layer_reps(a, names[sc], RUNFILE_FINANCE, "cost", year);
            double *y = layer_reps(b, names[sc], RUNFILE_FINANCE, "cost", year);
            size_t n = (size_t)a->R * (year ? a->Y : a->M) * a->layer[RUNFILE_FINANCE].G;
            if (memcmp(x, y, sizeof *x * n))
                fail_msg("%s finance/%scost differs between 1 and 2 threads", names[sc],
                         year ? "year/" : "");
            free(x);
            free(y);
            compared++;
        }
        int32_t *s1 = stock_reps(a, names[sc]), *s2 = stock_reps(b, names[sc]);
        assert_memory_equal(s1, s2, sizeof *s1 * (size_t)a->R * a->M * a->S);
        free(s1);
        free(s2);
    }
    assert_int_equal(compared, 2 * 2 * (PL_NMEASURES + 1));
    /* the runs did use the threads asked for */
    assert_int_equal(a->threads, 1);
    assert_int_equal(b->threads, 2);
    runfile_close(a);
    runfile_close(b);
}

/* ---- group setup ------------------------------------------------------------------------ */

static int setup(void **unused)
{
    (void)unused;
    cc_install_gsl_handler();
    if (demo_fixture_make(&fx, "placement") != 0)
        return -1;
    def = fx.model->def;
    snprintf(home, sizeof home, "%s", getenv("CARECAST_HOME"));
    const char *b = getenv("CARECAST_BIN");
    if (b && *b)
        snprintf(bin, sizeof bin, "%s", b);
    else
        snprintf(bin, sizeof bin, "%s/build/carecast", home);
    if (access(bin, X_OK) != 0) {
        fprintf(stderr, "%s is not an executable (set CARECAST_BIN)\n", bin);
        return -1;
    }
    return 0;
}

static int teardown(void **unused)
{
    (void)unused;
    return demo_fixture_remove(&fx);
}

int main(void)
{
    /* CARECAST_HOME: the current folder when it is the source folder */
    if (!getenv("CARECAST_HOME") && access("models/standard.ini", R_OK) == 0) {
        char cwd[4096];
        if (getcwd(cwd, sizeof cwd))
            setenv("CARECAST_HOME", cwd, 0);
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unlimited_and_zero),
        cmocka_unit_test(test_occupied_on_start_date),
        cmocka_unit_test(test_demand_is_stock),
        cmocka_unit_test(test_finance_month_split),
        cmocka_unit_test(test_finance_daily_price),
        cmocka_unit_test(test_finance_cost_change),
        cmocka_unit_test(test_finance_service),
        cmocka_unit_test(test_overspend),
        cmocka_unit_test(test_bad_capacity),
        cmocka_unit_test(test_bad_capacity_not_a_number),
        cmocka_unit_test(test_bad_costs),
        cmocka_unit_test(test_bad_budget),
        cmocka_unit_test(test_bad_budget_every_problem),
        cmocka_unit_test(test_foster_recruitment),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests_name("placements and finance", tests, setup, teardown);
}
