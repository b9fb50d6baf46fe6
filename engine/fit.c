/* fit.c -- estimating a model from a council's records (see fit.h for the method).
 *
 * One pass over every span of the history (model_spans) collects, inside the window:
 * person-days at risk per state x age band x duration band, events per state x target x
 * cell, and new children (entries) per entry state x age band x month. Age pieces are
 * cut at exact birthdays, duration pieces at whole days since the span began (which may
 * be before the window: only the exposure inside the window counts, but the duration is
 * the true one). An event is placed in the cell of the last day before it.
 */
#include "fit.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_vector.h>

#include "date.h"
#include "history.h"
#include "problems.h"
#include "sim.h"
#include "util.h"

#define DEFAULT_CHECK_REPS   100
#define PROBLEM_CAP          200
#define IPF_ROUNDS           60
#define IPF_SMOOTH           0.5 /* pseudo-events pulling each margin toward the pooled rate */
#define IRLS_ROUNDS          50

const cli_spec fit_options[] = {
    {"episodes", CLI_TEXT, "FILE", "canonical episodes CSV (REF, CIN, CP, CLA, CL)"},
    {"ssda903", CLI_TEXT, "DIR", "SSDA903 header and episodes files: a folder or one file"},
    {"population", CLI_TEXT, "FILE",
     "children by year and age 0-17 (year,age,children); without it entry rates are "
     "children per day"},
    {"window", CLI_TEXT, "START:END", "reference window, e.g. 2022-04-01:2025-03-31 (required)"},
    {"out", CLI_TEXT, "MODEL.h5", "model file to write (required)"},
    {"extract", CLI_DATE, "YYYY-MM-DD",
     "last day the records cover (default: the 31 March after the latest SSDA903 date, "
     "else the latest date in the records)"},
    {"definition", CLI_TEXT, "FILE", "model definition (default models/standard.ini)"},
    {"prior-events", CLI_DOUBLE, "K",
     "strength of the shrinkage of each hazard cell toward its transition's pooled "
     "(age x duration main-effects) rate, in events (default 1; 0 = none)"},
    {"entry-trend", CLI_FLAG, NULL, "fit a log-linear trend in entry rates"},
    {"entry-seasonality", CLI_FLAG, NULL, "fit month-of-year effects in entry rates"},
    {"check-replicates", CLI_LONG, "N",
     "replicates simulated over the window to compare with the observed stock (default 100; "
     "0 = skip)"},
    {"seed", CLI_LONG, "S", "seed of the check replicates (default 1)"},
    {"force", CLI_FLAG, NULL, "replace an existing model file"},
    {NULL, 0, NULL, NULL}};

const cli_spec check_options[] = {
    {"definition", CLI_TEXT, "FILE", "model definition (default models/standard.ini)"},
    {"extract", CLI_DATE, "YYYY-MM-DD", "last day the records cover (default as for fit)"},
    {"max-problems", CLI_LONG, "N", "problems listed before only counting (default 200)"},
    {NULL, 0, NULL, NULL}};

/* ---- collecting exposure, events and entries --------------------------------------- */

typedef struct collect {
    const modeldef *d;
    int S, T, NA, ND;
    int lo, hi;            /* exposure counts in [lo, hi): the window, up to the extract */
    int nmonths;           /* calendar months of the window */
    int *month_start;      /* [nmonths + 1] */
    double *exposure;      /* [S][NA][ND] person-days */
    double *events;        /* [S][T][NA][ND] */
    double *entries;       /* [S][NA][nmonths] */
    int64_t last_child;    /* previous span's child and end, to tell entries */
    int last_end;
    long adult_entries;    /* entries at 18 or over: not projected as arrivals */
} collect;

/* Day on which a child born on `dob` reaches age `years` (whole years by the calendar). */
static int age_day(int dob, double years)
{
    int whole = (int)floor(years);
    int day = date_add_years(dob, whole);
    return years == whole ? day : day + (int)((years - whole) * 365.25);
}

static int age_band_on(const modeldef *d, int dob, int day)
{
    int band = 0;
    while (band + 1 < d->nage && age_day(dob, d->age_edges[band + 1]) <= day)
        band++;
    return band;
}

static int month_index(const collect *c, int day)
{
    int lo = 0, hi = c->nmonths; /* last month whose start <= day */
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (c->month_start[mid] <= day)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static void on_span(void *vctx, const model_span *sp)
{
    collect *c = vctx;
    const modeldef *d = c->d;
    const model_episode *e = sp->episode;
    bool recorded = sp->state == e->state && sp->start == e->start;
    /* entries: a recorded episode not following straight on from another span */
    if (recorded) {
        bool entry = e->child != c->last_child || c->last_end != sp->start;
        if (entry && sp->start >= c->lo && sp->start < c->hi) {
            int age = (int)floor((sp->start - e->dob) / 365.25);
            if (age >= 18)
                c->adult_entries++;
            else
                c->entries[((size_t)sp->state * c->NA + age_band_on(d, e->dob, sp->start)) *
                               c->nmonths +
                           month_index(c, sp->start)] += 1;
        }
    }
    c->last_child = e->child;
    c->last_end = sp->end;
    /* exposure inside [lo, hi) */
    int64_t a = sp->start > c->lo ? sp->start : c->lo;
    int64_t b = sp->end < c->hi ? sp->end : c->hi;
    int ab = age_band_on(d, e->dob, (int)a);
    while (a < b) {
        int db = modeldef_dur_band(d, (double)(a - sp->start));
        int64_t next = b;
        if (ab + 1 < d->nage) {
            int edge = age_day(e->dob, d->age_edges[ab + 1]);
            if (edge <= a) {
                ab++;
                continue;
            }
            if (edge < next)
                next = edge;
        }
        if (db + 1 < d->ndur && sp->start + (int64_t)d->dur_edges[db + 1] < next)
            next = sp->start + (int64_t)d->dur_edges[db + 1];
        c->exposure[((size_t)sp->state * c->NA + ab) * c->ND + db] += (double)(next - a);
        a = next;
    }
    /* the event ending the span, if it is a hazard and falls in the window */
    if (sp->target < 0 || sp->forced || sp->end <= c->lo || sp->end > c->hi)
        return;
    /* Dates are whole days: a stay recorded from day s to day e began somewhere in day s
     * and ended somewhere in day e, so its true length is e - s give or take a day. The
     * event goes to the duration band of e - s; when e - s falls exactly on a band edge,
     * half of it goes to each side (the true duration is as likely below as above). */
    int len = sp->end - sp->start, eb = age_band_on(d, e->dob, sp->end);
    int db = modeldef_dur_band(d, len), lower = len > 0 ? modeldef_dur_band(d, len - 1) : db;
    double *ev = c->events + (((size_t)sp->state * c->T + sp->target) * c->NA + eb) * c->ND;
    ev[db] += lower == db ? 1.0 : 0.5;
    if (lower != db)
        ev[lower] += 0.5;
}

/* ---- hazards ------------------------------------------------------------------------ */

/* Main-effects rate m[a][d] = alpha[a] * beta[d] of one transition, by iterative
 * proportional fitting to its events and exposure, each margin pulled toward the
 * pooled rate by IPF_SMOOTH pseudo-events so empty margins stay positive. */
static void main_effects(const double *ev, const double *ex, int NA, int ND, double *prior)
{
    double E = 0, D = 0;
    for (int i = 0; i < NA * ND; i++) {
        E += ex[i];
        D += ev[i];
    }
    double pooled = E > 0 ? D / E : 0;
    double alpha[MD_MAX_BANDS], beta[MD_MAX_BANDS];
    for (int a = 0; a < NA; a++)
        alpha[a] = pooled;
    for (int d = 0; d < ND; d++)
        beta[d] = 1;
    for (int round = 0; round < IPF_ROUNDS && pooled > 0; round++) {
        for (int a = 0; a < NA; a++) {
            double num = IPF_SMOOTH, den = IPF_SMOOTH / pooled;
            for (int d = 0; d < ND; d++) {
                num += ev[a * ND + d];
                den += beta[d] * ex[a * ND + d];
            }
            alpha[a] = num / den;
        }
        for (int d = 0; d < ND; d++) {
            double num = IPF_SMOOTH, den = IPF_SMOOTH;
            for (int a = 0; a < NA; a++) {
                num += ev[a * ND + d];
                den += alpha[a] * ex[a * ND + d]; /* expected events if beta were 1 */
            }
            beta[d] = num / den;
        }
    }
    for (int a = 0; a < NA; a++)
        for (int d = 0; d < ND; d++)
            prior[a * ND + d] = alpha[a] * beta[d];
}

static int estimate_hazards(model *m, const collect *c, double kappa)
{
    int S = c->S, T = c->T, NA = c->NA, ND = c->ND, cells = NA * ND;
    double prior[MD_MAX_BANDS * MD_MAX_BANDS];
    m->ntrans = 0;
    for (int s = 0; s < S; s++)
        for (int t = 0; t < T; t++) {
            const double *ev = c->events + ((size_t)s * T + t) * cells;
            const double *ex = c->exposure + (size_t)s * cells;
            double total = 0;
            for (int i = 0; i < cells; i++)
                total += ev[i];
            if (total <= 0 || t == s)
                continue;
            int k = model_transition(m, s, t);
            if (k < 0)
                return CC_EINTERNAL;
            main_effects(ev, ex, NA, ND, prior);
            double *rate = model_rate(m, k);
            for (int i = 0; i < cells; i++) {
                size_t at = (size_t)k * cells + i;
                m->events[at] = ev[i];
                m->exposure[at] = ex[i];
                double shape = ev[i] + kappa, b = ex[i] + (prior[i] > 0 ? kappa / prior[i] : 0);
                if (kappa <= 0) { /* no shrinkage: the plain ratio (0 where no exposure) */
                    shape = ev[i];
                    b = ex[i];
                }
                m->post_shape[at] = shape;
                m->post_rate[at] = b;
                rate[i] = b > 0 ? shape / b : 0;
            }
        }
    m->prior_events = kappa;
    return CC_OK;
}

/* ---- entries: Poisson regression by iteratively reweighted least squares ------------ */

static int estimate_entries(model *m, const collect *c, const fit_config *cfg)
{
    const modeldef *d = c->d;
    int S = c->S, NA = c->NA, M = c->nmonths, P = MODEL_ENTRY_NPAR(NA);
    int years_in_band[MD_MAX_BANDS] = {0};
    for (int a = -1; a < 18; a++)
        years_in_band[modeldef_age_band(d, a + 0.5)]++;
    m->entry_ref_day = (cfg->window_start + cfg->window_end) / 2;
    m->entry_trend = cfg->trend;
    m->entry_season = cfg->seasonality;
    m->entry_per_child = m->population != NULL;
    /* exposure offset per (band, month): days in the window x children in the band */
    double *offset = malloc(sizeof *offset * (size_t)NA * M);
    if (!offset)
        return CC_ENOMEM;
    bool month_seen[13] = {false};
    for (int i = 0; i < M; i++) {
        int y, mo, dd, days = c->month_start[i + 1] - c->month_start[i];
        date_to_ymd(c->month_start[i], &y, &mo, &dd);
        month_seen[mo] = true;
        for (int b = 0; b < NA; b++) {
            double kids = 0;
            for (int a = -1; a < 18; a++)
                if (modeldef_age_band(d, a + 0.5) == b)
                    kids += m->entry_per_child ? model_population(m, y, a) : 0;
            if (!m->entry_per_child)
                kids = years_in_band[b] > 0 ? 1 : 0;
            offset[b * M + i] = kids > 0 ? log(days * kids) : -INFINITY;
        }
    }
    int status = CC_OK;
    for (int s = 0; s < S && status == CC_OK; s++) {
        double *beta = m->entry_beta + (size_t)s * P, *cov = m->entry_cov + (size_t)s * P * P;
        const double *y = c->entries + (size_t)s * NA * M;
        for (int b = 0; b < NA; b++)
            beta[b] = -INFINITY;
        /* the columns estimated: bands with entries, trend, months seen other than January */
        int col[MD_MAX_BANDS + 13], ncol = 0, rows = 0;
        double band_total[MD_MAX_BANDS] = {0};
        for (int b = 0; b < NA; b++) {
            for (int i = 0; i < M; i++)
                band_total[b] += y[b * M + i];
            if (band_total[b] > 0 && isfinite(offset[b * M]))
                col[ncol++] = b;
        }
        if (ncol == 0) {
            for (int b = 0; b < NA; b++)
                m->entry[s * NA + b] = 0;
            continue;
        }
        int nbands = ncol;
        rows = nbands * M;
        if (cfg->trend)
            col[ncol++] = NA;
        int nseason = 0;
        for (int mo = 2; cfg->seasonality && mo <= 12; mo++)
            if (month_seen[mo] && month_seen[1]) {
                col[ncol++] = NA + mo;
                nseason++;
            }
        gsl_matrix *X = gsl_matrix_calloc((size_t)rows, (size_t)ncol);
        gsl_vector *w = gsl_vector_alloc((size_t)rows), *z = gsl_vector_alloc((size_t)rows);
        gsl_vector *coef = gsl_vector_calloc((size_t)ncol);
        gsl_matrix *V = gsl_matrix_alloc((size_t)ncol, (size_t)ncol);
        gsl_multifit_linear_workspace *ws =
            rows > ncol ? gsl_multifit_linear_alloc((size_t)rows, (size_t)ncol) : NULL;
        gsl_vector *prev = gsl_vector_alloc((size_t)ncol);
        double *yy = malloc(sizeof *yy * (size_t)rows), *off = malloc(sizeof *off * (size_t)rows);
        /* with fewer observations than coefficients (no workspace) the levels stay the
         * plain ratios they start from */
        if (!X || !w || !z || !coef || !V || !prev || !yy || !off)
            status = CC_ENOMEM;
        for (int r = 0; status == CC_OK && r < rows; r++) {
            int b = col[r / M], i = r % M, y0, mo, dd;
            date_to_ymd(c->month_start[i], &y0, &mo, &dd);
            int days = c->month_start[i + 1] - c->month_start[i];
            double mid = c->month_start[i] + days / 2.0;
            gsl_matrix_set(X, (size_t)r, (size_t)(r / M), 1.0);
            for (int j = nbands; j < ncol; j++) {
                if (col[j] == NA)
                    gsl_matrix_set(X, (size_t)r, (size_t)j, (mid - m->entry_ref_day) / 365.25);
                else if (col[j] == NA + mo)
                    gsl_matrix_set(X, (size_t)r, (size_t)j, 1.0);
            }
            yy[r] = y[b * M + i];
            off[r] = offset[b * M + i];
        }
        if (status == CC_OK) {
            /* start from the plain ratios */
            for (int j = 0; j < nbands; j++) {
                double ex = 0;
                for (int i = 0; i < M; i++)
                    ex += exp(offset[col[j] * M + i]);
                gsl_vector_set(coef, (size_t)j, log(band_total[col[j]] / ex));
            }
            for (int round = 0; ws && round < IRLS_ROUNDS; round++) {
                for (int r = 0; r < rows; r++) {
                    double e = off[r];
                    for (int j = 0; j < ncol; j++)
                        e += gsl_matrix_get(X, (size_t)r, (size_t)j) * gsl_vector_get(coef, (size_t)j);
                    double mu = exp(e);
                    gsl_vector_set(w, (size_t)r, mu);
                    gsl_vector_set(z, (size_t)r, e - off[r] + (yy[r] - mu) / mu);
                }
                gsl_vector_memcpy(prev, coef);
                double chisq;
                gsl_multifit_wlinear(X, w, z, coef, V, &chisq, ws);
                double change = 0;
                for (int j = 0; j < ncol; j++)
                    change = fmax(change, fabs(gsl_vector_get(coef, (size_t)j) -
                                               gsl_vector_get(prev, (size_t)j)));
                if (change < 1e-10)
                    break;
            }
            if (!ws) { /* the Poisson variance of a plain ratio: 1 / events */
                gsl_matrix_set_zero(V);
                for (int j = 0; j < nbands; j++)
                    gsl_matrix_set(V, (size_t)j, (size_t)j, 1.0 / band_total[col[j]]);
            }
            for (int j = 0; j < ncol; j++) {
                beta[col[j]] = gsl_vector_get(coef, (size_t)j);
                for (int k = 0; k < ncol; k++)
                    cov[col[j] * P + col[k]] = gsl_matrix_get(V, (size_t)j, (size_t)k);
            }
            /* the rate shown: at the reference day, averaged over the calendar months */
            double season = 0;
            for (int mo = 1; mo <= 12; mo++)
                season += exp(beta[NA + mo]) / 12;
            for (int b = 0; b < NA; b++)
                m->entry[s * NA + b] = isfinite(beta[b]) ? exp(beta[b]) * season : 0;
        }
        gsl_matrix_free(X);
        gsl_vector_free(w);
        gsl_vector_free(z);
        gsl_vector_free(coef);
        gsl_matrix_free(V);
        if (ws)
            gsl_multifit_linear_free(ws);
        gsl_vector_free(prev);
        free(yy);
        free(off);
    }
    free(offset);
    return status;
}

/* ---- the fitted-vs-observed check ---------------------------------------------------- */

static int fit_check(model *m, const fit_config *cfg, const collect *c, cc_err *err)
{
    int S = m->def->nstates, M = c->nmonths, status;
    m->check_months = M;
    m->check_end = malloc(sizeof *m->check_end * (size_t)M);
    m->check_observed = calloc((size_t)M * S, sizeof *m->check_observed);
    m->check_fitted = calloc((size_t)M * S, sizeof *m->check_fitted);
    if (!m->check_end || !m->check_observed || !m->check_fitted)
        return cc_fail(err, CC_ENOMEM, "out of memory");
    for (int i = 0; i < M; i++)
        m->check_end[i] = c->month_start[i + 1] - 1;
    double *all = malloc(sizeof *all * (size_t)M * (S + 1));
    if (!all)
        return cc_fail(err, CC_ENOMEM, "out of memory");
    model_stock_on(m, m->check_end, M, all);
    for (int i = 0; i < M; i++)
        memcpy(&m->check_observed[(size_t)i * S], &all[(size_t)i * (S + 1)], sizeof *all * S);
    free(all);
    sim_setup *s = sim_setup_alloc(m, cfg->window_start, M, cfg->seed, err, &status);
    if (!s)
        return status;
    sim_work *w = sim_work_alloc(s);
    sim_ledger *l = sim_ledger_alloc(s);
    if (!w || !l)
        status = cc_fail(err, CC_ENOMEM, "out of memory");
    for (int r = 0; status == CC_OK && r < cfg->check_replicates; r++) {
        sim_replicate(s, w, r, l);
        for (int i = 0; i < M * S; i++)
            m->check_fitted[i] += (double)l->stock[i] / cfg->check_replicates;
    }
    sim_ledger_free(l);
    sim_work_free(w);
    sim_setup_free(s);
    return status;
}

int fit_estimate(model *m, const fit_config *cfg, cc_err *err)
{
    const modeldef *d = m->def;
    collect c = {.d = d, .S = d->nstates, .T = modeldef_ntargets(d), .NA = d->nage,
                 .ND = d->ndur, .last_child = -1};
    c.lo = cfg->window_start;
    c.hi = cfg->window_end + 1;
    if (c.hi > m->extract_date + 1)
        c.hi = m->extract_date + 1;
    /* calendar months of the window: the first starts on the window start */
    c.month_start = malloc(sizeof *c.month_start * 1300);
    if (!c.month_start)
        return cc_fail(err, CC_ENOMEM, "out of memory");
    c.month_start[0] = c.lo;
    while (c.month_start[c.nmonths] < c.hi && c.nmonths < 1200) {
        int next = date_month_start(c.month_start[c.nmonths], 1);
        c.month_start[++c.nmonths] = next < c.hi ? next : c.hi;
    }
    size_t cells = (size_t)c.NA * c.ND;
    c.exposure = calloc((size_t)c.S * cells, sizeof *c.exposure);
    c.events = calloc((size_t)c.S * c.T * cells, sizeof *c.events);
    c.entries = calloc((size_t)c.S * c.NA * (c.nmonths ? c.nmonths : 1), sizeof *c.entries);
    int status = c.exposure && c.events && c.entries ? CC_OK : CC_ENOMEM;
    if (status == CC_OK && model_alloc_uncertainty(m) != CC_OK)
        status = CC_ENOMEM;
    if (status == CC_OK) {
        model_spans(m, on_span, &c);
        status = estimate_hazards(m, &c, cfg->prior_events);
    }
    if (status == CC_OK)
        status = estimate_entries(m, &c, cfg);
    m->window_start = cfg->window_start;
    m->window_end = c.hi - 1;
    if (status == CC_OK && cfg->check_replicates > 0)
        status = fit_check(m, cfg, &c, err);
    else if (status != CC_OK)
        status = cc_fail(err, status, "fit: %s", cc_strerror(status));
    if (status == CC_OK && c.adult_entries > 0)
        fprintf(stderr, "fit: %ld entries at age 18 or over are not projected as arrivals\n",
                c.adult_entries);
    free(c.month_start);
    free(c.exposure);
    free(c.events);
    free(c.entries);
    return status;
}

/* ---- the commands ------------------------------------------------------------------ */

static bool parse_window(const char *text, int *a, int *b)
{
    char left[64];
    const char *colon = text ? strchr(text, ':') : NULL;
    if (!colon || (size_t)(colon - text) >= sizeof left)
        return false;
    memcpy(left, text, (size_t)(colon - text));
    left[colon - text] = '\0';
    return date_parse(left, a) && date_parse(colon + 1, b) && *a <= *b;
}

/* Counts of children and episodes by state, for the summary lines. */
static void describe_history(const history *h, FILE *out)
{
    const modeldef *d = h->def;
    long by_state[MD_MAX] = {0};
    for (int64_t i = 0; i < h->nepisodes; i++)
        by_state[h->episodes[i].state]++;
    char first[11] = "-", extract[11] = "-";
    if (h->nepisodes > 0) {
        date_format(h->first_day, first);
        date_format(h->extract_date, extract);
    }
    fprintf(out, "%lld episodes of %lld children, %s to %s (extract date); by state:",
            (long long)h->nepisodes, (long long)h->nchildren, first, extract);
    for (int s = 0; s < d->nstates; s++)
        if (by_state[s])
            fprintf(out, " %s %ld", d->states[s].name, by_state[s]);
    fprintf(out, "\n");
}

int check_main(int argc, char **argv)
{
    cli_opts o;
    cc_err err = {{0}, 0};
    int status = cli_parse(argc, argv, check_options, &o, &err);
    long cap = cli_long(&o, "max-problems", PROBLEM_CAP);
    if (status == CC_OK && o.npos < 1)
        status = cc_fail(&err, CC_EUSAGE, "check: expected one or more files or folders");
    if (status == CC_OK && (cap < 1 || cap > 1000000))
        status = cc_fail(&err, CC_EUSAGE, "check: --max-problems %ld: expected 1 to 1000000", cap);
    if (status != CC_OK)
        return cli_report(status, &err);
    modeldef *def =
        modeldef_alloc(cli_text(&o, "definition", cli_default_definition()), &err, &status);
    if (!def)
        return cli_report(status, &err);
    problems *p = problems_alloc((int)cap);
    history *h = p ? history_alloc(def) : NULL;
    if (!h)
        status = cc_fail(&err, CC_ENOMEM, "out of memory");
    for (int i = 0; status == CC_OK && i < o.npos; i++)
        status = history_read_any(h, o.pos[i], p);
    if (status == CC_OK)
        status = history_finish(h, cli_date(&o, "extract", INT32_MIN), p);
    if (status == CC_OK) {
        problems_print(p, stdout);
        printf("check: %d file%s; ", h->nfiles, h->nfiles == 1 ? "" : "s");
        describe_history(h, stdout);
        printf("check: %ld error%s, %ld warning%s\n", problems_errors(p),
               problems_errors(p) == 1 ? "" : "s", problems_warnings(p),
               problems_warnings(p) == 1 ? "" : "s");
        status = problems_errors(p) ? CC_EINPUT : CC_OK;
    } else {
        cli_report(status, &err);
    }
    history_free(h);
    problems_free(p);
    modeldef_free(def);
    return status;
}

model *fit_read_records(const fit_inputs *in, const char *command, cc_err *err, int *status)
{
    *status = CC_OK;
    modeldef *def =
        modeldef_alloc(in->definition ? in->definition : cli_default_definition(), err, status);
    if (!def)
        return NULL;
    problems *p = problems_alloc(PROBLEM_CAP);
    history *h = p ? history_alloc(def) : NULL;
    if (!h)
        *status = cc_fail(err, CC_ENOMEM, "out of memory");
    if (*status == CC_OK && in->episodes)
        *status = history_read_episodes(h, in->episodes, p);
    if (*status == CC_OK && in->ssda903)
        *status = history_read_ssda903(h, in->ssda903, p);
    if (*status == CC_OK && in->population)
        *status = history_read_population(h, in->population, p);
    if (*status == CC_OK)
        *status = history_finish(h, in->extract, p);
    if (*status == CC_OK && problems_warnings(p) > 0)
        fprintf(stderr, "%s: %ld warning%s in the input (carecast check lists them)\n", command,
                problems_warnings(p), problems_warnings(p) == 1 ? "" : "s");
    if (*status == CC_OK)
        *status = problems_status(p, err);
    model *m = NULL;
    if (*status == CC_OK) {
        m = model_alloc(def, def->nstates * modeldef_ntargets(def));
        if (!m)
            *status = cc_fail(err, CC_ENOMEM, "out of memory");
        else
            def = NULL; /* the model owns it now */
    }
    if (*status == CC_OK && history_to_model(h, m) != CC_OK)
        *status = cc_fail(err, CC_ENOMEM, "out of memory");
    if (*status != CC_OK) {
        model_free(m);
        m = NULL;
    }
    modeldef_free(def);
    history_free(h);
    problems_free(p);
    return m;
}

int fit_main(int argc, char **argv)
{
    cli_opts o;
    cc_err err = {{0}, 0};
    int status = cli_parse(argc, argv, fit_options, &o, &err);
    const char *episodes = cli_text(&o, "episodes", NULL), *ssda903 = cli_text(&o, "ssda903", NULL);
    const char *population = cli_text(&o, "population", NULL), *out = cli_text(&o, "out", NULL);
    fit_config cfg = {.prior_events = cli_double(&o, "prior-events", FIT_PRIOR_EVENTS),
                      .trend = cli_given(&o, "entry-trend"),
                      .seasonality = cli_given(&o, "entry-seasonality"),
                      .check_replicates = (int)cli_long(&o, "check-replicates", DEFAULT_CHECK_REPS),
                      .seed = (uint64_t)cli_long(&o, "seed", 1)};
    if (status == CC_OK) {
        if (!episodes && !ssda903)
            status = cc_fail(&err, CC_EUSAGE,
                             "fit: expected --episodes FILE or --ssda903 DIR (or both)");
        if (!out)
            status = cc_fail(&err, CC_EUSAGE, "fit: --out MODEL.h5 is required");
        if (!cli_given(&o, "window"))
            status = cc_fail(&err, CC_EUSAGE,
                             "fit: --window START:END is required (e.g. 2022-04-01:2025-03-31)");
        else if (!parse_window(cli_text(&o, "window", NULL), &cfg.window_start, &cfg.window_end))
            status = cc_fail(&err, CC_EUSAGE,
                             "fit: --window '%s': expected START:END, two dates "
                             "(YYYY-MM-DD) with START on or before END",
                             cli_text(&o, "window", ""));
        if (!(cfg.prior_events >= 0 && cfg.prior_events <= 1000))
            status = cc_fail(&err, CC_EUSAGE, "fit: --prior-events %g: expected 0 to 1000",
                             cfg.prior_events);
        if (cfg.check_replicates < 0 || cfg.check_replicates > 100000)
            status = cc_fail(&err, CC_EUSAGE, "fit: --check-replicates %d: expected 0 to 100000",
                             cfg.check_replicates);
        if (o.npos > 0)
            status = cc_fail(&err, CC_EUSAGE,
                             "fit: unexpected argument '%s' (inputs are given with --episodes, "
                             "--ssda903 and --population)",
                             o.pos[0]);
        if (out && !o.force && util_exists(out))
            status = cc_fail(&err, CC_EEXIST,
                             "%s: output exists; use --force to replace it (nothing was written)",
                             out);
    }
    if (status != CC_OK)
        return cli_report(status, &err);
    double t0 = (double)clock() / CLOCKS_PER_SEC;
    fit_inputs in = {episodes, ssda903, population, cli_text(&o, "definition", NULL),
                     cli_date(&o, "extract", INT32_MIN)};
    model *m = fit_read_records(&in, "fit", &err, &status);
    if (status == CC_OK && cfg.window_start < m->history_start) {
        char a[11], b[11];
        date_format(cfg.window_start, a);
        date_format(m->history_start, b);
        status = cc_fail(&err, CC_EINPUT,
                         "fit: --window starts on %s, before the records are complete (%s, the "
                         "first day every open episode is known): expected a later start",
                         a, b);
    }
    if (status == CC_OK && cfg.window_start > m->extract_date) {
        char a[11], b[11];
        date_format(cfg.window_start, a);
        date_format(m->extract_date, b);
        status = cc_fail(&err, CC_EINPUT,
                         "fit: --window starts on %s, after the extract date %s", a, b);
    }
    if (status == CC_OK)
        status = fit_estimate(m, &cfg, &err);
    if (status == CC_OK) {
        char a[11], b[11], x[11];
        date_format(cfg.window_start, a);
        date_format(m->window_end, b);
        date_format(m->extract_date, x);
        snprintf(m->source, sizeof m->source,
                 "carecast fit%s%s%s%s%s%s, window %s to %s, extract %s, prior %g events%s%s",
                 episodes ? " --episodes " : "", episodes ? episodes : "",
                 ssda903 ? " --ssda903 " : "", ssda903 ? ssda903 : "",
                 population ? " --population " : "", population ? population : "", a, b, x,
                 cfg.prior_events, cfg.trend ? ", entry trend" : "",
                 cfg.seasonality ? ", entry seasonality" : "");
        status = model_write(m, out, o.force, &err);
    }
    if (status == CC_OK) {
        long thin = 0;
        size_t cells = (size_t)m->def->nage * m->def->ndur;
        for (size_t i = 0; i < (size_t)m->ntrans * cells; i++)
            thin += m->exposure[i] > 0 && m->events[i] < 5;
        fprintf(stderr,
                "fit: wrote %s (%d transitions, %ld cells with exposure but under 5 events; "
                "%.2f s CPU)\n",
                out, m->ntrans, thin, (double)clock() / CLOCKS_PER_SEC - t0);
    }
    model_free(m);
    return status == CC_OK ? CC_OK : cli_report(status, &err);
}
