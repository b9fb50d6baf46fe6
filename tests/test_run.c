/* test_run.c -- end to end on the synthetic council: synth, run, the run file, info.
 *
 *  - the synthetic council has the scale the demo promises (checked on its history);
 *  - conservation in every replicate, month and state: stock(m) = stock(m-1) + entries -
 *    exits, starting from the stock on the start date;
 *  - exact ages: nobody stays in REF/CIN/CP/CLA past their 18th birthday, nor as a care
 *    leaver past their 25th (checked on every stay the kernel reports);
 *  - byte-identical per-replicate datasets with 1 and 2 threads;
 *  - the run file layout documented in README.md, and a round trip through `info --csv`
 *    whose quantiles are recomputed here from the per-replicate arrays.
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

#include <hdf5.h>

#include "date.h"
#include "h5io.h"
#include "model.h"
#include "run.h"
#include "runfile.h"
#include "sim.h"
#include "synth.h"

enum { R = 40, HORIZON = 30 };

static char dir[256], truth[300], run1[300], run2[300];

static int setup(void **unused)
{
    (void)unused;
    if (!getenv("CARECAST_HOME") || !getenv("CARECAST_BIN")) {
        fprintf(stderr, "set CARECAST_HOME and CARECAST_BIN (make test does)\n");
        return -1;
    }
    h5io_init();
    snprintf(dir, sizeof dir, "/tmp/carecast-test-run-XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    snprintf(truth, sizeof truth, "%s/truth.h5", dir);
    snprintf(run1, sizeof run1, "%s/run1.h5", dir);
    snprintf(run2, sizeof run2, "%s/run2.h5", dir);
    char *argv[] = {"synth", "--out", dir, NULL};
    if (synth_main(3, argv) != CC_OK)
        return -1;
    for (int threads = 1; threads <= 2; threads++) {
        run_config c = {truth, threads == 1 ? run1 : run2, R, threads, 2024, INT_MIN, HORIZON,
                        false, false, false, 0, NULL};
        cc_err err = {{0}, 0};
        if (run_execute(&c, NULL, &err) != CC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return -1;
        }
    }
    return 0;
}

static int teardown(void **unused)
{
    (void)unused;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static model *load_truth(void)
{
    cc_err err = {{0}, 0};
    int status;
    model *m = model_read(truth, &err, &status);
    if (!m)
        fail_msg("%s", err.msg);
    return m;
}

/* ---- the synthetic council's scale -------------------------------------------------- */

typedef struct count_ctx {
    int day;
    int counts[MD_MAX];
} count_ctx;

static void count_at(void *vctx, const model_span *sp)
{
    const model_episode *e = sp->episode;
    int state = sp->state, start = sp->start, end = sp->end;
    (void)e;
    count_ctx *c = vctx;
    if (start <= c->day && c->day < end)
        c->counts[state]++;
}

static void test_synth_scale(void **unused)
{
    (void)unused;
    model *m = load_truth();
    const modeldef *d = m->def;
    int cin = modeldef_state_index(d, "CIN"), cp = modeldef_state_index(d, "CP");
    int ref = modeldef_state_index(d, "REF"), cl = modeldef_state_index(d, "CL");
    /* 8+ years of history */
    assert_true(m->extract_date - m->history_start >= 8 * 365);
    /* stocks at each 31 March of the history: the demo's promised scale on average,
     * and every snapshot within 15% of the band (one realisation of a random council) */
    double sum_cin = 0, sum_cp = 0, sum_cla = 0;
    int n = 0;
    int y0, mo, da;
    date_to_ymd(m->history_start, &y0, &mo, &da);
    for (int y = y0 + 1; date_from_ymd(y, 3, 31) <= m->extract_date; y++, n++) {
        count_ctx c = {date_from_ymd(y, 3, 31), {0}};
        model_spans(m, count_at, &c);
        int cla = 0;
        for (int s = 0; s < d->nstates; s++)
            if (d->states[s].looked_after)
                cla += c.counts[s];
        sum_cin += c.counts[cin];
        sum_cp += c.counts[cp];
        sum_cla += cla;
        if (c.counts[cin] < 600 || c.counts[cin] > 920 || c.counts[cp] < 170 ||
            c.counts[cp] > 290 || cla < 235 || cla > 370)
            fail_msg("31 March %d: CIN %d, CP %d, CLA %d", y, c.counts[cin], c.counts[cp], cla);
    }
    assert_true(n >= 8);
    assert_in_range((long)(sum_cin / n), 700, 800);
    assert_in_range((long)(sum_cp / n), 200, 250);
    assert_in_range((long)(sum_cla / n), 270, 330);
    /* referrals a year (REF episodes starting in each financial year) */
    for (int y = y0; date_from_ymd(y + 1, 3, 31) <= m->extract_date; y++) {
        int a = date_from_ymd(y, 4, 1), b = date_from_ymd(y + 1, 4, 1), refs = 0;
        for (int64_t i = 0; i < m->nepisodes; i++)
            refs += m->episodes[i].state == ref && m->episodes[i].start >= a &&
                    m->episodes[i].start < b;
        if (refs < 3500 || refs > 4500)
            fail_msg("referrals in %d/%d: %d", y, y + 1, refs);
    }
    /* ageing out: every care-leaver episode starts on the 18th birthday; re-referrals:
     * some children have a second referral */
    int leavers = 0, rereferred = 0;
    for (int64_t i = 0; i < m->nepisodes; i++) {
        const model_episode *e = &m->episodes[i];
        if (e->state == cl && e->start >= m->history_start) {
            assert_int_equal(e->start, date_add_years(e->dob, 18));
            leavers++;
        }
        if (e->state == ref && i > 0 && m->episodes[i - 1].child == e->child &&
            m->episodes[i - 1].end < e->start)
            rereferred++;
    }
    assert_true(leavers > 200);
    assert_true(rereferred > 3000);
    /* true hazards depend on age and on duration in the state */
    int k = -1;
    for (int t = 0; t < m->ntrans; t++)
        if (m->from[t] == modeldef_state_index(d, "CLA_FOS") &&
            m->to[t] == d->nstates + modeldef_exit_index(d, "returned_home"))
            k = t;
    assert_true(k >= 0);
    const double *h = model_rate(m, k);
    assert_true(h[4 * d->ndur + 0] > 5 * h[4 * d->ndur + 5]); /* short vs long stays */
    assert_true(h[6 * d->ndur + 0] == 0);                     /* nobody in care at 18+ */
    model_free(m);
}

/* ---- conservation ------------------------------------------------------------------- */

static int32_t *read_ints(hid_t f, const char *name, size_t n)
{
    int32_t *v = malloc(sizeof *v * n);
    cc_err err = {{0}, 0};
    if (h5io_read(f, name, H5T_NATIVE_INT32, v, n, "run", &err) != CC_OK)
        fail_msg("%s", err.msg);
    return v;
}

static void test_conservation(void **unused)
{
    (void)unused;
    cc_err err = {{0}, 0};
    int status;
    runfile *rf = runfile_open(run1, &err, &status);
    assert_non_null(rf);
    int S = rf->S, M = rf->M;
    size_t n = (size_t)R * M * S;
    hid_t f = (hid_t)rf->h5;
    int32_t *stock = read_ints(f, "scenarios/baseline/stock", n);
    int32_t *in = read_ints(f, "scenarios/baseline/entries", n);
    int32_t *out = read_ints(f, "scenarios/baseline/exits", n);
    int32_t *arr = read_ints(f, "scenarios/baseline/arrivals", n);
    int32_t *init = read_ints(f, "scenarios/baseline/initial_stock", (size_t)S);
    hsize_t fd[8];
    assert_int_equal(h5io_dims(f, "scenarios/baseline/flows", fd), 3);
    int F = (int)fd[2];
    int32_t *flows = read_ints(f, "scenarios/baseline/flows", (size_t)R * M * F);
    int32_t *from = read_ints(f, "scenarios/baseline/flow_from", (size_t)F);
    for (int r = 0; r < R; r++)
        for (int m = 0; m < M; m++)
            for (int s = 0; s < S; s++) {
                size_t i = ((size_t)r * M + m) * S + s;
                int32_t before = m == 0 ? init[s] : stock[i - S];
                if (stock[i] != before + in[i] - out[i])
                    fail_msg("replicate %d month %d state %s: %d != %d + %d - %d", r, m,
                             rf->cohorts[s], stock[i], before, in[i], out[i]);
                /* exits are the sums of the flows leaving the state */
                int32_t sum = 0;
                for (int k = 0; k < F; k++)
                    if (from[k] == s)
                        sum += flows[((size_t)r * M + m) * F + k];
                assert_int_equal(sum, out[i]);
                assert_true(arr[i] <= in[i]);
            }
    /* The start matches the last observed month end for recorded states; a derived
     * state (CLOSED) may differ by the spans that expire on the start day itself. */
    for (int s = 0; s < S; s++) {
        int seen = (int)rf->history[(size_t)(rf->H - 1) * rf->C + s];
        if (strcmp(rf->cohorts[s], "CLOSED"))
            assert_int_equal(init[s], seen);
        else
            assert_true(abs(init[s] - seen) <= seen / 100);
    }
    free(stock);
    free(in);
    free(out);
    free(arr);
    free(init);
    free(flows);
    free(from);
    runfile_close(rf);
}

/* ---- exact ages on every stay ------------------------------------------------------- */

typedef struct age_check {
    const modeldef *def;
    int checked, violations, aged_out;
} age_check;

static void check_stay(void *ctx, const sim_event *ev)
{
    age_check *a = ctx;
    if (ev->from < 0)
        return;
    const md_state *st = &a->def->states[ev->from];
    double limit = st->max_age > 0 ? date_add_years(ev->dob, (int)st->max_age) : INFINITY;
    a->checked++;
    if (ev->time > limit + 1e-9) {
        a->violations++;
        fprintf(stderr, "in %s at %.3f past its age limit (day %.0f)\n", st->name, ev->time,
                limit);
    }
    if (ev->then >= 0 && !strcmp(a->def->states[ev->then].name, "CL") &&
        ev->time < date_add_years(ev->dob, 18) - 1e-9)
        a->violations++;
    if (ev->target >= a->def->nstates &&
        !strcmp(a->def->exits[ev->target - a->def->nstates].name, "aged_out"))
        a->aged_out++;
}

static void test_exact_ages(void **unused)
{
    (void)unused;
    model *m = load_truth();
    cc_err err = {{0}, 0};
    int status;
    sim_setup *s = sim_setup_alloc(m, m->extract_date + 1, 120, 3, &err, &status);
    assert_non_null(s);
    sim_work *w = sim_work_alloc(s);
    age_check a = {m->def, 0, 0, 0};
    sim_work_observe(w, check_stay, &a);
    sim_ledger *l = sim_ledger_alloc(s);
    for (int r = 0; r < 5; r++)
        sim_replicate(s, w, r, l);
    assert_true(a.checked > 10000);
    assert_true(a.aged_out > 100);
    assert_int_equal(a.violations, 0);
    sim_ledger_free(l);
    sim_work_free(w);
    sim_setup_free(s);
    model_free(m);
}

/* ---- threads ------------------------------------------------------------------------ */

static void *read_raw(const char *path, const char *name, size_t *bytes)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t ds = H5Dopen2(f, name, H5P_DEFAULT);
    assert_true(ds >= 0);
    hid_t type = H5Dget_type(ds);
    hid_t space = H5Dget_space(ds);
    *bytes = (size_t)H5Sget_simple_extent_npoints(space) * H5Tget_size(type);
    void *buf = malloc(*bytes);
    assert_true(H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0);
    H5Tclose(type);
    H5Sclose(space);
    H5Dclose(ds);
    H5Fclose(f);
    return buf;
}

static void test_threads_identical(void **unused)
{
    (void)unused;
    static const char *names[] = {"stock", "entries", "exits", "arrivals", "person_days",
                                  "flows", "summary/stock", "summary/person_days"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "scenarios/baseline/%s", names[i]);
        size_t na, nb;
        void *a = read_raw(run1, path, &na), *b = read_raw(run2, path, &nb);
        assert_int_equal(na, nb);
        if (memcmp(a, b, na))
            fail_msg("%s differs between 1 and 2 threads", path);
        free(a);
        free(b);
    }
    /* and the two files record the thread counts they ran with */
    cc_err err = {{0}, 0};
    int status;
    runfile *a = runfile_open(run1, &err, &status), *b = runfile_open(run2, &err, &status);
    assert_int_equal(a->threads, 1);
    assert_int_equal(b->threads, 2);
    runfile_close(a);
    runfile_close(b);
}

/* ---- layout ------------------------------------------------------------------------- */

static void test_layout(void **unused)
{
    (void)unused;
    hid_t f = H5Fopen(run1, H5F_ACC_RDONLY, H5P_DEFAULT);
    assert_true(f >= 0);
    static const char *attrs[] = {"format", "format_version", "tool_version", "revision",
                                  "command_line", "seed", "replicates", "threads", "start_date",
                                  "horizon_months", "model_file", "model_source"};
    for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++)
        if (H5Aexists(f, attrs[i]) <= 0)
            fail_msg("root attribute %s is missing", attrs[i]);
    static const char *datasets[] = {
        "parameters", "model/definition", "model/states", "model/hazards/from",
        "model/hazards/to", "model/hazards/rate", "model/hazards/events",
        "model/hazards/exposure", "model/entries/rate", "model/population/count",
        "months/end_date", "months/start_day", "cohorts", "history/end_date", "history/stock",
        "scenarios/baseline/stock", "scenarios/baseline/entries", "scenarios/baseline/exits",
        "scenarios/baseline/arrivals", "scenarios/baseline/person_days",
        "scenarios/baseline/flows", "scenarios/baseline/flow_from",
        "scenarios/baseline/flow_to", "scenarios/baseline/initial_stock",
        "scenarios/baseline/summary/stock", "scenarios/baseline/summary/entries",
        "scenarios/baseline/summary/exits", "scenarios/baseline/summary/arrivals",
        "scenarios/baseline/summary/person_days"};
    for (size_t i = 0; i < sizeof datasets / sizeof datasets[0]; i++) {
        hid_t ds = H5Dopen2(f, datasets[i], H5P_DEFAULT);
        if (ds < 0)
            fail_msg("dataset %s is missing", datasets[i]);
        if (H5Aexists(ds, "description") <= 0 || H5Aexists(ds, "units") <= 0)
            fail_msg("dataset %s lacks a description or units attribute", datasets[i]);
        H5Dclose(ds);
    }
    /* per-replicate arrays: [replicate][month][state], chunked along replicates,
     * compressed and checksummed */
    hid_t ds = H5Dopen2(f, "scenarios/baseline/stock", H5P_DEFAULT);
    hid_t space = H5Dget_space(ds);
    hsize_t dims[3];
    assert_int_equal(H5Sget_simple_extent_ndims(space), 3);
    H5Sget_simple_extent_dims(space, dims, NULL);
    assert_int_equal(dims[0], R);
    assert_int_equal(dims[1], HORIZON);
    assert_int_equal(dims[2], 12);
    hid_t dcpl = H5Dget_create_plist(ds);
    assert_int_equal(H5Pget_layout(dcpl), H5D_CHUNKED);
    hsize_t chunk[3];
    H5Pget_chunk(dcpl, 3, chunk);
    assert_true(chunk[0] >= 1 && chunk[0] <= R && chunk[1] == HORIZON && chunk[2] == 12);
    int deflate = 0, fletcher = 0;
    for (int i = 0; i < H5Pget_nfilters(dcpl); i++) {
        unsigned flags;
        size_t nelem = 0;
        H5Z_filter_t id = H5Pget_filter2(dcpl, (unsigned)i, &flags, &nelem, NULL, 0, NULL,
                                         NULL);
        deflate |= id == H5Z_FILTER_DEFLATE;
        fletcher |= id == H5Z_FILTER_FLETCHER32;
    }
    assert_true(deflate && fletcher);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Dclose(ds);
    H5Fclose(f);
}

/* ---- info --csv round trip ---------------------------------------------------------- */

/* Type-7 sample quantile (linear interpolation between order statistics), written out
 * here independently of GSL. */
static double quantile(double *v, int n, double p)
{
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    double h = (n - 1) * p;
    int lo = (int)floor(h);
    return lo + 1 < n ? v[lo] + (h - lo) * (v[lo + 1] - v[lo]) : v[lo];
}

static void test_info_csv(void **unused)
{
    (void)unused;
    cc_err err = {{0}, 0};
    int status;
    runfile *rf = runfile_open(run1, &err, &status);
    size_t n = (size_t)R * rf->M * rf->S;
    int32_t *stock = read_ints((hid_t)rf->h5, "scenarios/baseline/stock", n);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "%s info %s --csv", getenv("CARECAST_BIN"), run1);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[512];
    assert_non_null(fgets(line, sizeof line, p));
    assert_string_equal(line, "scenario,date,cohort,mean,p5,p10,p25,p50,p75,p90,p95\n");
    int rows = 0, checked = 0;
    while (fgets(line, sizeof line, p)) {
        char scen[64], date[16], cohort[32];
        double v[8];
        int got = sscanf(line, "%63[^,],%15[^,],%31[^,],%lf,%lf,%lf,%lf,%lf,%lf,%lf,%lf", scen,
                         date, cohort, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
        assert_int_equal(got, 11);
        int m = rows / rf->C;
        assert_string_equal(date, rf->month_end[m]);
        rows++;
        bool cla = !strcmp(cohort, "CLA");
        int c = runfile_cohort(rf, cohort);
        assert_true(c >= 0);
        double col[R], mean = 0;
        for (int r = 0; r < R; r++) {
            double x = 0;
            for (int s = 0; s < rf->S; s++)
                if (cla ? !strncmp(rf->cohorts[s], "CLA_", 4) : s == c)
                    x += stock[((size_t)r * rf->M + m) * rf->S + s];
            col[r] = x;
            mean += x / R;
        }
        const double ps[7] = {0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95};
        assert_true(fabs(v[0] - mean) <= 1e-5 * fabs(mean) + 1e-9);
        for (int q = 0; q < 7; q++) {
            double want = quantile(col, R, ps[q]);
            if (fabs(v[q + 1] - want) > 1e-5 * fabs(want) + 1e-9)
                fail_msg("%s %s p%.0f: csv %g, recomputed %g", date, cohort, ps[q] * 100,
                         v[q + 1], want);
        }
        checked++;
    }
    assert_int_equal(pclose(p), 0);
    assert_int_equal(rows, rf->M * rf->C);
    assert_int_equal(checked, rows);
    free(stock);
    runfile_close(rf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_synth_scale),   cmocka_unit_test(test_conservation),
        cmocka_unit_test(test_exact_ages),    cmocka_unit_test(test_threads_identical),
        cmocka_unit_test(test_layout),        cmocka_unit_test(test_info_csv),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
