/* runfile.c -- writes and reads the run file; the layout is in runfile.h and README.md. */
#include "runfile.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "date.h"
#include "h5io.h"
#include "version.h"

const char *const runfile_measures[RUNFILE_NMEASURES] = {"stock", "entries", "exits", "arrivals",
                                                         "person_days"};
const char *const runfile_stats[RUNFILE_NSTATS] = {"mean", "p5",  "p10", "p25",
                                                   "p50",  "p75", "p90", "p95"};
const double runfile_percentiles[RUNFILE_NSTATS - 1] = {0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95};

static const struct {
    const char *description, *units;
} measure_text[RUNFILE_NMEASURES] = {
    {"children in the state at the end of the month", "children"},
    {"entries into the state during the month (new arrivals and transfers in)", "children"},
    {"exits from the state during the month (transfers out and leaving)", "children"},
    {"new children arriving from outside the model during the month", "children"},
    {"days spent in the state during the month, summed over children", "person-days"},
};

int runfile_ncohorts(const modeldef *def)
{
    return def->nstates + 1;
}

void runfile_cohort_totals(const modeldef *def, const int32_t *in, const double *din, int R, int M,
                           double *out)
{
    int S = def->nstates, C = S + 1;
    for (size_t rm = 0; rm < (size_t)R * M; rm++) {
        double cla = 0;
        for (int s = 0; s < S; s++) {
            double v = in ? in[rm * S + s] : din[rm * S + s];
            out[rm * C + s] = v;
            if (def->states[s].looked_after)
                cla += v;
        }
        out[rm * C + S] = cla;
    }
}

int runfile_summarise(const double *per_rep, int R, int M, int C, int threads, double *out)
{
    /* Each (month, cohort) cell is independent, so cells are spread over threads; every
     * cell's result is the same whichever thread computes it. */
    int status = CC_OK;
#pragma omp parallel num_threads(threads > 0 ? threads : 1) default(none)                           \
    shared(per_rep, R, M, C, out, status, runfile_percentiles)
    {
        double *col = malloc(sizeof *col * (size_t)(R > 0 ? R : 1));
        if (!col) {
#pragma omp atomic write
            status = CC_ENOMEM;
        }
#pragma omp for schedule(static)
        for (int mc = 0; mc < M * C; mc++) {
            if (!col)
                continue;
            int m = mc / C, c = mc % C;
            for (int r = 0; r < R; r++)
                col[r] = per_rep[((size_t)r * M + m) * C + c];
            double *o = out + (size_t)mc * RUNFILE_NSTATS;
            gsl_sort(col, 1, (size_t)R);
            double sum = 0; /* a plain sum: exact for counts, so a zero mean prints as 0 */
            for (int r = 0; r < R; r++)
                sum += col[r];
            o[0] = R ? sum / R : 0;
            for (int q = 0; q < RUNFILE_NSTATS - 1; q++)
                o[q + 1] = R ? gsl_stats_quantile_from_sorted_data(col, 1, (size_t)R,
                                                                   runfile_percentiles[q])
                             : 0;
        }
        free(col);
    }
    return status;
}

/* ---- writing ---------------------------------------------------------------------- */

#define BY_COHORT "month and cohort"
#define BY_AGE    "month and age group"

/* Writes `prefix`summary/NAME: the quantile table [M][C][8] of a per-replicate array
 * [R][M][C] (M months or financial years, C cohorts, age groups or teams, as `by` says,
 * e.g. "month and cohort"), and with `keep` the array itself as `prefix`NAME (int32 when
 * `whole`). */
static int write_summary(hid_t g, const runfile_header *h, const char *prefix, const char *name,
                         const double *per_rep, int M, int C, const char *by, bool keep,
                         bool whole, const char *what, const char *units, cc_err *err)
{
    int R = h->replicates;
    double *table = malloc(sizeof *table * (size_t)M * C * RUNFILE_NSTATS);
    int rc = table ? runfile_summarise(per_rep, R, M, C, h->threads, table) : CC_ENOMEM;
    char path[128], desc[512];
    snprintf(path, sizeof path, "%ssummary/%s", prefix, name);
    snprintf(desc, sizeof desc,
             "%s: mean and percentiles over replicates, by %s (columns: "
             "mean,p5,p10,p25,p50,p75,p90,p95; P5-P95 is a 90%% interval)",
             what, by);
    hsize_t dims[3] = {(hsize_t)M, (hsize_t)C, RUNFILE_NSTATS};
    if (rc == CC_OK)
        rc = h5io_write(g, path, H5T_NATIVE_DOUBLE, 3, dims, table, desc, units, err);
    free(table);
    if (rc == CC_OK && keep) {
        size_t n = (size_t)R * M * C;
        int32_t *ints = whole ? malloc(sizeof *ints * n) : NULL;
        for (size_t i = 0; ints && i < n; i++)
            ints[i] = (int32_t)lround(per_rep[i]);
        hsize_t d3[3] = {(hsize_t)R, (hsize_t)M, (hsize_t)C};
        snprintf(path, sizeof path, "%s%s", prefix, name);
        snprintf(desc, sizeof desc, "%s, in each replicate, by %s", what, by);
        rc = whole && !ints ? CC_ENOMEM
                            : h5io_write(g, path, whole ? H5T_NATIVE_INT32 : H5T_NATIVE_DOUBLE, 3,
                                         d3, whole ? (void *)ints : (void *)per_rep, desc, units,
                                         err);
        free(ints);
    }
    return rc == CC_ENOMEM ? cc_fail(err, CC_ENOMEM, "out of memory summarising") : rc;
}

/* Per-replicate starts by age group [R][M][A] (bands, then all ages), cumulative over
 * months when `cumulative`. */
static void starts_by_group(const runfile_header *h, const runfile_scenario *sc, bool cumulative,
                            double *out)
{
    int R = h->replicates, M = h->months, nage = h->model->def->nage, A = nage + 1;
    for (int r = 0; r < R; r++)
        for (int m = 0; m < M; m++) {
            const int32_t *in = sc->starts + ((size_t)r * M + m) * nage;
            double *o = out + ((size_t)r * M + m) * A, all = 0;
            for (int a = 0; a < nage; a++) {
                o[a] = in[a] + (cumulative && m > 0 ? o[a - A] : 0);
                all += in[a];
            }
            o[nage] = all + (cumulative && m > 0 ? o[nage - A] : 0);
        }
}

static const char *const starts_text =
    "children starting to be looked after (arriving in a looked-after state from outside "
    "care), by age band at the start";

/* The summaries of a scenario; and, for a scenario other than the baseline `base`, its
 * per-replicate differences from the baseline with their summaries. */
static int write_summaries(hid_t g, const runfile_header *h, const runfile_scenario *sc,
                           const runfile_scenario *base, cc_err *err)
{
    const modeldef *def = h->model->def;
    int R = h->replicates, M = h->months, C = runfile_ncohorts(def), A = def->nage + 1;
    size_t n = (size_t)R * M * (C > A ? C : A);
    double *per_rep = malloc(sizeof *per_rep * n), *ref = malloc(sizeof *ref * n);
    int rc = (!per_rep || !ref) ? cc_fail(err, CC_ENOMEM, "out of memory summarising") : CC_OK;
    const int32_t *arrays[RUNFILE_NMEASURES] = {sc->stock, sc->inflow, sc->outflow, sc->arrivals,
                                                NULL};
    const int32_t *refs[RUNFILE_NMEASURES] = {base->stock, base->inflow, base->outflow,
                                              base->arrivals, NULL};
    for (int k = 0; rc == CC_OK && k < RUNFILE_NMEASURES; k++) {
        runfile_cohort_totals(def, arrays[k], sc->person_days, R, M, per_rep);
        rc = write_summary(g, h, "", runfile_measures[k], per_rep, M, C, BY_COHORT, false, false,
                           measure_text[k].description, measure_text[k].units, err);
        if (rc != CC_OK || sc == base)
            continue;
        runfile_cohort_totals(def, refs[k], base->person_days, R, M, ref);
        for (size_t i = 0; i < (size_t)R * M * C; i++)
            per_rep[i] -= ref[i];
        char what[256];
        snprintf(what, sizeof what, "difference from the baseline (this scenario minus the "
                 "baseline, same replicate): %s", measure_text[k].description);
        rc = write_summary(g, h, "difference/", runfile_measures[k], per_rep, M, C, BY_COHORT,
                           true, k < 4, what, measure_text[k].units, err);
    }
    if (rc == CC_OK) {
        starts_by_group(h, sc, false, per_rep);
        rc = write_summary(g, h, "", "starts", per_rep, M, A, BY_AGE, false, false, starts_text,
                           "children", err);
    }
    if (rc == CC_OK && sc != base) {
        starts_by_group(h, sc, true, per_rep);
        starts_by_group(h, base, true, ref);
        for (size_t i = 0; i < (size_t)R * M * A; i++)
            per_rep[i] -= ref[i];
        char what[512];
        snprintf(what, sizeof what, "difference from the baseline in cumulative %s, from the "
                 "start to the end of the month", starts_text);
        rc = write_summary(g, h, "difference/", "starts_cumulative", per_rep, M, A, BY_AGE, true,
                           true, what, "children", err);
    }
    free(per_rep);
    free(ref);
    return rc;
}

/* A scenario's workforce: per-replicate arrays by month and financial year (float), their
 * quantiles, and their per-replicate differences from the baseline's (when it has one). */
const char *const runfile_layers[RUNFILE_NLAYERS] = {"workforce", "placements", "finance"};

/* The probability of overspending: the share of replicates whose cost in the year and
 * line (measure 0 of the finance layer, [R][Y][L]) is above the budget. */
static void overspend(const float *cost, const double *budget, int R, int Y, int L, double *p)
{
    for (int yl = 0; yl < Y * L; yl++) {
        if (isnan(budget[yl])) {
            p[yl] = NAN;
            continue;
        }
        int over = 0;
        for (int r = 0; r < R; r++)
            over += cost[(size_t)r * Y * L + yl] > budget[yl];
        p[yl] = (double)over / R;
    }
}

/* Writes layer `id` of a scenario: every measure per replicate by month and by financial
 * year, their summaries, and (when the baseline projects the layer too) the summaries of
 * the per-replicate differences from the baseline. */
static int write_layer(hid_t g, const runfile_header *h, const runfile_scenario *sc,
                       const runfile_scenario *base, int id, cc_err *err)
{
    const runfile_layer *ly = &sc->layer[id], *bl = &base->layer[id];
    const char *name = runfile_layers[id];
    int R = h->replicates, G = ly->G, Y = h->years->Y;
    bool diff = sc != base && bl->G == G;
    size_t most = (size_t)R * (h->months > Y ? h->months : Y) * G;
    double *a = malloc(sizeof *a * most), *b = malloc(sizeof *b * most);
    int rc = a && b ? CC_OK : cc_fail(err, CC_ENOMEM, "out of memory writing the %s", name);
    for (int year = 0; year < 2; year++) {
        int rows = year ? Y : h->months;
        size_t n = (size_t)R * rows * G;
        char by[160];
        snprintf(by, sizeof by, "%s and %s", year ? "financial year (April to March)" : "month",
                 id == RUNFILE_WORKFORCE    ? "team, then all teams"
                 : id == RUNFILE_PLACEMENTS ? "placement need, then all needs"
                                            : "cost line, then the total");
        for (int k = 0; rc == CC_OK && k < ly->K; k++) {
            const layer_measure *lm = &ly->measures[k];
            const float *mine = (year ? ly->year : ly->month) + (size_t)k * n;
            char prefix[64], path[128], what[512];
            snprintf(prefix, sizeof prefix, "%s/%s", name, year ? "year/" : "");
            snprintf(path, sizeof path, "%s%s", prefix, lm->name);
            snprintf(what, sizeof what, "%s%s", lm->description,
                     !year      ? ""
                     : lm->flow ? " (sum over the year's months)"
                                : " (mean over the year's months)");
            hsize_t d3[3] = {(hsize_t)R, (hsize_t)rows, (hsize_t)G};
            char desc[700];
            snprintf(desc, sizeof desc, "%s, in each replicate, by %s", what, by);
            rc = h5io_write(g, path, H5T_NATIVE_FLOAT, 3, d3, mine, desc, lm->units, err);
            for (size_t i = 0; i < n; i++)
                a[i] = mine[i];
            if (rc == CC_OK)
                rc = write_summary(g, h, prefix, lm->name, a, rows, G, by, false, false, what,
                                   lm->units, err);
            if (rc != CC_OK || !diff)
                continue;
            const float *ref = (year ? bl->year : bl->month) + (size_t)k * n;
            for (size_t i = 0; i < n; i++)
                b[i] = a[i] - ref[i];
            char dprefix[80], dwhat[640];
            snprintf(dprefix, sizeof dprefix, "%sdifference/", prefix);
            snprintf(dwhat, sizeof dwhat,
                     "difference from the baseline (this scenario minus the baseline, same "
                     "replicate): %s",
                     what);
            rc = write_summary(g, h, dprefix, lm->name, b, rows, G, by, false, false, dwhat,
                               lm->units, err);
        }
    }
    hsize_t dg[1] = {(hsize_t)G}, dyl[2] = {(hsize_t)Y, (hsize_t)G};
    if (rc == CC_OK && id == RUNFILE_WORKFORCE) {
        double target[MD_MAX_TEAMS + 1];
        for (int i = 0; i < G; i++)
            target[i] = workforce_target(sc->wf, i);
        rc = h5io_write(g, "workforce/target_caseload", H5T_NATIVE_DOUBLE, 1, dg, target,
                        "target caseload of each team (all teams: total weighted cases over "
                        "total FTE needed on the start date)",
                        "weighted cases per FTE", err);
    }
    if (rc == CC_OK && id == RUNFILE_FINANCE && sc->budget) {
        overspend(ly->year, sc->budget, R, Y, G, a);
        rc = h5io_write(g, "finance/budget", H5T_NATIVE_DOUBLE, 2, dyl, sc->budget,
                        "budget by financial year and cost line (NaN: no budget given)",
                        "pounds", err);
        if (rc == CC_OK)
            rc = h5io_write(g, "finance/p_overspend", H5T_NATIVE_DOUBLE, 2, dyl, a,
                            "probability of overspending: share of replicates whose cost in "
                            "the financial year and line is above the budget (NaN: no budget)",
                            "probability", err);
    }
    free(a);
    free(b);
    return rc;
}

static int write_scenario(hid_t root, const runfile_header *h, const runfile_scenario *sc,
                          const runfile_scenario *base, cc_err *err)
{
    const modeldef *def = h->model->def;
    int S = def->nstates;
    char path[128];
    snprintf(path, sizeof path, "scenarios/%s", sc->name);
    hid_t g = h5io_group(root, path);
    if (g < 0)
        return cc_fail(err, CC_EHDF5, "creating group /%s failed", path);
    h5io_attr_text(g, "name", sc->name);
    h5io_attr_text(g, "file", sc->file ? sc->file : "");
    h5io_attr_text(g, "description", sc->description ? sc->description : "");
    h5io_attr_text(g, "baseline", sc == base ? "yes" : base->name);
    hsize_t d3[3] = {(hsize_t)h->replicates, (hsize_t)h->months, (hsize_t)S};
    hsize_t df[3] = {d3[0], d3[1], (hsize_t)sc->nflows};
    hsize_t dfl[1] = {(hsize_t)sc->nflows};
    hsize_t d1[1] = {(hsize_t)S};
    const int32_t *arrays[4] = {sc->stock, sc->inflow, sc->outflow, sc->arrivals};
    int rc = CC_OK;
    for (int k = 0; rc == CC_OK && k < 4; k++)
        rc = h5io_write(g, runfile_measures[k], H5T_NATIVE_INT32, 3, d3, arrays[k],
                        measure_text[k].description, measure_text[k].units, err);
    if (rc == CC_OK)
        rc = h5io_write(g, "person_days", H5T_NATIVE_DOUBLE, 3, d3, sc->person_days,
                        measure_text[4].description, measure_text[4].units, err);
    if (rc == CC_OK)
        rc = h5io_write(g, "flows", H5T_NATIVE_INT32, 3, df, sc->flows,
                        "events during the month along each flow (flow_from -> flow_to)",
                        "children", err);
    if (rc == CC_OK)
        rc = h5io_write(g, "flow_from", H5T_NATIVE_INT, 1, dfl, sc->flow_from,
                        "state each flow leaves (index into /cohorts)", "state index", err);
    if (rc == CC_OK)
        rc = h5io_write(g, "flow_to", H5T_NATIVE_INT, 1, dfl, sc->flow_to,
                        "target of each flow: a state index, or number of states + exit "
                        "reason index of /model/definition",
                        "target index", err);
    if (rc == CC_OK)
        rc = h5io_write(g, "initial_stock", H5T_NATIVE_INT32, 1, d1, sc->initial_stock,
                        "children in each state on the start date (from the history)", "children",
                        err);
    hsize_t ds[3] = {d3[0], d3[1], (hsize_t)def->nage};
    if (rc == CC_OK)
        rc = h5io_write(g, "starts", H5T_NATIVE_INT32, 3, ds, sc->starts, starts_text, "children",
                        err);
    if (rc == CC_OK)
        rc = h5io_write_text(g, "parameters", sc->parameters ? sc->parameters : "",
                             "the scenario's keys with their values and where each came from "
                             "(file:line or default)",
                             err);
    if (rc == CC_OK)
        rc = write_summaries(g, h, sc, base, err);
    for (int id = 0; rc == CC_OK && id < RUNFILE_NLAYERS; id++)
        if (sc->layer[id].G > 0)
            rc = write_layer(g, h, sc, base, id, err);
    H5Gclose(g);
    return rc;
}

static int write_header(hid_t fid, const runfile_header *h, cc_err *err)
{
    const modeldef *def = h->model->def;
    char start[11];
    date_format(h->start_day, start);
    h5io_attr_text(fid, "format", "carecast-run");
    h5io_attr_long(fid, "format_version", 3);
    h5io_attr_text(fid, "tool_version", CARECAST_VERSION);
    h5io_attr_text(fid, "revision", CARECAST_REVISION);
    h5io_attr_text(fid, "command_line", h->command_line);
    h5io_attr_long(fid, "seed", (long long)h->seed);
    h5io_attr_long(fid, "replicates", h->replicates);
    h5io_attr_long(fid, "threads", h->threads);
    h5io_attr_text(fid, "start_date", start);
    h5io_attr_long(fid, "horizon_months", h->months);
    h5io_attr_text(fid, "model_file", h->model_path);
    h5io_attr_text(fid, "model_source", h->model->source);
    int rc = h5io_write_text(fid, "parameters", h->parameters,
                             "effective parameters of the run (defaults filled in)", err);
    hid_t mg = rc == CC_OK ? h5io_group(fid, "model") : -1;
    if (rc == CC_OK)
        rc = model_write_tables(mg, h->model, err);
    if (mg >= 0)
        H5Gclose(mg);
    int M = h->months, C = runfile_ncohorts(def), H = h->history_months;
    char(*iso)[11] = malloc(sizeof *iso * (size_t)(M > H ? M + 1 : H + 1));
    const char **ptr = malloc(sizeof *ptr * (size_t)(M > H ? M + 1 : H + 1) + sizeof *ptr * C);
    if (!iso || !ptr)
        rc = cc_fail(err, CC_ENOMEM, "out of memory");
    for (int m = 0; rc == CC_OK && m < M; m++) {
        date_format(h->month_start[m + 1] - 1, iso[m]);
        ptr[m] = iso[m];
    }
    if (rc == CC_OK)
        rc = h5io_write_strings(fid, "months/end_date", ptr, (size_t)M,
                                "last day of each projected month (ISO date)", err);
    hsize_t dm[1] = {(hsize_t)M + 1};
    if (rc == CC_OK)
        rc = h5io_write(fid, "months/start_day", H5T_NATIVE_INT, 1, dm, h->month_start,
                        "first day of each month (entry 0: the start date; last: the end of "
                        "the horizon)",
                        "days since 1970-01-01", err);
    for (int c = 0; rc == CC_OK && c < C; c++)
        ptr[c] = c < def->nstates ? def->states[c].name : "CLA";
    char groups[RUNFILE_MAX_AGES][16];
    const char *gp[RUNFILE_MAX_AGES];
    for (int a = 0; a <= def->nage; a++) {
        if (a == def->nage)
            snprintf(groups[a], 16, "all");
        else
            modeldef_age_label(def, a, groups[a], 16);
        gp[a] = groups[a];
    }
    if (rc == CC_OK)
        rc = h5io_write_strings(fid, "age_groups", gp, (size_t)def->nage + 1,
                                "age groups of the starts tables: the model's age bands in whole "
                                "years (10-15 = from the 10th to the 16th birthday), then all ages",
                                err);
    if (rc == CC_OK)
        rc = h5io_write_strings(fid, "cohorts", ptr, (size_t)C,
                                "cohorts of the summaries: the states, then CLA (all looked-after "
                                "states)",
                                err);
    for (int k = 0; rc == CC_OK && k < H; k++) {
        date_format(h->history_end[k], iso[k]);
        ptr[k] = iso[k];
    }
    if (rc == CC_OK)
        rc = h5io_write_strings(fid, "history/end_date", ptr, (size_t)H,
                                "month ends of the observed history (ISO date)", err);
    hsize_t dh[2] = {(hsize_t)H, (hsize_t)C};
    if (rc == CC_OK)
        rc = h5io_write(fid, "history/stock", H5T_NATIVE_DOUBLE, 2, dh, h->history,
                        "observed children in each cohort at each month end, from the model's "
                        "history",
                        "children", err);
    free(iso);
    free(ptr);
    return rc;
}

/* The financial years, and the groups of every layer a scenario projects. */
static int write_axes(hid_t fid, const runfile_header *h, const runfile_scenario *scen, int nscen,
                      cc_err *err)
{
    const layer_years *y = h->years;
    const char *years[600];
    for (int k = 0; k < y->Y; k++)
        years[k] = y->label[k];
    int rc = h5io_write_strings(fid, "financial_years", years, (size_t)y->Y,
                                "financial years (April to March) of the year/ tables", err);
    hsize_t dy[1] = {(hsize_t)y->Y};
    if (rc == CC_OK)
        rc = h5io_write(fid, "financial_year_months", H5T_NATIVE_INT, 1, dy, y->months,
                        "months of the run in each financial year (the first and last may be "
                        "part years)",
                        "months", err);
    static const char *const what[RUNFILE_NLAYERS] = {
        "workforce groups: the model's teams, then all teams",
        "placement needs: the model's looked-after states by need, then all needs",
        "cost lines: placements by need, support by state, staffing, services, then the "
        "total"};
    for (int id = 0; rc == CC_OK && id < RUNFILE_NLAYERS; id++) {
        bool used = false;
        for (int i = 0; i < nscen; i++)
            used |= scen[i].layer[id].G > 0;
        if (!used)
            continue;
        char path[64], desc[256];
        snprintf(path, sizeof path, "%s/groups", runfile_layers[id]);
        rc = h5io_write_strings(fid, path, h->group_names[id], (size_t)h->ngroups[id], what[id],
                                err);
        snprintf(path, sizeof path, "%s/group_labels", runfile_layers[id]);
        snprintf(desc, sizeof desc, "labels of the %s groups", runfile_layers[id]);
        if (rc == CC_OK)
            rc = h5io_write_strings(fid, path, h->group_labels[id], (size_t)h->ngroups[id], desc,
                                    err);
    }
    return rc;
}

int runfile_write(const char *path, bool force, const runfile_header *h,
                  const runfile_scenario *scen, int nscen, cc_err *err)
{
    h5io_file f;
    int rc = h5io_create(&f, path, force, err);
    if (rc != CC_OK)
        return rc;
    rc = write_header(f.id, h, err);
    const char *names[64];
    for (int i = 0; i < nscen && i < 64; i++)
        names[i] = scen[i].name;
    if (rc == CC_OK)
        rc = h5io_write_strings(f.id, "scenario_names", names, (size_t)(nscen < 64 ? nscen : 64),
                                "scenarios in run order; the first is the baseline the others "
                                "are compared with",
                                err);
    if (rc == CC_OK)
        rc = write_axes(f.id, h, scen, nscen, err);
    for (int i = 0; rc == CC_OK && i < nscen; i++)
        rc = write_scenario(f.id, h, &scen[i], &scen[0], err);
    if (rc != CC_OK) {
        h5io_discard(&f);
        return rc;
    }
    return h5io_commit(&f, err);
}

/* ---- reading ---------------------------------------------------------------------- */

static herr_t list_group(hid_t g, const char *name, const H5L_info_t *info, void *data)
{
    (void)g;
    (void)info;
    runfile *rf = data;
    char(*grown)[64] = realloc(rf->scenarios, sizeof *grown * (size_t)(rf->nscen + 1));
    if (!grown)
        return -1;
    rf->scenarios = grown;
    snprintf(rf->scenarios[rf->nscen++], 64, "%s", name);
    return 0;
}

runfile *runfile_open(const char *path, cc_err *err, int *status)
{
    hid_t fid = h5io_open(path, err, status);
    if (fid < 0)
        return NULL;
    runfile *rf = calloc(1, sizeof *rf);
    if (!rf) {
        H5Fclose(fid);
        *status = cc_fail(err, CC_ENOMEM, "out of memory");
        return NULL;
    }
    rf->h5 = fid;
    snprintf(rf->path, sizeof rf->path, "%s", path);
    char format[64] = "";
    int rc = CC_OK;
    if (!h5io_get_text(fid, "format", format, sizeof format) || strcmp(format, "carecast-run"))
        rc = cc_fail(err, CC_EINPUT,
                     "%s: not a carecast run file (format '%s', expected "
                     "'carecast-run')",
                     path, format);
    model *m = NULL;
    if (rc == CC_OK) {
        hid_t mg = H5Gopen2(fid, "model", H5P_DEFAULT);
        m = mg >= 0 ? model_read_tables(mg, path, err, &rc) : NULL;
        if (mg >= 0)
            H5Gclose(mg);
        else
            rc = cc_fail(err, CC_EINPUT, "%s: /model is missing", path);
    }
    hsize_t dims[8];
    if (rc == CC_OK) {
        rf->S = m->def->nstates;
        rf->T = modeldef_ntargets(m->def);
        rf->C = runfile_ncohorts(m->def);
        rf->M = h5io_dims(fid, "months/end_date", dims) == 1 ? (int)dims[0] : 0;
        rf->H = h5io_dims(fid, "history/end_date", dims) == 1 ? (int)dims[0] : 0;
        rf->cohorts = calloc((size_t)rf->C, sizeof *rf->cohorts);
        rf->labels = calloc((size_t)rf->C, sizeof *rf->labels);
        rf->month_end = calloc((size_t)rf->M + 1, sizeof *rf->month_end);
        rf->history_end = calloc((size_t)rf->H + 1, sizeof *rf->history_end);
        rf->history = calloc((size_t)(rf->H + 1) * rf->C, sizeof *rf->history);
        if (!rf->cohorts || !rf->labels || !rf->month_end || !rf->history_end || !rf->history)
            rc = cc_fail(err, CC_ENOMEM, "out of memory");
    }
    if (rc == CC_OK &&
        (h5io_read_strings(fid, "cohorts", rf->cohorts[0], 32, (size_t)rf->C) != rf->C ||
         h5io_read_strings(fid, "months/end_date", rf->month_end[0], 11, (size_t)rf->M) != rf->M ||
         h5io_read_strings(fid, "history/end_date", rf->history_end[0], 11, (size_t)rf->H) !=
             rf->H))
        rc = cc_fail(err, CC_EINPUT,
                     "%s: /cohorts, /months or /history do not match the model "
                     "(corrupt run file?)",
                     path);
    if (rc == CC_OK)
        rc = h5io_read(fid, "history/stock", H5T_NATIVE_DOUBLE, rf->history, (size_t)rf->H * rf->C,
                       path, err);
    if (rc == CC_OK) {
        for (int c = 0; c < rf->C; c++)
            snprintf(rf->labels[c], 160, "%s",
                     c < rf->S ? m->def->states[c].label
                               : "Looked-after children (all placements)");
        h5io_get_text(fid, "tool_version", rf->version, sizeof rf->version);
        h5io_get_text(fid, "revision", rf->revision, sizeof rf->revision);
        h5io_get_text(fid, "command_line", rf->command_line, sizeof rf->command_line);
        h5io_get_text(fid, "start_date", rf->start, sizeof rf->start);
        h5io_get_text(fid, "model_file", rf->model_file, sizeof rf->model_file);
        h5io_get_text(fid, "model_source", rf->model_source, sizeof rf->model_source);
        long long r = 0;
        h5io_get_long(fid, "replicates", &r);
        rf->R = (int)r;
        h5io_get_long(fid, "seed", &rf->seed);
        h5io_get_long(fid, "threads", &rf->threads);
        hid_t sg = H5Gopen2(fid, "scenarios", H5P_DEFAULT);
        if (sg < 0 || H5Literate(sg, H5_INDEX_NAME, H5_ITER_INC, NULL, list_group, rf) < 0 ||
            rf->nscen == 0)
            rc = cc_fail(err, CC_EINPUT, "%s: /scenarios is missing or empty", path);
        if (sg >= 0)
            H5Gclose(sg);
        /* run order, baseline first (files of format 1 before scenarios had no list) */
        if (rc == CC_OK && h5io_dims(fid, "scenario_names", dims) == 1 &&
            (int)dims[0] == rf->nscen &&
            h5io_read_strings(fid, "scenario_names", rf->scenarios[0], 64, (size_t)rf->nscen) !=
                rf->nscen)
            rc = cc_fail(err, CC_EINPUT, "%s: /scenario_names is unreadable", path);
        rf->Y = h5io_dims(fid, "financial_years", dims) == 1 ? (int)dims[0] : 0;
        rf->years = calloc((size_t)rf->Y + 1, sizeof *rf->years);
        rf->year_months = calloc((size_t)rf->Y + 1, sizeof *rf->year_months);
        if (!rf->years || !rf->year_months)
            rc = cc_fail(err, CC_ENOMEM, "out of memory");
        else if (h5io_read_strings(fid, "financial_years", rf->years[0], 8, (size_t)rf->Y) !=
                     rf->Y ||
                 (rf->Y > 0 && h5io_read(fid, "financial_year_months", H5T_NATIVE_INT,
                                         rf->year_months, (size_t)rf->Y, path, err) != CC_OK))
            rc = cc_fail(err, CC_EINPUT, "%s: /financial_years is unreadable", path);
        for (int id = 0; rc == CC_OK && id < RUNFILE_NLAYERS; id++) {
            runfile_axis *ax = &rf->layer[id];
            char gp[64], lp[64];
            snprintf(gp, sizeof gp, "%s/groups", runfile_layers[id]);
            snprintf(lp, sizeof lp, "%s/group_labels", runfile_layers[id]);
            ax->G = h5io_dims(fid, gp, dims) == 1 ? (int)dims[0] : 0;
            ax->names = calloc((size_t)ax->G + 1, sizeof *ax->names);
            ax->labels = calloc((size_t)ax->G + 1, sizeof *ax->labels);
            if (!ax->names || !ax->labels)
                rc = cc_fail(err, CC_ENOMEM, "out of memory");
            else if (ax->G > 0 &&
                     (h5io_read_strings(fid, gp, ax->names[0], 32, (size_t)ax->G) != ax->G ||
                      h5io_read_strings(fid, lp, ax->labels[0], 160, (size_t)ax->G) != ax->G))
                rc = cc_fail(err, CC_EINPUT, "%s: /%s is unreadable (corrupt run file?)", path,
                             gp);
        }
        rf->A = h5io_dims(fid, "age_groups", dims) == 1 ? (int)dims[0] : 0;
        rf->age_groups = calloc((size_t)rf->A + 1, sizeof *rf->age_groups);
        if (rc == CC_OK && (!rf->age_groups ||
                            h5io_read_strings(fid, "age_groups", rf->age_groups[0], 16,
                                              (size_t)rf->A) != rf->A))
            rf->A = 0;
    }
    model_free(m);
    if (rc != CC_OK) {
        runfile_close(rf);
        *status = rc;
        return NULL;
    }
    *status = CC_OK;
    return rf;
}

void runfile_close(runfile *rf)
{
    if (!rf)
        return;
    if (rf->h5 >= 0)
        H5Fclose((hid_t)rf->h5);
    free(rf->cohorts);
    free(rf->labels);
    free(rf->month_end);
    free(rf->history_end);
    free(rf->history);
    free(rf->scenarios);
    free(rf->age_groups);
    for (int id = 0; id < RUNFILE_NLAYERS; id++) {
        free(rf->layer[id].names);
        free(rf->layer[id].labels);
    }
    free(rf->years);
    free(rf->year_months);
    free(rf);
}

/* Reads the quantile table scenarios/SCEN/PATH of `rows` cohorts or age groups. */
static int read_table(const runfile *rf, const char *scen, const char *path, int rows,
                      double *out, cc_err *err)
{
    char name[256];
    snprintf(name, sizeof name, "scenarios/%s/%s", scen, path);
    return h5io_read((hid_t)rf->h5, name, H5T_NATIVE_DOUBLE, out,
                     (size_t)rf->M * rows * RUNFILE_NSTATS, rf->path, err);
}

int runfile_read_summary(const runfile *rf, const char *scen, const char *measure, double *out,
                         cc_err *err)
{
    char path[128];
    snprintf(path, sizeof path, "summary/%s", measure);
    return read_table(rf, scen, path, rf->C, out, err);
}

int runfile_read_difference(const runfile *rf, const char *scen, const char *measure, double *out,
                            cc_err *err)
{
    char path[128];
    snprintf(path, sizeof path, "difference/summary/%s", measure);
    return read_table(rf, scen, path, rf->C, out, err);
}

int runfile_read_starts(const runfile *rf, const char *scen, const char *what, double *out,
                        cc_err *err)
{
    return read_table(rf, scen, what, rf->A, out, err);
}

int runfile_read_replicates(const runfile *rf, const char *scen, const char *name, int32_t *out,
                            cc_err *err)
{
    char path[256];
    snprintf(path, sizeof path, "scenarios/%s/%s", scen, name);
    return h5io_read((hid_t)rf->h5, path, H5T_NATIVE_INT32, out, (size_t)rf->R * rf->M * rf->S,
                     rf->path, err);
}

bool runfile_has_layer(const runfile *rf, const char *scen, int layer)
{
    char path[256];
    snprintf(path, sizeof path, "scenarios/%s/%s", scen, runfile_layers[layer]);
    return rf->layer[layer].G > 0 && H5Lexists((hid_t)rf->h5, path, H5P_DEFAULT) > 0;
}

int runfile_read_layer(const runfile *rf, const char *scen, int layer, const char *path,
                       double *out, cc_err *err)
{
    char name[256];
    snprintf(name, sizeof name, "scenarios/%s/%s/%s", scen, runfile_layers[layer], path);
    int rows = strncmp(path, "year/", 5) ? rf->M : rf->Y;
    return h5io_read((hid_t)rf->h5, name, H5T_NATIVE_DOUBLE, out,
                     (size_t)rows * rf->layer[layer].G * RUNFILE_NSTATS, rf->path, err);
}

int runfile_read_layer_replicates(const runfile *rf, const char *scen, int layer,
                                  const char *measure, bool year, double *out, cc_err *err)
{
    char name[256];
    snprintf(name, sizeof name, "scenarios/%s/%s/%s%s", scen, runfile_layers[layer],
             year ? "year/" : "", measure);
    return h5io_read((hid_t)rf->h5, name, H5T_NATIVE_DOUBLE, out,
                     (size_t)rf->R * (year ? rf->Y : rf->M) * rf->layer[layer].G, rf->path, err);
}

int runfile_read_budget(const runfile *rf, const char *scen, double *budget, double *p,
                        cc_err *err)
{
    char name[256];
    size_t n = (size_t)rf->Y * rf->layer[RUNFILE_FINANCE].G;
    snprintf(name, sizeof name, "scenarios/%s/finance/budget", scen);
    if (H5Lexists((hid_t)rf->h5, name, H5P_DEFAULT) <= 0) {
        for (size_t i = 0; i < n; i++)
            budget[i] = p[i] = NAN;
        return CC_OK;
    }
    int rc = h5io_read((hid_t)rf->h5, name, H5T_NATIVE_DOUBLE, budget, n, rf->path, err);
    snprintf(name, sizeof name, "scenarios/%s/finance/p_overspend", scen);
    return rc == CC_OK ? h5io_read((hid_t)rf->h5, name, H5T_NATIVE_DOUBLE, p, n, rf->path, err)
                       : rc;
}

int runfile_read_targets(const runfile *rf, const char *scen, double *out, cc_err *err)
{
    char name[256];
    snprintf(name, sizeof name, "scenarios/%s/workforce/target_caseload", scen);
    return h5io_read((hid_t)rf->h5, name, H5T_NATIVE_DOUBLE, out, (size_t)rf->layer[RUNFILE_WORKFORCE].G, rf->path, err);
}

int runfile_cohort(const runfile *rf, const char *name)
{
    for (int c = 0; c < rf->C; c++)
        if (!strcmp(rf->cohorts[c], name))
            return c;
    return -1;
}

bool runfile_cohort_used(const runfile *rf, const double *summary, int c)
{
    for (int h = 0; h < rf->H; h++)
        if (rf->history[(size_t)h * rf->C + c] != 0)
            return true;
    for (int m = 0; m < rf->M; m++)
        for (int k = 0; k < RUNFILE_NSTATS; k++)
            if (summary[((size_t)m * rf->C + c) * RUNFILE_NSTATS + k] != 0)
                return true;
    return false;
}
