/* backtest.c -- rolling-origin backtest (see backtest.h): the structure both sources
 * fill, the published-statistics source, scoring, the command, the file and its charts.
 *
 * backtest_compute() runs the cases of published statistics in parallel, one council
 * per task: for each origin and level it pools what is learnt across councils (once per
 * origin and level, before the parallel loop), fits the council, draws the replicates
 * and keeps the quantiles of each target year. Each replicate's numbers come from the
 * stream (seed, replicate, RNG_BACKTEST, origin x level, council), so any number of
 * threads gives the same file. The records source is btrecords.c. Outcomes and naive
 * forecasts come from the history the source fills (backtest_set_outcomes); scoring
 * happens when the summary is asked for, from the stored quantiles, so the file holds
 * everything needed to recompute any other score. The charts read the file back into
 * the same structure.
 */
#include "backtest.h"

#include <ctype.h>
#include <limits.h>
#include <dirent.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "aggmodel.h"
#include "btrecords.h"
#include "date.h"
#include "fit.h"
#include "h5io.h"
#include "plot.h"
#include "rng.h"
#include "runfile.h"
#include "util.h"
#include "version.h"

#define MAX_INPUTS 64

static const char *const bt_names[BT_NMEASURES] = {
    "cla_at_31_march", "cla_started_in_year", "cin_at_31_march",
    "cin_episodes_started", "cpp_at_31_march", "cpp_started_in_year"};

static const char *const bt_titles[BT_NMEASURES] = {
    "children looked after at 31 March", "children starting to be looked after in the year",
    "children in need at 31 March", "CIN episodes started in the year",
    "children on a child protection plan at 31 March", "CP plans started in the year"};

const char *backtest_measure_name(int m)
{
    return m >= 0 && m < BT_NMEASURES ? bt_names[m] : "?";
}

static aggmodel_level level_of(int m)
{
    static const aggmodel_level lv[3] = {AGGMODEL_CLA, AGGMODEL_CIN, AGGMODEL_CP};
    return lv[m / 2];
}

static agg_measure published(int m)
{
    return m % 2 ? aggmodel_starts_measure(level_of(m)) : aggmodel_stock_measure(level_of(m));
}

size_t backtest_case(const backtest *bt, int g, int o, int h, int m)
{
    return (((size_t)g * bt->O + o) * bt->H + h) * bt->M + m;
}

/* The value of geography g's measure m in `year`, NaN outside the history. */
static double history_at(const backtest *bt, int g, int m, int year)
{
    int y = year - bt->years[0];
    return y >= 0 && y < bt->Y ? bt->history[((size_t)g * bt->M + m) * bt->Y + y] : NAN;
}

/* The two naive forecasts of geography g's measure m at origin + k: its last value up to
 * the origin, and the least-squares line through its values in the three years ending
 * at the origin (at least two of them; never below zero). */
static void naive(const backtest *bt, int g, int m, int origin, int k, double *last,
                  double *trend)
{
    *last = *trend = NAN;
    for (int y = origin; y >= bt->years[0] && isnan(*last); y--)
        *last = history_at(bt, g, m, y);
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    int n = 0;
    for (int y = origin - 2; y <= origin; y++) {
        double v = history_at(bt, g, m, y);
        if (isnan(v))
            continue;
        double x = y - origin;
        sx += x, sy += v, sxx += x * x, sxy += x * v;
        n++;
    }
    if (n >= 2) {
        double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
        double value = sy / n + slope * (k - sx / n);
        *trend = value > 0 ? value : 0;
    }
}

void backtest_set_outcomes(backtest *bt)
{
    for (int g = 0; g < bt->G; g++)
        for (int o = 0; o < bt->O; o++)
            for (int h = 0; h < bt->H; h++)
                for (int m = 0; m < bt->M; m++) {
                    int origin = bt->cfg.first_origin + o;
                    size_t i = backtest_case(bt, g, o, h, m);
                    bt->actual[i] = history_at(bt, g, m, origin + h + 1);
                    naive(bt, g, m, origin, h + 1, &bt->last[i], &bt->trend[i]);
                }
}

void backtest_set_forecast(backtest *bt, size_t i, double *draws, int R)
{
    double *q = &bt->quantile[i * BT_NQ];
    gsl_sort(draws, 1, (size_t)R);
    bt->mean[i] = gsl_stats_mean(draws, 1, (size_t)R);
    for (int k = 0; k < BT_NQ; k++)
        q[k] = gsl_stats_quantile_from_sorted_data(draws, 1, (size_t)R, runfile_percentiles[k]);
}

backtest *backtest_alloc(const backtest_config *cfg, int G, int M, int Y)
{
    backtest *bt = calloc(1, sizeof *bt);
    if (!bt)
        return NULL;
    bt->cfg = *cfg;
    bt->G = G;
    bt->M = M;
    bt->Y = Y;
    bt->O = cfg->last_origin - cfg->first_origin + 1;
    bt->H = cfg->horizons;
    size_t g1 = (size_t)(G > 0 ? G : 1), cases = g1 * bt->O * bt->H * M;
    bt->code = calloc(g1, sizeof *bt->code);
    bt->name = calloc(g1, sizeof *bt->name);
    bt->years = calloc((size_t)(Y > 0 ? Y : 1), sizeof *bt->years);
    bt->history = malloc(sizeof(double) * g1 * M * (Y > 0 ? Y : 1));
    bt->actual = malloc(sizeof(double) * cases);
    bt->quantile = malloc(sizeof(double) * cases * BT_NQ);
    bt->mean = malloc(sizeof(double) * cases);
    bt->last = malloc(sizeof(double) * cases);
    bt->trend = malloc(sizeof(double) * cases);
    if (!bt->code || !bt->name || !bt->years || !bt->history || !bt->actual || !bt->quantile ||
        !bt->mean || !bt->last || !bt->trend) {
        backtest_free(bt);
        return NULL;
    }
    for (size_t i = 0; i < g1 * M * (Y > 0 ? Y : 1); i++)
        bt->history[i] = NAN;
    for (size_t i = 0; i < cases; i++) {
        bt->actual[i] = bt->mean[i] = bt->last[i] = bt->trend[i] = NAN;
        for (int k = 0; k < BT_NQ; k++)
            bt->quantile[i * BT_NQ + k] = NAN;
    }
    return bt;
}

void backtest_free(backtest *bt)
{
    if (!bt)
        return;
    free(bt->code);
    free(bt->name);
    free(bt->years);
    free(bt->history);
    free(bt->actual);
    free(bt->quantile);
    free(bt->mean);
    free(bt->last);
    free(bt->trend);
    free(bt->geo);
    free(bt->params);
    free(bt->pool);
    free(bt->projection);
    for (int o = 0; bt->fitted && o < bt->O; o++)
        model_free(bt->fitted[o]);
    free(bt->fitted);
    free(bt);
}

/* Runs one council's cases; `buf` holds replicates x years x 2 doubles. */
static void council_cases(backtest *bt, int gi, const aggmodel_pool *pools, rng *r, double *buf)
{
    const aggdata *a = bt->data;
    int g = bt->geo[gi], R = bt->cfg.replicates, H = bt->H;
    for (int o = 0; o < bt->O; o++) {
        int origin = bt->cfg.first_origin + o;
        for (int l = 0; l < AGGMODEL_NLEVELS; l++) {
            const aggmodel_pool *pool = &pools[o * AGGMODEL_NLEVELS + l];
            aggmodel_fit fit;
            bool ok = aggmodel_fit_council(a, g, (aggmodel_level)l, origin, pool, &fit);
            double *par =
                &bt->params[(((size_t)gi * bt->O + o) * AGGMODEL_NLEVELS + l) * BT_NPARAMS];
            par[0] = fit.level[AGGMODEL_ENTRY], par[1] = fit.var[AGGMODEL_ENTRY];
            par[2] = fit.level[AGGMODEL_EXIT], par[3] = fit.var[AGGMODEL_EXIT];
            par[4] = fit.cov;
            if (!ok)
                continue;
            int Y = origin + H - fit.stock_year; /* years simulated */
            double *stock = buf, *starts = buf + (size_t)R * Y;
            for (int rep = 0; rep < R; rep++) {
                rng_stream(r, bt->cfg.seed, (uint64_t)rep, RNG_BACKTEST,
                           (uint64_t)origin * AGGMODEL_NLEVELS + (uint64_t)l, (uint64_t)g);
                aggmodel_project(&fit, pool, origin, H, r, stock + (size_t)rep * Y,
                                 starts + (size_t)rep * Y);
            }
            for (int h = 0; h < H; h++)
                for (int s = 0; s < 2; s++) {
                    /* Gather this target year's draws into the spare end of buf. */
                    double *col = buf + (size_t)2 * R * Y;
                    const double *src = s ? starts : stock;
                    int t = origin + h + 1 - fit.stock_year - 1;
                    for (int rep = 0; rep < R; rep++)
                        col[rep] = src[(size_t)rep * Y + t];
                    backtest_set_forecast(bt, backtest_case(bt, gi, o, h, 2 * l + s), col, R);
                }
        }
    }
}

backtest *backtest_compute(const aggdata *data, const backtest_config *cfg)
{
    double t0 = omp_get_wtime();
    int G = 0;
    for (int g = 0; g < data->ngeo; g++)
        G += cfg->geography >= 0 ? g == cfg->geography : data->geo[g].level == AGG_LA;
    backtest *bt = backtest_alloc(cfg, G, BT_NMEASURES, AGG_NYEARS);
    if (!bt)
        return NULL;
    util_copy(bt->source, "published statistics", sizeof bt->source);
    bt->data = data;
    bt->geo = malloc(sizeof *bt->geo * (size_t)(G > 0 ? G : 1));
    bt->params =
        malloc(sizeof(double) * (size_t)(G ? G : 1) * bt->O * AGGMODEL_NLEVELS * BT_NPARAMS);
    bt->pool = malloc(sizeof(double) * (size_t)bt->O * AGGMODEL_NLEVELS * BT_NPOOL);
    bt->projection =
        malloc(sizeof(double) * (size_t)bt->O * AGGMODEL_NLEVELS * 4 * AGGMODEL_MAX_AHEAD);
    aggmodel_pool *pools = malloc(sizeof *pools * (size_t)bt->O * AGGMODEL_NLEVELS);
    if (!bt->geo || !bt->params || !bt->pool || !bt->projection || !pools) {
        free(pools);
        backtest_free(bt);
        return NULL;
    }
    G = 0;
    for (int g = 0; g < data->ngeo; g++)
        if (cfg->geography >= 0 ? g == cfg->geography : data->geo[g].level == AGG_LA) {
            bt->geo[G] = g;
            util_copy(bt->code[G], data->geo[g].code, sizeof bt->code[G]);
            util_copy(bt->name[G], data->geo[g].name, sizeof bt->name[G]);
            G++;
        }
    for (int m = 0; m < BT_NMEASURES; m++) {
        util_copy(bt->measure[m], bt_names[m], sizeof bt->measure[m]);
        util_copy(bt->title[m], bt_titles[m], sizeof bt->title[m]);
    }
    for (int y = 0; y < AGG_NYEARS; y++)
        bt->years[y] = AGG_YEAR0 + y;
    for (int g = 0; g < G; g++)
        for (int m = 0; m < BT_NMEASURES; m++)
            for (int y = 0; y < AGG_NYEARS; y++)
                bt->history[((size_t)g * BT_NMEASURES + m) * AGG_NYEARS + y] =
                    aggdata_get(data, bt->geo[g], published(m), AGG_YEAR0 + y);
    bt->ninputs = data->nfiles < 32 ? data->nfiles : 32;
    for (int i = 0; i < bt->ninputs; i++)
        util_copy(bt->inputs[i], data->files[i], sizeof bt->inputs[i]);
    backtest_set_outcomes(bt);
    /* The pool's calibration draws run on OpenMP's default threads: --threads sets them
     * (the results do not depend on how many there are). */
    int default_threads = omp_get_max_threads();
    omp_set_num_threads(cfg->threads);
    for (int o = 0; o < bt->O; o++)
        for (int l = 0; l < AGGMODEL_NLEVELS; l++) {
            aggmodel_pool *p = &pools[o * AGGMODEL_NLEVELS + l];
            aggmodel_pool_estimate(data, (aggmodel_level)l, cfg->first_origin + o, p);
            double *out = &bt->pool[((size_t)o * AGGMODEL_NLEVELS + l) * BT_NPOOL];
            out[0] = p->q[AGGMODEL_ENTRY], out[1] = p->eps[AGGMODEL_ENTRY];
            out[2] = p->q[AGGMODEL_EXIT], out[3] = p->eps[AGGMODEL_EXIT];
            out[4] = p->q_cross, out[5] = p->eps_cross;
            const double *rows[4] = {p->damping, p->drift, p->scale, p->starts_scale};
            for (int k = 0; k < 4; k++)
                memcpy(&bt->projection[(((size_t)o * AGGMODEL_NLEVELS + l) * 4 + k) *
                                       AGGMODEL_MAX_AHEAD],
                       rows[k], sizeof(double) * AGGMODEL_MAX_AHEAD);
        }
    omp_set_num_threads(default_threads);
    /* Years simulated per case: back to a stock up to 3 years before the origin. */
    size_t per_thread = (size_t)cfg->replicates * (2 * (bt->H + 4) + 1);
    bool failed = false;
#pragma omp parallel num_threads(cfg->threads) default(none)                                      \
    shared(bt, pools, per_thread, failed)
    {
        rng *r = rng_alloc();
        double *buf = malloc(sizeof(double) * per_thread);
        if (!r || !buf) {
#pragma omp atomic write
            failed = true;
        }
#pragma omp for schedule(dynamic, 1)
        for (int gi = 0; gi < bt->G; gi++)
            if (r && buf)
                council_cases(bt, gi, pools, r, buf);
        rng_free(r);
        free(buf);
    }
    free(pools);
    if (failed) {
        backtest_free(bt);
        return NULL;
    }
    bt->seconds = omp_get_wtime() - t0;
    return bt;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static double median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    qsort(v, n, sizeof *v, cmp_double);
    return gsl_stats_median_from_sorted_data(v, 1, n);
}

void backtest_summary(const backtest *bt, int m, int h, double *out)
{
    size_t cap = (size_t)bt->G * bt->O * bt->H * (m < 0 ? bt->M : 1) + 1, n = 0;
    double *ape[3] = {malloc(cap * sizeof(double)), malloc(cap * sizeof(double)),
                      malloc(cap * sizeof(double))};
    double bias = 0, cover[3] = {0, 0, 0};
    for (int g = 0; ape[0] && ape[1] && ape[2] && g < bt->G; g++)
        for (int o = 0; o < bt->O; o++)
            for (int k = h ? h - 1 : 0; k < (h ? h : bt->H); k++)
            for (int mm = m < 0 ? 0 : m; mm < (m < 0 ? bt->M : m + 1); mm++) {
                size_t i = backtest_case(bt, g, o, k, mm);
                const double *q = &bt->quantile[i * BT_NQ];
                double a = bt->actual[i];
                /* A case counts when it was published (and not zero) and all three
                 * forecasts exist, so the three errors are over the same cases. */
                if (!(a > 0) || isnan(q[3]) || isnan(bt->last[i]) || isnan(bt->trend[i]))
                    continue;
                ape[0][n] = 100 * fabs(q[3] - a) / a;
                ape[1][n] = 100 * fabs(bt->last[i] - a) / a;
                ape[2][n] = 100 * fabs(bt->trend[i] - a) / a;
                bias += 100 * (q[3] - a) / a;
                cover[0] += q[2] <= a && a <= q[4];
                cover[1] += q[1] <= a && a <= q[5];
                cover[2] += q[0] <= a && a <= q[6];
                n++;
            }
    out[BT_S_N] = (double)n;
    out[BT_S_APE] = median(ape[0], n);
    out[BT_S_APE_LAST] = median(ape[1], n);
    out[BT_S_APE_TREND] = median(ape[2], n);
    out[BT_S_BIAS] = n ? bias / (double)n : NAN;
    for (int c = 0; c < 3; c++)
        out[BT_S_COVER50 + c] = n ? 100 * cover[c] / (double)n : NAN;
    for (int c = 0; c < 3; c++)
        free(ape[c]);
}

/* --- the command ------------------------------------------------------------------- */

const cli_spec backtest_options[] = {
    {"out", CLI_TEXT, "FILE.h5", "backtest file to write (required)"},
    {"csv", CLI_TEXT, "FILE.csv", "summary table (default: the --out path with .csv)"},
    {"cases", CLI_TEXT, "FILE.csv", "also write one row per council, origin, horizon, measure"},
    {"geography", CLI_TEXT, "NAME", "a council (name or LA code), England, or all (default)"},
    {"episodes", CLI_TEXT, "FILE",
     "backtest a council's own records instead: canonical episodes CSV (as for fit)"},
    {"ssda903", CLI_TEXT, "DIR", "records: SSDA903 header and episodes files (as for fit)"},
    {"population", CLI_TEXT, "FILE", "records: children by year and age 0-17 (as for fit)"},
    {"extract", CLI_DATE, "YYYY-MM-DD", "records: last day they cover (default as for fit)"},
    {"definition", CLI_TEXT, "FILE", "records: model definition (default models/standard.ini)"},
    {"window-years", CLI_LONG, "N",
     "records: years before each origin the fit learns from (default 3; fewer where the "
     "records start later)"},
    {"name", CLI_TEXT, "TEXT",
     "records: what to call them in the file and charts (default: the input's name)"},
    {"origins", CLI_TEXT, "FIRST:LAST",
     "origin years, ending 31 March (default 2017:2021; records: every year they allow)"},
    {"horizons", CLI_LONG, "N", "score 1 to N years ahead (default 3)"},
    {"replicates", CLI_LONG, "N", "Monte Carlo replicates per case (default 1000)"},
    {"seed", CLI_LONG, "S", "master seed (default 1)"},
    {"threads", CLI_LONG, "N", "worker threads (default: all cores)"},
    {"force", CLI_FLAG, NULL, "replace existing outputs"},
    {NULL, 0, NULL, NULL}};

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Reads a file, or every .csv file in a folder (in name order). */
static void read_input(aggdata *a, const char *path, problems *p)
{
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
        aggdata_read(a, path, p);
        return;
    }
    DIR *d = opendir(path);
    char *names[256];
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)) && n < 256) {
        size_t len = strlen(e->d_name);
        if (len > 4 && !strcasecmp(e->d_name + len - 4, ".csv") && e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, (size_t)n, sizeof *names, cmp_str);
    for (int i = 0; i < n; i++) {
        char full[4200];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        if (names[i])
            aggdata_read(a, full, p);
        free(names[i]);
    }
    if (n == 0)
        problems_add(p, PROBLEM_ERROR, path, 0, NULL, "no .csv files in this folder");
}

static const char *const summary_columns[BT_NSUMMARY] = {
    "n_cases", "median_ape_carecast", "median_ape_last_value", "median_ape_linear_trend",
    "mean_percentage_error_carecast", "coverage_50", "coverage_80", "coverage_90"};

/* Rows of the summary: every measure, and for a council's records (one geography, many
 * small measures) every measure pooled, the figure to judge its intervals by. */
static int summary_rows(const backtest *bt)
{
    return bt->M + (bt->fitted != NULL);
}

static const char *row_name(const backtest *bt, int m)
{
    return m < bt->M ? bt->measure[m] : "all_measures";
}

static void write_summary_csv(const backtest *bt, FILE *f)
{
    fprintf(f, "measure,horizon_years");
    for (int s = 0; s < BT_NSUMMARY; s++)
        fprintf(f, ",%s", summary_columns[s]);
    fprintf(f, "\n");
    for (int m = 0; m < summary_rows(bt); m++)
        for (int h = 1; h <= bt->H + 1; h++) {
            double out[BT_NSUMMARY];
            int hh = h <= bt->H ? h : 0;
            backtest_summary(bt, m < bt->M ? m : -1, hh, out);
            if (hh)
                fprintf(f, "%s,%d,%.0f", row_name(bt, m), hh, out[0]);
            else
                fprintf(f, "%s,all,%.0f", row_name(bt, m), out[0]);
            for (int s = 1; s < BT_NSUMMARY; s++)
                fprintf(f, ",%.2f", out[s]);
            fprintf(f, "\n");
        }
}

static void write_cases_csv(const backtest *bt, FILE *f)
{
    fprintf(f, "la_code,geography,origin,horizon_years,target_year,measure,actual,p5,p10,p25,"
               "p50,p75,p90,p95,mean,naive_last_value,naive_linear_trend\n");
    for (int g = 0; g < bt->G; g++)
        for (int o = 0; o < bt->O; o++)
            for (int h = 0; h < bt->H; h++)
                for (int m = 0; m < bt->M; m++) {
                    size_t i = backtest_case(bt, g, o, h, m);
                    fprintf(f, "%s,\"%s\",%d,%d,%d,%s,%.0f", bt->code[g], bt->name[g],
                            bt->cfg.first_origin + o, h + 1, bt->cfg.first_origin + o + h + 1,
                            bt->measure[m], bt->actual[i]);
                    for (int k = 0; k < BT_NQ; k++)
                        fprintf(f, ",%.1f", bt->quantile[i * BT_NQ + k]);
                    fprintf(f, ",%.2f,%.1f,%.1f\n", bt->mean[i], bt->last[i], bt->trend[i]);
                }
}

/* Writes text produced by `fn` to `path` through a temporary name. */
static int write_csv(const char *path, const backtest *bt, void (*fn)(const backtest *, FILE *),
                     cc_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return cc_fail(err, CC_EIO, "%s: cannot create", tmp);
    fn(bt, f);
    if (fclose(f) != 0 || rename(tmp, path) != 0) {
        unlink(tmp);
        return cc_fail(err, CC_EIO, "%s: writing failed", path);
    }
    return CC_OK;
}

/* One double dataset of the file. */
typedef struct bt_set {
    const char *name;
    double *data;
    int rank;
    const hsize_t *dims;
    const char *desc, *units;
} bt_set;

/* The case arrays, shared by the writer and the reader. */
static int case_sets(backtest *bt, bt_set *sets, hsize_t *dc, hsize_t *dq, hsize_t *dh)
{
    dc[0] = dq[0] = dh[0] = (hsize_t)bt->G;
    dc[1] = dq[1] = (hsize_t)bt->O;
    dc[2] = dq[2] = (hsize_t)bt->H;
    dc[3] = dq[3] = dh[1] = (hsize_t)bt->M;
    dq[4] = BT_NQ;
    dh[2] = (hsize_t)bt->Y;
    bt_set list[] = {
        {"actual", bt->actual, 4, dc,
         "published or observed value at origin + horizon [geography][origin][horizon]"
         "[measure]; NaN where not published, suppressed or after the records end", "children"},
        {"quantiles", bt->quantile, 5, dq,
         "carecast forecast quantiles P5, P10, P25, P50, P75, P90, P95 over replicates "
         "[G][O][H][M][7]", "children"},
        {"mean", bt->mean, 4, dc, "carecast forecast mean [G][O][H][M]", "children"},
        {"naive_last_value", bt->last, 4, dc,
         "naive forecast: last value up to the origin [G][O][H][M]", "children"},
        {"naive_linear_trend", bt->trend, 4, dc,
         "naive forecast: least-squares line through the values of the 3 years ending at the "
         "origin, not below 0 [G][O][H][M]", "children"},
        {"history", bt->history, 3, dh,
         "published or observed values [G][M][year of history_years]; NaN where unknown",
         "children"},
    };
    memcpy(sets, list, sizeof list);
    return (int)(sizeof list / sizeof list[0]);
}

static int write_h5(backtest *bt, const char *path, bool force, cc_err *err)
{
    h5io_file f;
    int rc = h5io_create(&f, path, force, err);
    if (rc != CC_OK)
        return rc;
    hid_t id = f.id;
    h5io_attr_text(id, "format", "carecast-backtest");
    h5io_attr_long(id, "format_version", 2);
    h5io_attr_text(id, "source", bt->source);
    h5io_attr_text(id, "tool_version", CARECAST_VERSION);
    h5io_attr_text(id, "revision", CARECAST_REVISION);
    h5io_attr_text(id, "command_line", cli_command_line());
    h5io_attr_long(id, "seed", (long long)bt->cfg.seed);
    h5io_attr_long(id, "replicates", bt->cfg.replicates);
    h5io_attr_long(id, "threads", bt->cfg.threads);
    if (bt->fitted)
        h5io_attr_long(id, "window_years", bt->cfg.window_years);
    const char *files[32], *codes[4096], *names[4096], *measures[BT_MAX_MEASURES],
        *titles[BT_MAX_MEASURES];
    for (int i = 0; i < bt->ninputs; i++)
        files[i] = bt->inputs[i];
    int G = bt->G < 4096 ? bt->G : 4096;
    for (int g = 0; g < G; g++) {
        codes[g] = bt->code[g];
        names[g] = bt->name[g];
    }
    for (int m = 0; m < bt->M; m++) {
        measures[m] = bt->measure[m];
        titles[m] = bt->title[m];
    }
    int origins[64], horizons[64];
    for (int o = 0; o < bt->O && o < 64; o++)
        origins[o] = bt->cfg.first_origin + o;
    for (int h = 0; h < bt->H && h < 64; h++)
        horizons[h] = h + 1;
    hsize_t dO[1] = {(hsize_t)bt->O}, dH[1] = {(hsize_t)bt->H}, dY[1] = {(hsize_t)bt->Y};
    hsize_t dc[4], dq[5], dh[3];
    if (rc == CC_OK)
        rc = h5io_write_strings(id, "inputs", files, (size_t)bt->ninputs,
                                "the data files read, in order (a later value replaces an "
                                "earlier one)",
                                err);
    if (rc == CC_OK)
        rc = h5io_write_strings(id, "la_codes", codes, (size_t)G,
                                "geographies scored: old LA code (E92000001 = England; "
                                "'records' for a council's own records)",
                                err);
    if (rc == CC_OK)
        rc = h5io_write_strings(id, "geographies", names, (size_t)G, "geography names", err);
    if (rc == CC_OK)
        rc = h5io_write_strings(id, "measures", measures, (size_t)bt->M,
                                "measures scored: stocks at 31 March and starts in the year", err);
    if (rc == CC_OK)
        rc = h5io_write_strings(id, "measure_titles", titles, (size_t)bt->M,
                                "what each measure counts", err);
    if (rc == CC_OK)
        rc = h5io_write(id, "origins", H5T_NATIVE_INT, 1, dO, origins,
                        "origin years: data up to 31 March of this year were used", "year", err);
    if (rc == CC_OK)
        rc = h5io_write(id, "horizons", H5T_NATIVE_INT, 1, dH, horizons,
                        "years after the origin", "years", err);
    if (rc == CC_OK)
        rc = h5io_write(id, "history_years", H5T_NATIVE_INT, 1, dY, bt->years,
                        "years ending 31 March of history", "year", err);
    bt_set sets[8];
    int n = case_sets(bt, sets, dc, dq, dh);
    for (int k = 0; rc == CC_OK && k < n; k++)
        rc = h5io_write(id, sets[k].name, H5T_NATIVE_DOUBLE, sets[k].rank, sets[k].dims,
                        sets[k].data, sets[k].desc, sets[k].units, err);
    if (bt->params) {
        hsize_t dp[4] = {(hsize_t)G, (hsize_t)bt->O, AGGMODEL_NLEVELS, BT_NPARAMS};
        hsize_t dpool[3] = {(hsize_t)bt->O, AGGMODEL_NLEVELS, BT_NPOOL};
        hsize_t dproj[4] = {(hsize_t)bt->O, AGGMODEL_NLEVELS, 4, AGGMODEL_MAX_AHEAD};
        if (rc == CC_OK)
            rc = h5io_write(id, "parameters", H5T_NATIVE_DOUBLE, 4, dp, bt->params,
                            "fitted council parameters [G][O][level CLA,CIN,CP][log entry rate "
                            "per child per year, its variance, log exit hazard per year, its "
                            "variance, the covariance of the two]",
                            "log scale", err);
        if (rc == CC_OK)
            rc = h5io_write(id, "pooled_variances", H5T_NATIVE_DOUBLE, 3, dpool, bt->pool,
                            "variances pooled across councils [O][level][q entry, eps entry, "
                            "q exit, eps exit, q cross, eps cross]: random-walk and transient "
                            "variance a year of each log parameter, and their covariances",
                            "log scale", err);
        if (rc == CC_OK)
            rc = h5io_write(id, "pooled_projection", H5T_NATIVE_DOUBLE, 4, dproj,
                            bt->projection,
                            "learnt from earlier origins [O][level][damping (share of the "
                            "predicted change kept), common change (log), width of the stock, "
                            "width of the starts][years ahead 1..13]",
                            "1", err);
    }
    /* The models fitted at each origin, as `fit` would write them (without the history). */
    for (int o = 0; rc == CC_OK && bt->fitted && o < bt->O; o++) {
        char name[64];
        snprintf(name, sizeof name, "models/%d", bt->cfg.first_origin + o);
        hid_t g = h5io_group(id, name);
        rc = g >= 0 ? model_write_tables(g, bt->fitted[o], err)
                    : cc_fail(err, CC_EIO, "%s: cannot create group %s", path, name);
        if (g >= 0) {
            h5io_attr_text(g, "description", bt->fitted[o]->source);
            H5Gclose(g);
        }
    }
    /* The summary by measure and horizon (column 0 = all horizons). */
    double *sum = malloc(sizeof(double) * bt->M * (size_t)(bt->H + 1) * BT_NSUMMARY);
    if (!sum && rc == CC_OK)
        rc = cc_fail(err, CC_ENOMEM, "out of memory");
    for (int m = 0; rc == CC_OK && m < bt->M; m++)
        for (int h = 0; h <= bt->H; h++)
            backtest_summary(bt, m, h, &sum[((size_t)m * (bt->H + 1) + h) * BT_NSUMMARY]);
    hsize_t ds[3] = {(hsize_t)bt->M, (hsize_t)bt->H + 1, BT_NSUMMARY};
    if (rc == CC_OK)
        rc = h5io_write(id, "summary", H5T_NATIVE_DOUBLE, 3, ds, sum,
                        "[measure][horizon: 0 = all, 1..H][n, median APE carecast, median APE "
                        "last value, median APE linear trend, mean percentage error carecast, "
                        "coverage of 50%, 80%, 90% intervals (percent)]",
                        "percent", err);
    free(sum);
    if (rc != CC_OK) {
        h5io_discard(&f);
        return rc;
    }
    return h5io_commit(&f, err);
}

static void print_summary(const backtest *bt, FILE *f)
{
    int w = 21;
    for (int m = 0; m < bt->M; m++)
        w = (int)strlen(bt->measure[m]) > w ? (int)strlen(bt->measure[m]) : w;
    fprintf(f, "\n%-*s %4s %6s  %-28s %6s  %-26s\n", w, "", "", "", "median APE, % (lower wins)",
            "bias", "interval coverage, %");
    fprintf(f, "%-*s %4s %6s  %8s %9s %9s %6s  %8s %8s %8s\n", w, "measure", "yrs", "cases",
            "carecast", "last", "trend", "%", "50%", "80%", "90%");
    for (int m = 0; m < summary_rows(bt); m++)
        for (int h = 1; h <= bt->H; h++) {
            double s[BT_NSUMMARY];
            backtest_summary(bt, m < bt->M ? m : -1, h, s);
            fprintf(f, "%-*s %4d %6.0f  %8.1f %9.1f %9.1f %+6.1f  %8.1f %8.1f %8.1f\n", w,
                    row_name(bt, m), h, s[BT_S_N], s[BT_S_APE], s[BT_S_APE_LAST],
                    s[BT_S_APE_TREND], s[BT_S_BIAS], s[BT_S_COVER50], s[BT_S_COVER80],
                    s[BT_S_COVER90]);
        }
}

/* Published statistics: reads DATA... and backtests every council (or one). */
static backtest *published_backtest(const cli_opts *o, backtest_config *cfg, aggdata **data,
                                    cc_err *err, int *status)
{
    aggdata *a = *data = aggdata_alloc();
    problems *p = problems_alloc(20);
    if (!a || !p) {
        problems_free(p);
        *status = cc_fail(err, CC_ENOMEM, "out of memory");
        return NULL;
    }
    for (int i = 0; i < o->npos; i++)
        read_input(a, o->pos[i], p);
    if (problems_errors(p) || problems_warnings(p))
        problems_print(p, stderr);
    *status = problems_status(p, err);
    problems_free(p);
    const char *geo = cli_text(o, "geography", "all");
    if (*status == CC_OK) {
        aggdata_summary(a, stderr);
        if (strcasecmp(geo, "all")) {
            cfg->geography = aggdata_find(a, geo);
            if (cfg->geography < 0)
                *status = cc_fail(err, CC_EUSAGE,
                                  "backtest: --geography '%s' is not in the data (give a "
                                  "council's name or LA code, England, or all)",
                                  geo);
        }
    }
    backtest *bt = NULL;
    if (*status == CC_OK && !(bt = backtest_compute(a, cfg)))
        *status = cc_fail(err, CC_ENOMEM, "out of memory");
    if (*status == CC_OK && bt->G == 0)
        *status = cc_fail(err, CC_EINPUT, "backtest: the data hold no council to score");
    return bt;
}

/* A council's records: reads them as `fit` does and backtests them. */
static backtest *records_backtest(const cli_opts *o, backtest_config *cfg, bool origins_given,
                                  cc_err *err, int *status)
{
    fit_inputs in = {cli_text(o, "episodes", NULL), cli_text(o, "ssda903", NULL),
                     cli_text(o, "population", NULL), cli_text(o, "definition", NULL),
                     cli_date(o, "extract", INT32_MIN)};
    model *rec = fit_read_records(&in, "backtest", err, status);
    if (!rec)
        return NULL;
    if (!origins_given &&
        !btrecords_default_origins(rec, cfg->window_years, &cfg->first_origin,
                                   &cfg->last_origin)) {
        char a[11], b[11];
        date_format(rec->history_start, a);
        date_format(rec->extract_date, b);
        *status = cc_fail(err, CC_EINPUT,
                          "backtest: the records run from %s to %s: a backtest needs at least "
                          "a year before an origin (31 March) and a year after it",
                          a, b);
        model_free(rec);
        return NULL;
    }
    /* Inputs for the file, and a name: --name, else the records' file or folder name. */
    const char *given[3] = {in.episodes, in.ssda903, in.population}, *inputs[3];
    int n = 0;
    for (int k = 0; k < 3; k++)
        if (given[k])
            inputs[n++] = given[k];
    char name[96];
    const char *path = in.ssda903 ? in.ssda903 : in.episodes;
    util_copy(name, path, sizeof name);
    size_t len = strlen(name);
    while (len > 1 && name[len - 1] == '/')
        name[--len] = '\0';
    const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
    backtest *bt = btrecords_compute(rec, cfg, cli_text(o, "name", base), inputs, n, err, status);
    model_free(rec);
    return bt;
}

int backtest_main(int argc, char **argv)
{
    cli_opts o;
    cc_err err = {{0}, 0};
    int status = cli_parse(argc, argv, backtest_options, &o, &err);
    const char *out = cli_text(&o, "out", NULL);
    backtest_config cfg = {.horizons = (int)cli_long(&o, "horizons", 3),
                           .replicates = (int)cli_long(&o, "replicates", 1000),
                           .threads = (int)cli_long(&o, "threads", omp_get_num_procs()),
                           .seed = (unsigned long long)cli_long(&o, "seed", 1),
                           .geography = -1,
                           .window_years = (int)cli_long(&o, "window-years", 3)};
    bool records = cli_given(&o, "episodes") || cli_given(&o, "ssda903");
    const char *origins = cli_text(&o, "origins", "2017:2021");
    static const char *const records_only[] = {"population", "extract", "definition",
                                               "window-years", "name"};
    if (status == CC_OK && records && o.npos > 0)
        status = cc_fail(&err, CC_EUSAGE,
                         "backtest: '%s': give either published data files (DATA...) or a "
                         "council's records (--episodes, --ssda903), not both",
                         o.pos[0]);
    if (status == CC_OK && !records && o.npos < 1)
        status = cc_fail(&err, CC_EUSAGE,
                         "backtest: expected the published data files or folders (carecast "
                         "backtest DATA... --out FILE.h5), or a council's records (--episodes "
                         "FILE or --ssda903 DIR)");
    for (size_t k = 0; status == CC_OK && !records && k < 5; k++)
        if (cli_given(&o, records_only[k]))
            status = cc_fail(&err, CC_EUSAGE,
                             "backtest: --%s is for a council's records; give --episodes or "
                             "--ssda903 with it",
                             records_only[k]);
    if (status == CC_OK && records && cli_given(&o, "geography"))
        status = cc_fail(&err, CC_EUSAGE,
                         "backtest: --geography selects among published statistics; name a "
                         "council's records with --name");
    if (status == CC_OK && !out)
        status = cc_fail(&err, CC_EUSAGE, "backtest: --out FILE.h5 is required");
    if (status == CC_OK && (!records || cli_given(&o, "origins")) &&
        (sscanf(origins, "%d:%d", &cfg.first_origin, &cfg.last_origin) != 2 ||
         cfg.first_origin < AGG_YEAR0 + 2 || cfg.last_origin < cfg.first_origin ||
         cfg.last_origin - cfg.first_origin >= 64 || cfg.last_origin >= AGG_YEAR0 + AGG_NYEARS - 10)) {
        if (sscanf(origins, "%d", &cfg.first_origin) == 1 && !strchr(origins, ':') &&
            cfg.first_origin > AGG_YEAR0 + 2 && cfg.first_origin < AGG_YEAR0 + AGG_NYEARS - 10)
            cfg.last_origin = cfg.first_origin;
        else
            status = cc_fail(&err, CC_EUSAGE,
                             "backtest: --origins '%s': expected FIRST:LAST years such as "
                             "2017:2021 (or one year), between %d and %d",
                             origins, AGG_YEAR0 + 2, AGG_YEAR0 + AGG_NYEARS - 11);
    }
    if (status == CC_OK && (cfg.horizons < 1 || cfg.horizons > 10))
        status = cc_fail(&err, CC_EUSAGE, "backtest: --horizons %d: expected 1 to 10",
                         cfg.horizons);
    if (status == CC_OK && (cfg.replicates < 10 || cfg.replicates > 1000000))
        status = cc_fail(&err, CC_EUSAGE, "backtest: --replicates %d: expected 10 to 1000000",
                         cfg.replicates);
    if (status == CC_OK && (cfg.threads < 1 || cfg.threads > 1024))
        status = cc_fail(&err, CC_EUSAGE, "backtest: --threads %d: expected 1 to 1024",
                         cfg.threads);
    if (status == CC_OK && (cfg.window_years < 1 || cfg.window_years > 20))
        status = cc_fail(&err, CC_EUSAGE, "backtest: --window-years %d: expected 1 to 20",
                         cfg.window_years);
    char csv[4200];
    const char *csv_path = cli_text(&o, "csv", NULL), *cases_path = cli_text(&o, "cases", NULL);
    if (status == CC_OK && !csv_path) {
        util_copy(csv, out, sizeof csv);
        size_t n = strlen(csv);
        if (n > 3 && !strcmp(csv + n - 3, ".h5"))
            csv[n - 3] = '\0';
        strncat(csv, ".csv", sizeof csv - strlen(csv) - 1);
        csv_path = csv;
    }
    const char *outs[3] = {out, csv_path, cases_path};
    for (int k = 0; status == CC_OK && k < 3; k++)
        if (outs[k] && !o.force && util_exists(outs[k]))
            status = cc_fail(&err, CC_EEXIST,
                             "%s: exists; use --force to replace it (nothing was written)",
                             outs[k]);
    if (status != CC_OK)
        return cli_report(status, &err);

    aggdata *a = NULL;
    backtest *bt = records ? records_backtest(&o, &cfg, cli_given(&o, "origins"), &err, &status)
                           : published_backtest(&o, &cfg, &a, &err, &status);
    if (status == CC_OK)
        status = write_h5(bt, out, o.force, &err);
    if (status == CC_OK)
        status = write_csv(csv_path, bt, write_summary_csv, &err);
    if (status == CC_OK && cases_path)
        status = write_csv(cases_path, bt, write_cases_csv, &err);
    if (status == CC_OK) {
        print_summary(bt, stdout);
        fprintf(stderr,
                "backtest: %d geograph%s x %d origins x %d horizons, %d replicates, %.1f s "
                "on %d threads; wrote %s and %s%s%s\n",
                bt->G, bt->G == 1 ? "y" : "ies", bt->O, bt->H, cfg.replicates, bt->seconds,
                cfg.threads, out, csv_path, cases_path ? " and " : "",
                cases_path ? cases_path : "");
    }
    backtest_free(bt);
    aggdata_free(a);
    return cli_report(status, &err);
}

/* --- charts -------------------------------------------------------------------------- */

bool backtest_is_file(const char *path)
{
    cc_err err = {{0}, 0};
    int status;
    hid_t id = h5io_open(path, &err, &status);
    if (id < 0)
        return false;
    char format[64] = "";
    h5io_get_text(id, "format", format, sizeof format);
    H5Fclose(id);
    return !strcmp(format, "carecast-backtest");
}

/* Reads a backtest file back into a backtest (the arrays the charts need). */
static backtest *backtest_read(const char *path, cc_err *err, int *status)
{
    hid_t id = h5io_open(path, err, status);
    if (id < 0)
        return NULL;
    hsize_t d[8];
    backtest *bt = NULL;
    int rc = CC_OK;
    if (h5io_dims(id, "actual", d) != 4 || d[3] > BT_MAX_MEASURES || d[1] > 64 ||
        h5io_dims(id, "history", d + 4) != 3)
        rc = cc_fail(err, CC_EINPUT, "%s: not a complete backtest file (no actual or history)",
                     path);
    int origins[64] = {0};
    if (rc == CC_OK)
        rc = h5io_read(id, "origins", H5T_NATIVE_INT, origins, (size_t)d[1], path, err);
    backtest_config cfg = {.first_origin = origins[0], .last_origin = origins[0] + (int)d[1] - 1,
                           .horizons = (int)d[2]};
    if (rc == CC_OK && !(bt = backtest_alloc(&cfg, (int)d[0], (int)d[3], (int)d[6])))
        rc = cc_fail(err, CC_ENOMEM, "out of memory");
    if (rc == CC_OK)
        rc = h5io_read(id, "history_years", H5T_NATIVE_INT, bt->years, (size_t)bt->Y, path, err);
    bt_set sets[8];
    hsize_t dc[4], dq[5], dh[3];
    int n = rc == CC_OK ? case_sets(bt, sets, dc, dq, dh) : 0;
    for (int k = 0; rc == CC_OK && k < n; k++) {
        size_t count = 1;
        for (int r = 0; r < sets[k].rank; r++)
            count *= sets[k].dims[r];
        rc = h5io_read(id, sets[k].name, H5T_NATIVE_DOUBLE, sets[k].data, count, path, err);
    }
    if (rc == CC_OK &&
        (h5io_read_strings(id, "la_codes", bt->code[0], sizeof bt->code[0], (size_t)bt->G) < 0 ||
         h5io_read_strings(id, "geographies", bt->name[0], sizeof bt->name[0], (size_t)bt->G) < 0 ||
         h5io_read_strings(id, "measures", bt->measure[0], sizeof bt->measure[0],
                           (size_t)bt->M) < 0))
        rc = cc_fail(err, CC_EINPUT, "%s: cannot read the geography or measure names", path);
    /* Files of format 1 have no titles: the measures then are those of published data. */
    if (rc == CC_OK && h5io_read_strings(id, "measure_titles", bt->title[0], sizeof bt->title[0],
                                         (size_t)bt->M) < 0)
        for (int m = 0; m < bt->M && m < BT_NMEASURES; m++)
            util_copy(bt->title[m], bt_titles[m], sizeof bt->title[m]);
    H5Fclose(id);
    if (rc != CC_OK) {
        backtest_free(bt);
        *status = rc;
        return NULL;
    }
    return bt;
}

/* P10, P25, P50, P75, P90 of a sample (sorted in place). */
static void five(double *v, size_t n, double *out)
{
    static const double p[5] = {0.10, 0.25, 0.50, 0.75, 0.90};
    if (n == 0) {
        for (int k = 0; k < 5; k++)
            out[k] = NAN;
        return;
    }
    qsort(v, n, sizeof *v, cmp_double);
    for (int k = 0; k < 5; k++)
        out[k] = gsl_stats_quantile_from_sorted_data(v, 1, n, p[k]);
}

/* The distribution across councils and origins of each forecast's APE, by horizon:
 * one row per horizon and method (0 carecast, 1 last value, 2 linear trend). *scored
 * counts the cases with an outcome above zero and all three forecasts. */
static int write_error_data(const backtest *b, int m, const char *path, size_t *scored,
                            cc_err *err)
{
    *scored = 0;
    FILE *f = fopen(path, "w");
    double *v[3];
    size_t cap = (size_t)b->G * b->O + 1;
    for (int k = 0; k < 3; k++)
        v[k] = malloc(sizeof(double) * cap);
    int rc = f && v[0] && v[1] && v[2] ? CC_OK : cc_fail(err, CC_EIO, "%s: cannot create", path);
    if (rc == CC_OK)
        fprintf(f, "horizon,method,p10,p25,p50,p75,p90,n\n");
    for (int h = 0; rc == CC_OK && h < b->H; h++) {
        size_t n = 0;
        for (int g = 0; g < b->G; g++)
            for (int o = 0; o < b->O; o++) {
                size_t i = backtest_case(b, g, o, h, m);
                double a = b->actual[i], fc[3] = {b->quantile[i * BT_NQ + 3], b->last[i], b->trend[i]};
                if (!(a > 0) || isnan(fc[0]) || isnan(fc[1]) || isnan(fc[2]))
                    continue;
                for (int k = 0; k < 3; k++)
                    v[k][n] = 100 * fabs(fc[k] - a) / a;
                n++;
            }
        *scored += n;
        for (int k = 0; k < 3; k++) {
            double q[5];
            five(v[k], n, q);
            fprintf(f, "%d,%d,%.3f,%.3f,%.3f,%.3f,%.3f,%zu\n", h + 1, k, q[0], q[1], q[2], q[3],
                    q[4], n);
        }
    }
    for (int k = 0; k < 3; k++)
        free(v[k]);
    if (f && fclose(f) != 0 && rc == CC_OK)
        rc = cc_fail(err, CC_EIO, "%s: writing failed", path);
    return rc;
}

/* Geography g's published series of measure m (year,value) and each origin's forecast
 * (origin,year,p10,p50,p90), one block per origin starting at the last published value. */
static int write_actual_data(const backtest *b, int g, int m, const char *hist, const char *fc,
                             char *origins, size_t size, cc_err *err)
{
    origins[0] = '\0';
    FILE *f = fopen(hist, "w"), *q = fopen(fc, "w");
    int rc = f && q ? CC_OK : cc_fail(err, CC_EIO, "%s: cannot create", f ? fc : hist);
    int first = b->cfg.first_origin - 6, last = b->cfg.last_origin + b->H;
    if (rc == CC_OK) {
        fprintf(f, "year,value\n");
        for (int y = 0; y < b->Y; y++) {
            double v = b->history[((size_t)g * b->M + m) * b->Y + y];
            if (b->years[y] >= first && b->years[y] <= last && !isnan(v))
                fprintf(f, "%d,%.0f\n", b->years[y], v);
        }
        fprintf(q, "origin,year,p10,p50,p90\n");
        for (int o = 0; o < b->O; o++) {
            size_t i0 = backtest_case(b, g, o, 0, m);
            int origin = b->cfg.first_origin + o;
            if (isnan(b->quantile[i0 * BT_NQ + 3]))
                continue;
            double start = b->last[i0];
            size_t len = strlen(origins);
            snprintf(origins + len, size - len, "%s%d", len ? " " : "", origin);
            fprintf(q, "%d,%d,%.1f,%.1f,%.1f\n", origin, origin, start, start, start);
            for (int h = 0; h < b->H; h++) {
                const double *qq = &b->quantile[backtest_case(b, g, o, h, m) * BT_NQ];
                fprintf(q, "%d,%d,%.1f,%.1f,%.1f\n", origin, origin + h + 1, qq[1], qq[3], qq[5]);
            }
            fprintf(q, "\n\n");
        }
    }
    if (f && fclose(f) != 0 && rc == CC_OK)
        rc = cc_fail(err, CC_EIO, "%s: writing failed", hist);
    if (q && fclose(q) != 0 && rc == CC_OK)
        rc = cc_fail(err, CC_EIO, "%s: writing failed", fc);
    return rc;
}

/* The charts: errors_MEASURE for each measure, and GEOGRAPHY_MEASURE for one geography. */
int backtest_plot(const char *path, const char *dir, const char *fmt, const char *geography,
                  bool force, cc_err *err)
{
    int rc;
    backtest *b = backtest_read(path, err, &rc);
    if (!b)
        return rc;
    int g = 0;
    if (geography) {
        char want[128], have[128];
        g = -1;
        for (int k = 0; k < b->G && g < 0; k++) {
            util_copy(want, geography, sizeof want);
            util_copy(have, b->name[k], sizeof have);
            if (!strcasecmp(b->code[k], geography) || !strcasecmp(have, want))
                g = k;
        }
        if (g < 0)
            rc = cc_fail(err, CC_EUSAGE, "plot: --geography '%s' is not in %s (first: %s)",
                         geography, path, b->name[0]);
    }
    char slug[96] = "";
    for (size_t k = 0, n = 0; rc == CC_OK && b->name[g][k] && n + 1 < sizeof slug; k++)
        slug[n++] = isalnum((unsigned char)b->name[g][k]) ? (char)tolower((unsigned char)b->name[g][k]) : '_';
    char names[2 * BT_MAX_MEASURES][160];
    for (int m = 0; m < b->M; m++) {
        snprintf(names[2 * m], sizeof names[0], "backtest_errors_%s", b->measure[m]);
        snprintf(names[2 * m + 1], sizeof names[0], "backtest_%s_%s", slug, b->measure[m]);
    }
    for (int k = 0; rc == CC_OK && k < 2 * b->M; k++)
        rc = plot_check_free(dir, names[k], fmt, force, err);
    char data_dir[4200];
    snprintf(data_dir, sizeof data_dir, "%s/data", dir);
    if (rc == CC_OK)
        rc = cli_make_dir(data_dir, err);
    const char *across = b->G > 1 ? "across councils and origins" : "across origins";
    for (int m = 0; rc == CC_OK && m < b->M; m++) {
        char data[4400], hist[4400], final[4200], tmp[4200], vars[6000], title[400], sub[400];
        char qt[800], qs[800], qd[4400], qh[4400], qo[4200], list[64 * 6];
        /* Error distribution across councils. */
        snprintf(data, sizeof data, "%s/%s.csv", data_dir, names[2 * m]);
        size_t scored;
        rc = write_error_data(b, m, data, &scored, err);
        plot_paths(dir, "", names[2 * m], fmt, final, tmp, sizeof final);
        snprintf(title, sizeof title, "Backtest: absolute percentage error, %s", b->title[m]);
        snprintf(sub, sizeof sub,
                 "%d geograph%s, origins %d-%d; box P25-P75, whiskers P10-P90 (80%%), line "
                 "median, %s",
                 b->G, b->G == 1 ? "y" : "ies", b->cfg.first_origin, b->cfg.last_origin, across);
        plot_quote(qt, sizeof qt, title);
        plot_quote(qs, sizeof qs, sub);
        plot_quote(qd, sizeof qd, data);
        plot_quote(qo, sizeof qo, tmp);
        snprintf(vars, sizeof vars,
                 "datafile='%s'; outfile='%s'; term='%s'; title='%s'; subtitle='%s'", qd, qo, fmt,
                 qt, qs);
        if (rc == CC_OK && scored > 0) /* nothing to draw where no outcome was above 0 */
            rc = plot_gnuplot("backtest_errors.gp", vars, final, tmp, err);
        /* Projection against what was published, for the chosen geography. */
        snprintf(hist, sizeof hist, "%s/%s_published.csv", data_dir, names[2 * m + 1]);
        snprintf(data, sizeof data, "%s/%s.csv", data_dir, names[2 * m + 1]);
        if (rc == CC_OK)
            rc = write_actual_data(b, g, m, hist, data, list, sizeof list, err);
        plot_paths(dir, "", names[2 * m + 1], fmt, final, tmp, sizeof final);
        snprintf(title, sizeof title, "%s: %s, backtest", b->name[g], b->title[m]);
        bool published = strcmp(b->code[g], "records") != 0;
        snprintf(sub, sizeof sub,
                 "each origin's forecast from the data up to 31 March of that year: median and "
                 "80%% interval (P10-P90); black: %s",
                 published ? "published" : "observed in the records");
        plot_quote(qt, sizeof qt, title);
        plot_quote(qs, sizeof qs, sub);
        plot_quote(qd, sizeof qd, data);
        plot_quote(qh, sizeof qh, hist);
        plot_quote(qo, sizeof qo, tmp);
        snprintf(vars, sizeof vars,
                 "datafile='%s'; histfile='%s'; outfile='%s'; term='%s'; title='%s'; "
                 "subtitle='%s'; origins='%s'; actuallabel='%s'",
                 qd, qh, qo, fmt, qt, qs, list, published ? "published" : "observed");
        if (rc == CC_OK && list[0])
            rc = plot_gnuplot("backtest_actual.gp", vars, final, tmp, err);
    }
    backtest_free(b);
    return rc;
}
