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
#include "model.h"
#include "runfile.h"
#include "sim.h"
#include "util.h"

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

typedef struct history_ctx {
    int S, H;
    const int *ends; /* [H] month-end day numbers */
    double *stock;   /* [H][C] */
    const modeldef *def;
} history_ctx;

/* Counts a span in every month end it covers (in the state at the end of that day). */
static void count_span(void *vctx, const model_span *sp)
{
    const model_episode *e = sp->episode;
    int state = sp->state, start = sp->start, end = sp->end;
    (void)e;
    history_ctx *c = vctx;
    int C = c->S + 1;
    for (int k = 0; k < c->H; k++)
        if (start <= c->ends[k] && c->ends[k] < end) {
            c->stock[k * C + state] += 1;
            if (c->def->states[state].looked_after)
                c->stock[k * C + c->S] += 1;
        }
}

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

static char *parameters_text(const run_config *c, int start_day, bool draws)
{
    char start[11];
    date_format(start_day, start);
    char *text = malloc(2048);
    if (text)
        snprintf(text, 2048,
                 "# carecast run: effective parameters (defaults filled in)\n"
                 "model = %s\nout = %s\nreplicates = %d\nthreads = %d\nseed = %llu\n"
                 "start = %s\nhorizon = %d\nscenarios = baseline\n"
                 "parameter_uncertainty = %s\n",
                 c->model_path, c->out, c->replicates, c->threads, (unsigned long long)c->seed,
                 start, c->horizon,
                 draws ? "on (hazards from Gamma posteriors, entries from their regression)"
                       : c->fixed_parameters ? "off (--fixed-parameters)"
                                             : "off (the model has no posteriors)");
    return text;
}

/* Rewrites the progress line on the terminal. */
static void progress(int done, int total)
{
    fprintf(stderr, "\rrun: replicate %d of %d", done, total);
}

/* ---- the run ---------------------------------------------------------------------- */

int run_execute(const run_config *cfg, run_stats *stats, cc_err *err)
{
    double t_begin = omp_get_wtime();
    if (!cfg->force && util_exists(cfg->out))
        return cc_fail(err, CC_EEXIST,
                       "%s: output exists; use --force to replace it "
                       "(nothing was written)",
                       cfg->out);
    int status;
    model *m = model_read(cfg->model_path, err, &status);
    if (!m)
        return status;
    int start = cfg->start_day == INT_MIN ? m->extract_date + 1 : cfg->start_day;
    sim_setup *s = sim_setup_alloc(m, start, cfg->horizon, cfg->seed, err, &status);
    if (!s) {
        model_free(m);
        return status;
    }
    sim_set_parameter_draws(s, !cfg->fixed_parameters);
    int R = cfg->replicates, M = cfg->horizon, S = sim_nstates(s), F = sim_nflows(s);
    size_t rms = (size_t)R * M * S;
    int *flow_from = malloc(sizeof *flow_from * (size_t)F);
    int *flow_to = malloc(sizeof *flow_to * (size_t)F);
    for (int f = 0; flow_from && flow_to && f < F; f++)
        sim_flow(s, f, &flow_from[f], &flow_to[f]);
    runfile_scenario sc = {.name = "baseline",
                           .stock = calloc(rms, sizeof(int32_t)),
                           .inflow = calloc(rms, sizeof(int32_t)),
                           .outflow = calloc(rms, sizeof(int32_t)),
                           .arrivals = calloc(rms, sizeof(int32_t)),
                           .flows = calloc((size_t)R * M * F, sizeof(int32_t)),
                           .nflows = F,
                           .flow_from = flow_from,
                           .flow_to = flow_to,
                           .person_days = calloc(rms, sizeof(double)),
                           .initial_stock = sim_initial_stock(s)};
    int nt = cfg->threads;
    sim_work **work = calloc((size_t)nt, sizeof *work);
    status = (!sc.stock || !sc.inflow || !sc.outflow || !sc.arrivals || !sc.flows ||
              !sc.person_days || !work || !flow_from || !flow_to)
                 ? CC_ENOMEM
                 : CC_OK;
    for (int i = 0; status == CC_OK && i < nt; i++)
        if (!(work[i] = sim_work_alloc(s)))
            status = CC_ENOMEM;
    if (status != CC_OK)
        cc_fail(err, status, "out of memory for %d replicates x %d months (try fewer replicates)",
                R, M);

    int64_t events = 0;
    double t_sim = omp_get_wtime();
    if (status == CC_OK) {
        bool show = cfg->progress && isatty(STDERR_FILENO);
        int done = 0;
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) default(none) \
    shared(s, work, sc, R, M, S, F, show, done) reduction(+ : events)
        for (int r = 0; r < R; r++) {
            size_t off = (size_t)r * M * S;
            sim_ledger led = {sc.stock + off,
                              sc.inflow + off,
                              sc.outflow + off,
                              sc.arrivals + off,
                              sc.flows + (size_t)r * M * F,
                              sc.person_days + off};
            events += sim_replicate(s, work[omp_get_thread_num()], r, &led);
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
    char *params = parameters_text(cfg, start, sim_parameter_draws(s));
    if (status == CC_OK && (H < 0 || !hist || !params))
        status = cc_fail(err, CC_ENOMEM, "out of memory");
    if (status == CC_OK) {
        history_ctx hc = {S, H, ends, hist, m->def};
        model_spans(m, count_span, &hc);
        int *month_start = malloc(sizeof *month_start * (size_t)(M + 1));
        for (int i = 0; month_start && i <= M; i++)
            month_start[i] = sim_month_start(s, i);
        runfile_header h = {m,         cfg->model_path,
                            params,    cli_command_line(),
                            cfg->seed, R,
                            nt,        M,
                            start,     month_start,
                            H,         ends,
                            hist};
        status = month_start ? runfile_write(cfg->out, cfg->force, &h, &sc, 1, err)
                             : cc_fail(err, CC_ENOMEM, "out of memory");
        free(month_start);
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
    free(work);
    free(sc.stock);
    free(sc.inflow);
    free(sc.outflow);
    free(sc.arrivals);
    free(sc.flows);
    free(flow_from);
    free(flow_to);
    free(sc.person_days);
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
                    cli_given(&o, "fixed-parameters")};
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
        if (o.npos > 0)
            status = cc_fail(&err, CC_EUSAGE,
                             "run: scenario files ('%s') are not supported by "
                             "this version; run the baseline without them",
                             o.pos[0]);
    }
    run_stats st = {0, 0, 0, 0};
    if (status == CC_OK)
        status = run_execute(&c, &st, &err);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    if (status == CC_OK)
        fprintf(stderr,
                "run: wrote %s (%d replicates x %d months, %lld children open at the "
                "start, %.4g events simulated in %.3f s; %.3f s in all; peak memory %.1f MiB)\n",
                c.out, c.replicates, c.horizon, (long long)st.initial, (double)st.events,
                st.seconds_simulate, st.seconds_total, ru.ru_maxrss / 1024.0);
    return cli_report(status, &err);
}
