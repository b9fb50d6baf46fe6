/* run.c -- reads a model, runs the replicates in parallel and writes the run file.
 *
 * Parallelism: replicates are independent, so the loop over replicates is an OpenMP
 * `for` with dynamic scheduling. Each thread gets its own sim_work, allocated before
 * the parallel region; each replicate writes only its own slice of the output arrays,
 * and its random numbers depend only on (seed, replicate, purpose), so the results are
 * byte-identical whatever the number of threads. Summaries are computed afterwards, in
 * replicate order. The only reduction is an integer event count.
 */
#include "run.h"

#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "date.h"
#include "finance.h"
#include "model.h"
#include "placement.h"
#include "problems.h"
#include "runfile.h"
#include "scenario.h"
#include "sim.h"
#include "util.h"
#include "workforce.h"

const cli_spec run_options[] = {
    {"model", CLI_TEXT, "MODEL.h5", "model file to project from (required)"},
    {"out", CLI_TEXT, "RUN.h5", "run file to write (required)"},
    {"replicates", CLI_LONG, "N", "number of Monte Carlo replicates (default 1000)"},
    {"threads", CLI_LONG, "N", "worker threads (default: all cores)"},
    {"seed", CLI_LONG, "S", "master random seed (default 1)"},
    {"start", CLI_DATE, "YYYY-MM-DD", "start date (default: the day after the history ends)"},
    {"horizon", CLI_LONG, "MONTHS", "months to project (default 60)"},
    {"fixed-parameters", CLI_FLAG, NULL,
     "use the fitted point estimates in every replicate (by default each replicate draws "
     "its rates from their posterior, so intervals include parameter uncertainty)"},
    {"force", CLI_FLAG, NULL, "replace an existing run file"},
    {NULL, 0, NULL, NULL}};

/* ---- observed history ------------------------------------------------------------- */

/* Month ends from the first complete month of the history to the day before start. */
static int history_months(const model *m, int start_day, int **ends)
{
    *ends = NULL;
    if (m->nepisodes == 0)
        return 0;
    int first = m->history_start;
    int last = start_day - 1 < m->extract_date ? start_day - 1 : m->extract_date;
    int n = 0;
    int *buf = malloc(sizeof *buf * 1200);
    if (!buf)
        return -1;
    for (int k = 0; n < 1200; k++) {
        int end = date_month_start(first, k + 1) - 1;
        if (end > last)
            break;
        buf[n++] = end;
    }
    *ends = buf;
    return n;
}

/* ---- effective parameters --------------------------------------------------------- */

static char *parameters_text(const run_config *c, int start_day, bool draws, scenario **sc, int n)
{
    char start[11];
    date_format(start_day, start);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return NULL;
    fprintf(f,
            "# carecast run: effective parameters (defaults filled in)\n"
            "model = %s\nout = %s\nreplicates = %d\nthreads = %d\nseed = %llu\n"
            "start = %s\nhorizon = %d\nscenarios =",
            c->model_path, c->out, c->replicates, c->threads, (unsigned long long)c->seed, start,
            c->horizon);
    for (int i = 0; i < n; i++)
        fprintf(f, "%s %s%s%s%s", i ? "," : "", sc[i]->name, *sc[i]->file ? " (" : "",
                sc[i]->file, *sc[i]->file ? ")" : "");
    fprintf(f, "\nbaseline = %s\nparameter_uncertainty = %s\n", sc[0]->name,
            draws ? "on (hazards from Gamma posteriors, entries from their regression)"
            : c->fixed_parameters ? "off (--fixed-parameters)"
                                  : "off (the model has no posteriors)");
    fclose(f);
    return text;
}

/* Rewrites the progress line on the terminal. */
static void progress(int done, int total)
{
    fprintf(stderr, "\rrun: replicate %d of %d", done, total);
}

/* ---- scenarios -------------------------------------------------------------------- */

/* Reads every scenario file against the model (all problems of all files at once), or
 * makes the neutral baseline when there are none. Names must differ. */
static int read_scenarios(const run_config *cfg, const model *m, int start, scenario **sc,
                          cc_err *err)
{
    int n = cfg->nscenarios;
    if (n == 0)
        return (sc[0] = scenario_neutral("baseline", start)) ? CC_OK
                                                             : cc_fail(err, CC_ENOMEM, "out of memory");
    problems *p = problems_alloc(50);
    if (!p)
        return cc_fail(err, CC_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++)
        sc[i] = scenario_read(cfg->scenarios[i], m, start, p);
    for (int i = 0; i < n; i++)
        for (int j = 0; sc[i] && j < i; j++)
            if (sc[j] && !strcmp(sc[i]->name, sc[j]->name))
                problems_add(p, PROBLEM_ERROR, cfg->scenarios[i], sc[i]->name_line, "name",
                             "scenario name '%s' is also the name of %s; each scenario of a run "
                             "needs its own name (set key 'name')",
                             sc[i]->name, cfg->scenarios[j]);
    int rc = CC_OK;
    if (problems_errors(p) > 0) {
        problems_print(p, stderr);
        rc = cc_fail(err, CC_EINPUT, "run: %ld problem%s in the scenario files; nothing was run",
                     problems_errors(p), problems_errors(p) == 1 ? "" : "s");
    }
    problems_free(p);
    return rc;
}

/* Reads every scenario's capacity, cost and budget files (all problems of all files at
 * once) and gives the finances the run's cost lines. */
static int prepare_placements(const modeldef *def, scenario **sc, int n, const int *month_start,
                              int M, placement **pl, finance **fin, finance_lines *lines,
                              cc_err *err)
{
    problems *p = problems_alloc(50);
    if (!p)
        return cc_fail(err, CC_ENOMEM, "out of memory");
    int rc = CC_OK;
    for (int i = 0; i < n; i++) {
        const scn_placements *sp = sc[i]->placements;
        if (!sp)
            continue;
        pl[i] = placement_alloc(def, sp, month_start, M, p);
        if (sp->costs[0])
            fin[i] = finance_alloc(def, sp, month_start, M, sc[i]->workforce != NULL, p);
    }
    finance_lines_build(fin, n, def, lines);
    for (int i = 0; i < n; i++)
        if (fin[i] && finance_set_lines(fin[i], lines, p) == CC_ENOMEM)
            rc = cc_fail(err, CC_ENOMEM, "out of memory");
    if (rc == CC_OK && problems_errors(p) > 0) {
        problems_print(p, stderr);
        rc = cc_fail(err, CC_EINPUT,
                     "run: %ld problem%s in the capacity, cost or budget files; nothing was run",
                     problems_errors(p), problems_errors(p) == 1 ? "" : "s");
    }
    problems_free(p);
    return rc;
}

/* ---- the run ---------------------------------------------------------------------- */

/* Per-scenario output arrays, allocated together; CC_OK or CC_ENOMEM. */
static int scenario_arrays(runfile_scenario *o, const scenario *sc, size_t rms, size_t rmf,
                           size_t rma)
{
    o->name = sc->name;
    o->file = sc->file;
    o->description = sc->description;
    o->parameters = sc->parameters;
    o->stock = calloc(rms, sizeof(int32_t));
    o->inflow = calloc(rms, sizeof(int32_t));
    o->outflow = calloc(rms, sizeof(int32_t));
    o->arrivals = calloc(rms, sizeof(int32_t));
    o->flows = calloc(rmf, sizeof(int32_t));
    o->person_days = calloc(rms, sizeof(double));
    o->starts = calloc(rma, sizeof(int32_t));
    return o->stock && o->inflow && o->outflow && o->arrivals && o->flows && o->person_days &&
                   o->starts
               ? CC_OK
               : CC_ENOMEM;
}

/* The arrays of one layer (K measures over G groups) of a scenario; CC_OK or CC_ENOMEM. */
static int layer_arrays(runfile_layer *ly, const layer_measure *measures, int K, int G, int R,
                        int M, int Y)
{
    ly->measures = measures;
    ly->K = K;
    ly->G = G;
    ly->month = calloc((size_t)K * R * M * G, sizeof *ly->month);
    ly->year = calloc((size_t)K * R * Y * G, sizeof *ly->year);
    return ly->month && ly->year ? CC_OK : CC_ENOMEM;
}

/* Stores one replicate's layer results ([M][G][K] and [Y][G][K]) into the run's arrays. */
static void store_layer(runfile_layer *ly, int r, int R, int M, int Y, const double *month,
                        const double *year)
{
    int G = ly->G, K = ly->K;
    for (int k = 0; k < K; k++) {
        float *dm = ly->month + ((size_t)k * R + r) * M * G;
        float *dy = ly->year + ((size_t)k * R + r) * Y * G;
        for (int mg = 0; mg < M * G; mg++)
            dm[mg] = (float)month[(size_t)mg * K + k];
        for (int yg = 0; yg < Y * G; yg++)
            dy[yg] = (float)year[(size_t)yg * K + k];
    }
}

static void scenario_arrays_free(runfile_scenario *o)
{
    for (int id = 0; id < RUNFILE_NLAYERS; id++) {
        free(o->layer[id].month);
        free(o->layer[id].year);
    }
    free(o->stock);
    free(o->inflow);
    free(o->outflow);
    free(o->arrivals);
    free(o->flows);
    free(o->person_days);
    free(o->starts);
}

int run_execute(const run_config *cfg, run_stats *stats, cc_err *err)
{
    double t_begin = omp_get_wtime();
    if (!cfg->force && util_exists(cfg->out))
        return cc_fail(err, CC_EEXIST,
                       "%s: output exists; use --force to replace it "
                       "(nothing was written)",
                       cfg->out);
    if (cfg->nscenarios > RUN_MAX_SCENARIOS)
        return cc_fail(err, CC_EUSAGE, "run: %d scenarios: at most %d in one run",
                       cfg->nscenarios, RUN_MAX_SCENARIOS);
    int status;
    model *m = model_read(cfg->model_path, err, &status);
    if (!m)
        return status;
    int start = cfg->start_day == INT_MIN ? m->extract_date + 1 : cfg->start_day;
    int N = cfg->nscenarios > 0 ? cfg->nscenarios : 1;
    scenario *sc[RUN_MAX_SCENARIOS] = {NULL};
    status = read_scenarios(cfg, m, start, sc, err);
    sim_setup *s = status == CC_OK ? sim_setup_alloc(m, start, cfg->horizon, cfg->seed, err, &status)
                                   : NULL;
    if (!s) {
        for (int i = 0; i < N; i++)
            scenario_free(sc[i]);
        model_free(m);
        return status;
    }
    sim_scenario *x[RUN_MAX_SCENARIOS] = {NULL};
    for (int i = 0; status == CC_OK && i < N; i++)
        if (!(x[i] = sim_scenario_alloc(s, sc[i])))
            status = CC_ENOMEM;
    sim_set_parameter_draws(s, !cfg->fixed_parameters);
    int R = cfg->replicates, M = cfg->horizon, S = sim_nstates(s), F = sim_nflows(s);
    int *month_start = malloc(sizeof *month_start * (size_t)(M + 1));
    if (!month_start)
        status = cc_fail(err, CC_ENOMEM, "out of memory");
    for (int i = 0; month_start && i <= M; i++)
        month_start[i] = sim_month_start(s, i);
    layer_years *years = month_start ? layer_years_alloc(month_start, M) : NULL;
    if (month_start && !years)
        status = cc_fail(err, CC_ENOMEM, "out of memory");
    int Y = years ? years->Y : 0;
    workforce *wf[RUN_MAX_SCENARIOS] = {NULL};
    for (int i = 0; status == CC_OK && i < N; i++)
        if (sc[i]->workforce)
            wf[i] = workforce_alloc(m->def, sc[i]->workforce, month_start, M,
                                    sim_initial_stock(s), err, &status);
    /* placements and finance: every problem in their files is reported before running */
    placement *pl[RUN_MAX_SCENARIOS] = {NULL};
    finance *fin[RUN_MAX_SCENARIOS] = {NULL};
    finance_lines lines;
    memset(&lines, 0, sizeof lines);
    bool collect[MD_MAX] = {false};
    if (status == CC_OK)
        status = prepare_placements(m->def, sc, N, month_start, M, pl, fin, &lines, err);
    for (int i = 0; i < N; i++)
        if (fin[i])
            finance_cost_states(fin[i], collect);
    int nage = m->def->nage;
    size_t rms = (size_t)R * M * S;
    int *flow_from = malloc(sizeof *flow_from * (size_t)F);
    int *flow_to = malloc(sizeof *flow_to * (size_t)F);
    for (int f = 0; flow_from && flow_to && f < F; f++)
        sim_flow(s, f, &flow_from[f], &flow_to[f]);
    runfile_scenario out[RUN_MAX_SCENARIOS];
    memset(out, 0, sizeof out);
    for (int i = 0; i < N; i++) {
        out[i].nflows = F;
        out[i].flow_from = flow_from;
        out[i].flow_to = flow_to;
        out[i].initial_stock = sim_initial_stock(s);
        if (status == CC_OK)
            status = scenario_arrays(&out[i], sc[i], rms, (size_t)R * M * F, (size_t)R * M * nage);
        out[i].wf = wf[i];
        if (status == CC_OK && wf[i])
            status = layer_arrays(&out[i].layer[RUNFILE_WORKFORCE], workforce_measures,
                                  WF_NMEASURES, workforce_ngroups(wf[i]), R, M, Y);
        if (status == CC_OK && pl[i])
            status = layer_arrays(&out[i].layer[RUNFILE_PLACEMENTS], placement_measures,
                                  PL_NMEASURES, placement_ngroups(pl[i]), R, M, Y);
        if (status == CC_OK && fin[i]) {
            status = layer_arrays(&out[i].layer[RUNFILE_FINANCE], finance_measures,
                                  FIN_NMEASURES, lines.L, R, M, Y);
            out[i].budget = finance_budget(fin[i]);
        }
    }
    /* per-thread scratch for one replicate's layers: [M][G][K] and [Y][G][K] of the
     * workforce, then of the placements, then of the finance, then staffing [M] */
    size_t rows = (size_t)(M + M / 12 + 2);
    size_t wf_cells = rows * (MD_MAX_TEAMS + 1) * WF_NMEASURES;
    size_t pl_cells = rows * (MD_MAX + 1) * PL_NMEASURES;
    size_t fin_cells = rows * FIN_MAX_LINES * FIN_NMEASURES;
    placement_work **pw = calloc((size_t)cfg->threads, sizeof *pw);
    if (!pw)
        status = CC_ENOMEM;
    int nt = cfg->threads;
    sim_work **work = calloc((size_t)nt, sizeof *work);
    rng **wrng = calloc((size_t)nt, sizeof *wrng);
    double **wscr = calloc((size_t)nt, sizeof *wscr);
    if (!work || !wrng || !wscr || !flow_from || !flow_to)
        status = CC_ENOMEM;
    for (int i = 0; status == CC_OK && i < nt; i++)
        if (!(work[i] = sim_work_alloc(s)) || !(wrng[i] = rng_alloc()) ||
            !(wscr[i] = malloc(sizeof *wscr[i] * (wf_cells + pl_cells + fin_cells + M))) ||
            !(pw[i] = placement_work_alloc(s, m->def, collect)))
            status = CC_ENOMEM;
    if (status == CC_ENOMEM)
        cc_fail(err, status,
                "out of memory for %d scenarios x %d replicates x %d months (try fewer "
                "replicates)",
                N, R, M);

    int64_t events = 0;
    double t_sim = omp_get_wtime();
    if (status == CC_OK) {
        bool show = cfg->progress && isatty(STDERR_FILENO);
        int done = 0;
        /* each replicate runs every scenario in turn on the same thread, so the
         * replicate's parameter draw is made once and shared by its scenarios */
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) default(none) \
    shared(s, x, work, out, N, R, M, Y, S, F, nage, show, done, wf, wrng, wscr, cfg, pl, fin, pw, \
               wf_cells, pl_cells, fin_cells) \
    reduction(+ : events)
        for (int r = 0; r < R; r++) {
            size_t off = (size_t)r * M * S;
            for (int i = 0; i < N; i++) {
                sim_ledger led = {out[i].stock + off,
                                  out[i].inflow + off,
                                  out[i].outflow + off,
                                  out[i].arrivals + off,
                                  out[i].flows + (size_t)r * M * F,
                                  out[i].person_days + off,
                                  out[i].starts + (size_t)r * M * nage};
                int tid = omp_get_thread_num();
                if (pl[i]) { /* collect the stays as they are simulated */
                    placement_work_reset(pw[tid]);
                    sim_work_observe(work[tid], placement_observe, pw[tid]);
                }
                events += sim_replicate_scenario(s, x[i], work[tid], r, &led);
                sim_work_observe(work[tid], NULL, NULL);
                double *staffing = NULL;
                if (wf[i]) {
                    int G = workforce_ngroups(wf[i]), K = WF_NMEASURES;
                    double *wm = wscr[tid], *wy = wm + (size_t)M * G * K;
                    workforce_replicate(wf[i], led.stock, cfg->seed, r, wrng[tid], wm, wy);
                    store_layer(&out[i].layer[RUNFILE_WORKFORCE], r, R, M, Y, wm, wy);
                    staffing = wscr[tid] + wf_cells + pl_cells + fin_cells;
                    for (int mo = 0; mo < M; mo++) /* all teams' cost */
                        staffing[mo] = wm[((size_t)mo * G + G - 1) * K + WF_COST];
                }
                if (pl[i]) {
                    double *pm = wscr[tid] + wf_cells;
                    double *py = pm + (size_t)M * placement_ngroups(pl[i]) * PL_NMEASURES;
                    placement_replicate(pl[i], pw[tid], cfg->seed, r, wrng[tid], pm, py);
                    store_layer(&out[i].layer[RUNFILE_PLACEMENTS], r, R, M, Y, pm, py);
                }
                if (fin[i]) {
                    int64_t nseg;
                    const placement_segment *seg = placement_segments(pw[tid], &nseg);
                    double *fm = wscr[tid] + wf_cells + pl_cells;
                    double *fy = fm + (size_t)M * out[i].layer[RUNFILE_FINANCE].G * FIN_NMEASURES;
                    finance_replicate(fin[i], seg, nseg, staffing, fm, fy);
                    store_layer(&out[i].layer[RUNFILE_FINANCE], r, R, M, Y, fm, fy);
                }
            }
            int now;
#pragma omp atomic capture
            now = ++done;
            if (show && omp_get_thread_num() == 0)
                progress(now, R);
        }
        if (show)
            fprintf(stderr, "\rrun: %d replicates done%20s\n", R, "");
    }
    t_sim = omp_get_wtime() - t_sim;

    int *ends = NULL;
    int H = status == CC_OK ? history_months(m, start, &ends) : 0;
    int C = runfile_ncohorts(m->def);
    double *hist = calloc((size_t)(H > 0 ? H : 1) * C, sizeof *hist);
    char *params = status == CC_OK ? parameters_text(cfg, start, sim_parameter_draws(s), sc, N)
                                   : NULL;
    if (status == CC_OK && (H < 0 || !hist || !params))
        status = cc_fail(err, CC_ENOMEM, "out of memory");
    if (status == CC_OK) {
        model_stock_on(m, ends, H, hist);
        runfile_header h = {.model = m,
                            .model_path = cfg->model_path,
                            .parameters = params,
                            .command_line = cli_command_line(),
                            .seed = cfg->seed,
                            .replicates = R,
                            .threads = nt,
                            .months = M,
                            .start_day = start,
                            .month_start = month_start,
                            .history_months = H,
                            .history_end = ends,
                            .history = hist,
                            .years = years};
        const char *team_names[MD_MAX_TEAMS + 1], *team_labels[MD_MAX_TEAMS + 1];
        for (int t = 0; t <= m->def->nteams; t++) {
            team_names[t] = t < m->def->nteams ? m->def->teams[t].name : "all";
            team_labels[t] = t < m->def->nteams ? m->def->teams[t].label : "All teams";
        }
        h.ngroups[RUNFILE_WORKFORCE] = m->def->nteams + 1;
        h.group_names[RUNFILE_WORKFORCE] = team_names;
        h.group_labels[RUNFILE_WORKFORCE] = team_labels;
        const char *need_names[MD_MAX + 1], *need_labels[MD_MAX + 1];
        int nn = 0;
        for (int st = 0; st < S; st++)
            if (m->def->states[st].looked_after) {
                need_names[nn] = m->def->states[st].need;
                need_labels[nn++] = m->def->states[st].label;
            }
        need_names[nn] = "all";
        need_labels[nn++] = "All placement needs";
        h.ngroups[RUNFILE_PLACEMENTS] = nn;
        h.group_names[RUNFILE_PLACEMENTS] = need_names;
        h.group_labels[RUNFILE_PLACEMENTS] = need_labels;
        const char *line_names[FIN_MAX_LINES], *line_labels[FIN_MAX_LINES];
        for (int l = 0; l < lines.L; l++) {
            line_names[l] = lines.name[l];
            line_labels[l] = lines.label[l];
        }
        h.ngroups[RUNFILE_FINANCE] = lines.L;
        h.group_names[RUNFILE_FINANCE] = line_names;
        h.group_labels[RUNFILE_FINANCE] = line_labels;
        status = runfile_write(cfg->out, cfg->force, &h, out, N, err);
    }
    if (stats) {
        stats->events = events;
        stats->initial = sim_initial_children(s);
        stats->seconds_simulate = t_sim;
        stats->seconds_total = omp_get_wtime() - t_begin;
    }
    free(params);
    free(hist);
    free(ends);
    for (int i = 0; work && i < nt; i++)
        sim_work_free(work[i]);
    for (int i = 0; wrng && i < nt; i++)
        rng_free(wrng[i]);
    for (int i = 0; wscr && i < nt; i++)
        free(wscr[i]);
    for (int i = 0; pw && i < nt; i++)
        placement_work_free(pw[i]);
    free(pw);
    free(work);
    free(wrng);
    free(wscr);
    free(month_start);
    layer_years_free(years);
    for (int i = 0; i < N; i++) {
        workforce_free(wf[i]);
        placement_free(pl[i]);
        finance_free(fin[i]);
        scenario_arrays_free(&out[i]);
        sim_scenario_free(x[i]);
        scenario_free(sc[i]);
    }
    free(flow_from);
    free(flow_to);
    sim_setup_free(s);
    model_free(m);
    return status;
}

int run_main(int argc, char **argv)
{
    cli_opts o;
    cc_err err = {{0}, 0};
    int status = cli_parse(argc, argv, run_options, &o, &err);
    run_config c = {cli_text(&o, "model", NULL),
                    cli_text(&o, "out", NULL),
                    (int)cli_long(&o, "replicates", 1000),
                    (int)cli_long(&o, "threads", omp_get_num_procs()),
                    (uint64_t)cli_long(&o, "seed", 1),
                    cli_date(&o, "start", INT_MIN),
                    (int)cli_long(&o, "horizon", 60),
                    o.force,
                    true,
                    cli_given(&o, "fixed-parameters"),
                    o.npos,
                    o.pos};
    if (status == CC_OK) {
        if (!c.model_path)
            status = cc_fail(&err, CC_EUSAGE, "run: --model MODEL.h5 is required");
        if (!c.out)
            status = cc_fail(&err, CC_EUSAGE, "run: --out RUN.h5 is required");
        if (cli_long(&o, "replicates", 1000) < 1 || cli_long(&o, "replicates", 1) > 1000000)
            status = cc_fail(&err, CC_EUSAGE, "run: --replicates %ld: expected 1 to 1000000",
                             cli_long(&o, "replicates", 0));
        if (cli_long(&o, "threads", 1) < 1 || cli_long(&o, "threads", 1) > 1024)
            status = cc_fail(&err, CC_EUSAGE, "run: --threads %ld: expected 1 to 1024",
                             cli_long(&o, "threads", 0));
        if (cli_long(&o, "horizon", 60) < 1 || cli_long(&o, "horizon", 60) > 600)
            status = cc_fail(&err, CC_EUSAGE, "run: --horizon %ld: expected 1 to 600 months",
                             cli_long(&o, "horizon", 0));
        if (cli_long(&o, "seed", 1) < 0)
            status = cc_fail(&err, CC_EUSAGE, "run: --seed %ld: expected an integer >= 0",
                             cli_long(&o, "seed", 0));
        if (o.npos > RUN_MAX_SCENARIOS)
            status = cc_fail(&err, CC_EUSAGE, "run: %d scenario files: at most %d in one run",
                             o.npos, RUN_MAX_SCENARIOS);
    }
    run_stats st = {0, 0, 0, 0};
    if (status == CC_OK)
        status = run_execute(&c, &st, &err);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (status == CC_OK)
        fprintf(stderr,
                "run: wrote %s (%d scenario%s x %d replicates x %d months, %lld children "
                "open at the start, %.4g events simulated in %.3f s; %.3f s in all; peak "
                "memory %.1f MiB)\n",
                c.out, c.nscenarios > 0 ? c.nscenarios : 1, c.nscenarios > 1 ? "s" : "",
                c.replicates, c.horizon, (long long)st.initial, (double)st.events,
                st.seconds_simulate, st.seconds_total, ru.ru_maxrss / 1024.0);
    return cli_report(status, &err);
}
