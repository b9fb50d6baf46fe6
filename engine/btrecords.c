/* btrecords.c -- the backtest on a council's own records (see btrecords.h).
 *
 * Measures. Every state recorded in the history (REF, CIN, CP, each looked-after state,
 * CL in the standard definition) at 31 March, the looked-after states together, and the
 * children starting to be looked after in the year to 31 March: a looked-after span that
 * does not follow straight on from another looked-after span, as the kernel counts its
 * starts (an arrival in care, or a move into care from REF, CIN, CP or a closed case).
 * States derived from gaps (CLOSED) are not scored: they are not observed.
 *
 * Parallelism: the origins run one after another; within an origin the replicates are an
 * OpenMP loop, one sim_work per thread, and a replicate's numbers depend only on (seed,
 * replicate, purpose), so the file is the same on any number of threads.
 */
#include "btrecords.h"

#include <limits.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "fit.h"
#include "sim.h"
#include "util.h"

#define KIND_CLA    (-1) /* the looked-after states together */
#define KIND_STARTS (-2) /* children starting to be looked after in the year */

/* The measures of the records: kind[m] is a state index or one of the KIND_ codes. States
 * without a single episode in the records (CIN and CP in SSDA903 returns) are left out. */
static int measures(const model *rec, backtest *bt, int *kind)
{
    const modeldef *d = rec->def;
    bool held[MD_MAX] = {false};
    for (int64_t i = 0; i < rec->nepisodes; i++)
        held[rec->episodes[i].state] = true;
    int M = 0;
    bool cla_done = false;
    for (int s = 0; s < d->nstates && M + 3 <= BT_MAX_MEASURES; s++) {
        if (!held[s])
            continue;
        if (d->states[s].looked_after && !cla_done) {
            kind[M] = KIND_CLA;
            util_copy(bt->measure[M], "cla_at_31_march", sizeof bt->measure[M]);
            util_copy(bt->title[M++], "children looked after at 31 March", sizeof bt->title[0]);
            kind[M] = KIND_STARTS;
            util_copy(bt->measure[M], "cla_started_in_year", sizeof bt->measure[M]);
            util_copy(bt->title[M++], "children starting to be looked after in the year",
                      sizeof bt->title[0]);
            cla_done = true;
        }
        kind[M] = s;
        char name[48];
        size_t k = 0;
        for (; d->states[s].name[k] && k + 1 < sizeof name; k++)
            name[k] = (char)(d->states[s].name[k] >= 'A' && d->states[s].name[k] <= 'Z'
                                 ? d->states[s].name[k] - 'A' + 'a'
                                 : d->states[s].name[k]);
        name[k] = '\0';
        snprintf(bt->measure[M], sizeof bt->measure[M], "%s_at_31_march", name);
        snprintf(bt->title[M++], sizeof bt->title[0], "%s (%s) at 31 March", d->states[s].label,
                 d->states[s].name);
    }
    return M;
}

/* ---- what the records show -------------------------------------------------------- */

typedef struct starts_ctx {
    const modeldef *def;
    int year0, Y;
    double *starts; /* [Y]: starts in the year to 31 March of year0 + y */
    int64_t child;  /* the previous span's child, end and whether it was in care */
    int end;
    bool in_care;
} starts_ctx;

static void count_starts(void *vctx, const model_span *sp)
{
    starts_ctx *c = vctx;
    bool la = c->def->states[sp->state].looked_after;
    bool follows = sp->episode->child == c->child && c->end == sp->start && c->in_care;
    if (la && !follows) {
        int y, mo, d;
        date_to_ymd(sp->start, &y, &mo, &d);
        int year = mo > 3 ? y + 1 : y; /* the year ending 31 March the start falls in */
        if (year >= c->year0 && year < c->year0 + c->Y)
            c->starts[year - c->year0] += 1;
    }
    c->child = sp->episode->child;
    c->end = sp->end;
    c->in_care = la;
}

/* The observed value of every measure on each 31 March the records cover completely
 * (starts: each year to 31 March whose whole year they cover). */
static int observe(const model *rec, backtest *bt, const int *kind)
{
    const modeldef *d = rec->def;
    int S = d->nstates, Y = bt->Y > 0 ? bt->Y : 1;
    int *days = malloc(sizeof *days * (size_t)Y);
    double *stock = malloc(sizeof *stock * (size_t)Y * (S + 1));
    double *starts = calloc((size_t)Y, sizeof *starts);
    if (!days || !stock || !starts) {
        free(days);
        free(stock);
        free(starts);
        return CC_ENOMEM;
    }
    for (int y = 0; y < Y; y++)
        days[y] = date_from_ymd(bt->years[y], 3, 31);
    model_stock_on(rec, days, Y, stock);
    starts_ctx sc = {d, bt->years[0], Y, starts, -1, 0, false};
    model_spans(rec, count_starts, &sc);
    for (int m = 0; m < bt->M; m++)
        for (int y = 0; y < Y; y++) {
            double v = kind[m] == KIND_STARTS ? starts[y]
                       : kind[m] == KIND_CLA  ? stock[(size_t)y * (S + 1) + S]
                                              : stock[(size_t)y * (S + 1) + kind[m]];
            /* a year's starts need the whole year on record */
            bool complete = kind[m] != KIND_STARTS ||
                            date_from_ymd(bt->years[y] - 1, 4, 1) >= rec->history_start;
            bt->history[(size_t)m * Y + y] = complete ? v : NAN;
        }
    free(days);
    free(stock);
    free(starts);
    return CC_OK;
}

/* ---- the records as extracted on an origin ---------------------------------------- */

/* A copy of the records as a council would have extracted them on `origin` (a day):
 * episodes starting later dropped, episodes ending later open, the population up to the
 * mid-year before the origin's year. */
static model *cut(const model *rec, int origin, cc_err *err, int *status)
{
    modeldef *def = modeldef_alloc_text(rec->def->text, "the records' model definition", err,
                                        status);
    if (!def)
        return NULL;
    model *m = model_alloc(def, rec->max_trans);
    model_episode *eps = malloc(sizeof *eps * (size_t)(rec->nepisodes > 0 ? rec->nepisodes : 1));
    if (!m || !eps) {
        if (!m)
            modeldef_free(def);
        model_free(m);
        free(eps);
        *status = cc_fail(err, CC_ENOMEM, "out of memory");
        return NULL;
    }
    int64_t n = 0;
    for (int64_t i = 0; i < rec->nepisodes; i++) {
        model_episode e = rec->episodes[i];
        if (e.start > origin)
            continue;
        if (e.end != MODEL_OPEN_END && e.end > origin) {
            e.end = MODEL_OPEN_END;
            e.reason = MODEL_REASON_OPEN;
        }
        eps[n++] = e;
    }
    model_set_history(m, eps, n, origin);
    m->history_start = rec->history_start;
    int y, mo, d;
    date_to_ymd(origin, &y, &mo, &d);
    int years = rec->population ? y - rec->pop_year0 : 0; /* mid-years before the origin's */
    if (years > rec->pop_nyears)
        years = rec->pop_nyears;
    if (years < 1 && rec->population)
        years = 1; /* a table starting later still gives the denominator's shape */
    if (years > 0 && model_set_population(m, rec->pop_year0, years, rec->population) != CC_OK) {
        model_free(m);
        *status = cc_fail(err, CC_ENOMEM, "out of memory");
        return NULL;
    }
    *status = CC_OK;
    return m;
}

/* ---- projecting ------------------------------------------------------------------- */

/* Fits the records cut at origin o and projects them; keeps the quantiles of each case.
 * `draws` has room for R x H x M values. */
static int origin_cases(backtest *bt, const model *rec, int o, const int *kind, double *draws,
                        cc_err *err)
{
    int origin_year = bt->cfg.first_origin + o, status;
    int origin = date_from_ymd(origin_year, 3, 31);
    model *m = cut(rec, origin, err, &status);
    if (!m)
        return status;
    bt->fitted[o] = m;
    int start = date_add_years(origin, -bt->cfg.window_years) + 1;
    if (start < rec->history_start)
        start = rec->history_start;
    fit_config fc = {.window_start = start, .window_end = origin,
                     .prior_events = FIT_PRIOR_EVENTS, .seed = bt->cfg.seed};
    status = fit_estimate(m, &fc, err);
    if (status != CC_OK)
        return status;
    char a[11], b[11];
    date_format(start, a);
    date_format(origin, b);
    snprintf(m->source, sizeof m->source,
             "carecast backtest: records cut at %s, fitted on %s to %s, prior %g events", b, a,
             b, FIT_PRIOR_EVENTS);

    int H = bt->H, M = bt->M, R = bt->cfg.replicates, nt = bt->cfg.threads;
    sim_setup *s = sim_setup_alloc(m, origin + 1, 12 * H, bt->cfg.seed, err, &status);
    if (!s)
        return status;
    sim_set_parameter_draws(s, true);
    int S = sim_nstates(s), nage = m->def->nage;
    sim_work **work = calloc((size_t)nt, sizeof *work);
    sim_ledger **led = calloc((size_t)nt, sizeof *led);
    for (int t = 0; work && led && t < nt; t++)
        if (!(work[t] = sim_work_alloc(s)) || !(led[t] = sim_ledger_alloc(s)))
            break;
    status = work && led && work[nt - 1] && led[nt - 1] ? CC_OK : CC_ENOMEM;
    if (status == CC_OK) {
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) default(none)                       \
    shared(s, work, led, draws, kind, R, H, M, S, nage, m)
        for (int r = 0; r < R; r++) {
            int tid = omp_get_thread_num();
            const sim_ledger *l = led[tid];
            sim_replicate(s, work[tid], r, led[tid]);
            for (int h = 0; h < H; h++) {
                int end = 12 * (h + 1) - 1; /* the month ending 31 March */
                double cla = 0, starts = 0;
                for (int st = 0; st < S; st++)
                    cla += m->def->states[st].looked_after ? l->stock[end * S + st] : 0;
                for (int mo = end - 11; mo <= end; mo++)
                    for (int k = 0; k < nage; k++)
                        starts += l->starts[mo * nage + k];
                for (int q = 0; q < M; q++)
                    draws[((size_t)h * M + q) * R + r] = kind[q] == KIND_CLA      ? cla
                                                         : kind[q] == KIND_STARTS ? starts
                                                                  : l->stock[end * S + kind[q]];
            }
        }
        for (int h = 0; h < H; h++)
            for (int q = 0; q < M; q++)
                backtest_set_forecast(bt, backtest_case(bt, 0, o, h, q),
                                      &draws[((size_t)h * M + q) * R], R);
    } else {
        cc_fail(err, status, "out of memory");
    }
    for (int t = 0; t < nt; t++) {
        if (work)
            sim_work_free(work[t]);
        if (led)
            sim_ledger_free(led[t]);
    }
    free(work);
    free(led);
    sim_setup_free(s);
    return status;
}

/* ---- the backtest ----------------------------------------------------------------- */

/* The first and last years whose 31 March the records cover completely. */
static void record_years(const model *rec, int *first, int *last)
{
    int y, mo, d;
    date_to_ymd(rec->history_start, &y, &mo, &d);
    *first = date_from_ymd(y, 3, 31) >= rec->history_start ? y : y + 1;
    date_to_ymd(rec->extract_date, &y, &mo, &d);
    *last = date_from_ymd(y, 3, 31) <= rec->extract_date ? y : y - 1;
}

bool btrecords_default_origins(const model *records, int window_years, int *first, int *last)
{
    int y0, y1;
    record_years(records, &y0, &y1);
    int w = window_years < 1 ? 1 : window_years;
    *first = y0 + w; /* its window starts after y0's 31 March, so inside the records */
    *last = y1 - 1;
    if (*first > *last && y0 + 1 <= *last) /* a shorter window rather than none */
        *first = y0 + 1;
    return *first <= *last;
}

backtest *btrecords_compute(const model *records, const backtest_config *cfg, const char *name,
                            const char *const *inputs, int ninputs, cc_err *err, int *status)
{
    double t0 = omp_get_wtime();
    int y0, y1;
    record_years(records, &y0, &y1);
    char hs[11], ex[11];
    date_format(records->history_start, hs);
    date_format(records->extract_date, ex);
    if (y1 < y0 || cfg->first_origin < y0 + 1 || cfg->last_origin > y1 - 1) {
        *status = cc_fail(err, CC_EINPUT,
                          "backtest: --origins %d:%d: the records are complete from %s to %s "
                          "(extract date), so origins (31 March) can run from %d, a year after "
                          "they start, to %d, a year before they end",
                          cfg->first_origin, cfg->last_origin, hs, ex, y0 + 1, y1 - 1);
        return NULL;
    }
    backtest *bt = backtest_alloc(cfg, 1, BT_MAX_MEASURES, y1 - y0 + 1);
    int kind[BT_MAX_MEASURES];
    double *draws = NULL;
    if (bt) {
        /* the arrays were sized for BT_MAX_MEASURES; the [G][O][H][M] layout with the
         * actual M fits inside them */
        bt->M = measures(records, bt, kind);
        bt->fitted = calloc((size_t)bt->O, sizeof *bt->fitted);
        draws = malloc(sizeof *draws * (size_t)cfg->replicates * bt->H * (bt->M ? bt->M : 1));
    }
    if (!bt || !bt->fitted || !draws) {
        backtest_free(bt);
        free(draws);
        *status = cc_fail(err, CC_ENOMEM, "out of memory");
        return NULL;
    }
    util_copy(bt->source, "records", sizeof bt->source);
    util_copy(bt->code[0], "records", sizeof bt->code[0]);
    util_copy(bt->name[0], name, sizeof bt->name[0]);
    bt->ninputs = ninputs < 32 ? ninputs : 32;
    for (int i = 0; i < bt->ninputs; i++)
        util_copy(bt->inputs[i], inputs[i], sizeof bt->inputs[i]);
    for (int y = 0; y < bt->Y; y++)
        bt->years[y] = y0 + y;
    *status = observe(records, bt, kind);
    if (*status != CC_OK)
        cc_fail(err, *status, "out of memory");
    if (*status == CC_OK)
        backtest_set_outcomes(bt);
    for (int o = 0; *status == CC_OK && o < bt->O; o++)
        *status = origin_cases(bt, records, o, kind, draws, err);
    free(draws);
    if (*status != CC_OK) {
        backtest_free(bt);
        return NULL;
    }
    bt->seconds = omp_get_wtime() - t0;
    return bt;
}
