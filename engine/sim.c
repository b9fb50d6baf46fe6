/* sim.c -- the continuous-time simulation kernel (see sim.h for the method).
 *
 * Layout of the fast hazard tables: cell c = (state * nage + age band) * ndur + duration
 * band. total[c] is the sum of all hazards out of the cell; the targets with a nonzero
 * hazard are stored from cell_off[c] to cell_off[c+1] in cell_target[], with their
 * running sums in cell_cum[], so choosing the target of an event is a short scan.
 *
 * Monthly ledgers use difference arrays: a stay [a, b) adds +1 at the month containing a
 * and -1 at the month containing b to the month-end stock, and its partial months to the
 * person-days; whole months are added at the end from the stock carried into each month.
 * So a stay of years costs O(1), not O(months).
 */
#include "sim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "date.h"
#include "rng.h"
#include "scenario.h"

#define AGE_YEARS 19 /* arrival ages -1 (unborn) .. 17 */

/* A date of birth taken apart once, so birthdays cost one date_from_ymd each. */
typedef struct dob_parts {
    int y, m, d;
} dob_parts;

/* Exact birthday at age `years` (whole years use the calendar, 29 February falling on
 * 1 March in other years; fractions of a year add 365.25 days per year). */
static double birthday(const dob_parts *b, double years)
{
    int whole = (int)years; /* floor, without a libm call */
    if (whole > years)
        whole--;
    int y = b->y + whole, m = b->m, d = b->d;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) {
        m = 3;
        d = 1;
    }
    double day = date_from_ymd(y, m, d);
    return years == whole ? day : day + (years - whole) * 365.25;
}

/* Where a child stands on the age grid at time t: the age band and when it ends. */
typedef struct age_pos {
    int band;
    double next; /* time of the next age edge, or INFINITY */
} age_pos;

/* Age band at time t, starting from a guess (the band of `years`, the age in whole or
 * approximate years) and made exact with the calendar birthdays. */
static age_pos age_position(const modeldef *d, const dob_parts *b, double t, double years)
{
    age_pos a;
    a.band = modeldef_age_band(d, years);
    while (a.band > 0 && birthday(b, d->age_edges[a.band]) > t)
        a.band--;
    a.next = a.band + 1 < d->nage ? birthday(b, d->age_edges[a.band + 1]) : INFINITY;
    while (a.next <= t) {
        a.band++;
        a.next = a.band + 1 < d->nage ? birthday(b, d->age_edges[a.band + 1]) : INFINITY;
    }
    return a;
}

typedef struct init_child {
    int64_t id;
    int dob;
    dob_parts parts; /* the date of birth taken apart, once */
    age_pos age;     /* age band on the start date (the same in every replicate) */
    int state;
    double since; /* when the child entered the state (may precede the start) */
    int provider; /* enum model_provider of the placement open on the start date */
} init_child;

/* Hazards arranged for the kernel (see the top of this file). */
typedef struct sim_cells {
    double *total; /* [S*nage*ndur] */
    int *cell_off; /* [S*nage*ndur + 1] */
    int *cell_target;
    double *cell_cum;
} sim_cells;

/* The hazards of one scenario over the horizon: epoch e holds from time at[e] to
 * at[e+1] (at[0] = -inf, at[n] = +inf). Without hazard levers there is one epoch; each
 * start, ramp step and end of a lever that changes some hazard opens a new one. */
typedef struct sim_epochs {
    int n, cap;
    double *at;       /* [cap + 1] */
    sim_cells *cells; /* [cap] */
} sim_epochs;

/* A scenario prepared for the run (see sim.h). */
struct sim_scenario {
    const scenario *sc; /* NULL: no levers */
    int nbreak;
    double *breaks;        /* hazard lever changes inside the horizon, ascending */
    double *factor;        /* [M][S][AGE_YEARS] entry factors, NULL when all 1 */
    sim_epochs point;      /* epochs of the point estimates */
    double *point_lambda;  /* [M][S][AGE_YEARS] expected arrivals, point estimates */
    int32_t *extra_count;  /* [nextra][M] fixed extra arrivals per month */
    bool has_support[MD_MAX];
    double support_age[MD_MAX];
    int support_start[MD_MAX];
};

struct sim_setup {
    const model *m;
    const modeldef *def;
    int S, T, M, nage, ndur;
    uint64_t seed;
    int *month_start; /* [M+1] day numbers */
    int *day_month;   /* [days in horizon]: month index of each day */
    int ymd_day0, ymd_ndays; /* calendar of the days arrivals can be born on */
    dob_parts *ymd;          /* [ymd_ndays]: the date of day ymd_day0 + i */
    sim_scenario *neutral; /* the run without levers */
    int max_epochs;        /* most epochs of any scenario prepared (sizes work areas) */
    int *trans_from;       /* [S+1]: transitions leaving state s are trans_list[trans_from[s]..] */
    int *trans_list;       /* [ntrans] */
    bool draw;         /* each replicate draws its own parameters */
    double *entry_chol; /* [S][P][P]: Cholesky factor of each entry state's covariance */
    int *landing;   /* [T]: state entered by each target, or MD_OUT */
    int F;                    /* possible flows (state, target) */
    int *flow_from, *flow_to; /* [F] */
    int *flow_index;          /* [S*T]: flow of each (state, target), or -1 */
    int64_t ninit, init_cap;
    init_child *init;
    int32_t *stock0; /* [S] */
};

struct sim_work {
    rng *rng;
    int drawn_replicate;  /* replicate whose parameters are in rate/beta/base_lambda, or -1 */
    double *rate;         /* [ntrans][nage][ndur] hazards drawn (draws only) */
    double *beta;         /* [S][P] entry coefficients drawn (draws only) */
    double *base_lambda;  /* [M][S][AGE_YEARS] expected arrivals from the draw */
    double *lambda;       /* the same with a scenario's entry factors */
    double *buf[2];       /* hazards with a scenario's levers, epoch by epoch */
    sim_epochs epochs;    /* a scenario's epochs from the drawn hazards */
    int32_t *stock_diff; /* [(M+1)*S] */
    sim_observer observe;
    void *observe_ctx;
};

/* ---- setup ------------------------------------------------------------------------ */

typedef struct span_ctx {
    sim_setup *s;
    int day;
    int status;
} span_ctx;

/* Keeps the spans that contain the start date: those are the children open then. */
static void collect_open(void *vctx, const model_span *sp)
{
    const model_episode *e = sp->episode;
    int state = sp->state, start = sp->start, end = sp->end;
    span_ctx *c = vctx;
    sim_setup *s = c->s;
    if (!(start <= c->day && c->day < end) || c->status != CC_OK)
        return;
    if (s->ninit == s->init_cap) {
        int64_t cap = s->init_cap ? 2 * s->init_cap : 1024;
        init_child *grown = realloc(s->init, sizeof *grown * (size_t)cap);
        if (!grown) {
            c->status = CC_ENOMEM;
            return;
        }
        s->init = grown;
        s->init_cap = cap;
    }
    init_child *ch = &s->init[s->ninit++];
    ch->id = e->child;
    ch->dob = e->dob;
    date_to_ymd(e->dob, &ch->parts.y, &ch->parts.m, &ch->parts.d);
    ch->age = age_position(s->def, &ch->parts, c->day, (c->day - e->dob) / 365.25);
    ch->state = state;
    ch->since = start;
    ch->provider = s->def->states[state].looked_after ? e->provider : MODEL_PROVIDER_UNKNOWN;
    s->stock0[state]++;
}

/* Number of doubles in a [ntrans][nage][ndur] hazard grid (at least 1). */
static size_t grid_size(const sim_setup *s)
{
    return (size_t)(s->m->ntrans > 0 ? s->m->ntrans : 1) * s->nage * s->ndur;
}

static int cells_alloc(const sim_setup *s, sim_cells *t)
{
    int ncell = s->S * s->nage * s->ndur;
    t->total = calloc((size_t)ncell, sizeof *t->total);
    t->cell_off = calloc((size_t)ncell + 1, sizeof *t->cell_off);
    t->cell_target = malloc(sizeof *t->cell_target * grid_size(s));
    t->cell_cum = malloc(sizeof *t->cell_cum * grid_size(s));
    return t->total && t->cell_off && t->cell_target && t->cell_cum ? CC_OK : CC_ENOMEM;
}

static void cells_free(sim_cells *t)
{
    free(t->total);
    free(t->cell_off);
    free(t->cell_target);
    free(t->cell_cum);
}

/* Room for `cap` epochs. */
static int epochs_alloc(const sim_setup *s, sim_epochs *e, int cap)
{
    e->n = 0;
    e->cap = cap;
    e->at = malloc(sizeof *e->at * (size_t)(cap + 1));
    e->cells = calloc((size_t)cap, sizeof *e->cells);
    if (!e->at || !e->cells)
        return CC_ENOMEM;
    for (int i = 0; i < cap; i++)
        if (cells_alloc(s, &e->cells[i]) != CC_OK)
            return CC_ENOMEM;
    return CC_OK;
}

static void epochs_free(sim_epochs *e)
{
    for (int i = 0; e->cells && i < e->cap; i++)
        cells_free(&e->cells[i]);
    free(e->cells);
    free(e->at);
    e->cells = NULL;
    e->at = NULL;
}

/* Fills the per-cell hazard tables from a [ntrans][nage][ndur] grid of hazards. */
static void fill_cells(const sim_setup *s, const double *rate, sim_cells *t)
{
    const model *m = s->m;
    int ncell = s->S * s->nage * s->ndur, n = 0;
    for (int c = 0; c < ncell; c++) {
        int state = c / (s->nage * s->ndur), ad = c % (s->nage * s->ndur);
        t->cell_off[c] = n;
        double sum = 0;
        for (int i = s->trans_from[state]; i < s->trans_from[state + 1]; i++) {
            int k = s->trans_list[i];
            double h = rate[(size_t)k * s->nage * s->ndur + ad];
            if (h <= 0)
                continue;
            sum += h;
            t->cell_target[n] = m->to[k];
            t->cell_cum[n] = sum;
            n++;
        }
        t->total[c] = sum;
    }
    t->cell_off[ncell] = n;
}

/* The epochs of scenario x from hazards `rate`, using buf[0], buf[1] as scratch. An
 * epoch whose hazards equal the previous one's is merged into it, so levers that
 * change nothing (a multiplier of 1) leave the run exactly as without them. */
static void build_epochs(const sim_setup *s, const sim_scenario *x, const double *rate,
                         double *buf[2], sim_epochs *ep)
{
    size_t bytes = sizeof(double) * grid_size(s);
    const double *prev = NULL;
    ep->n = 0;
    for (int e = 0; e <= x->nbreak; e++) {
        double from = e == 0 ? s->month_start[0] : x->breaks[e - 1];
        double *cur = prev == buf[0] ? buf[1] : buf[0];
        scenario_hazards(x->sc, s->m, from, rate, cur);
        if (prev && memcmp(prev, cur, bytes) == 0)
            continue;
        ep->at[ep->n] = e == 0 ? -INFINITY : from;
        fill_cells(s, cur, &ep->cells[ep->n]);
        ep->n++;
        prev = cur;
    }
    ep->at[ep->n] = INFINITY;
}

/* Fills the expected arrivals per month, entry state and age year from the entry model
 * (coefficients `beta`, or the constant rates when the model has none). The trend and
 * the calendar month are read at the middle of each month. */
static void fill_lambda(const sim_setup *s, const double *beta, double *lambda)
{
    const model *m = s->m;
    int years_in_band[MD_MAX_BANDS] = {0};
    for (int a = -1; a < AGE_YEARS - 1; a++)
        years_in_band[modeldef_age_band(s->def, a + 0.5)]++;
    for (int mo = 0; mo < s->M; mo++) {
        int y, mm, dd;
        date_to_ymd(s->month_start[mo], &y, &mm, &dd);
        double days = s->month_start[mo + 1] - s->month_start[mo];
        int mid = s->month_start[mo] + (int)(days / 2);
        for (int st = 0; st < s->S; st++)
            for (int a = -1; a < AGE_YEARS - 1; a++) {
                int band = modeldef_age_band(s->def, a + 0.5);
                double rate = model_entry_rate(m, beta, st, band, mid);
                double base = m->entry_per_child ? model_population(m, y, a)
                                                 : 1.0 / years_in_band[band];
                lambda[((size_t)mo * s->S + st) * AGE_YEARS + (a + 1)] =
                    rate > 0 ? rate * base * days : 0;
            }
    }
}

/* Multiplies expected arrivals by a scenario's entry factors. */
static void apply_factors(const sim_setup *s, const sim_scenario *x, const double *in, double *out)
{
    size_t n = (size_t)s->M * s->S * AGE_YEARS;
    for (size_t i = 0; i < n; i++)
        out[i] = x->factor ? in[i] * x->factor[i] : in[i];
}

static int build_tables(sim_setup *s)
{
    const model *m = s->m;
    s->trans_from = calloc((size_t)s->S + 1, sizeof *s->trans_from);
    s->trans_list = malloc(sizeof *s->trans_list * (size_t)(m->ntrans > 0 ? m->ntrans : 1));
    if (!s->trans_from || !s->trans_list)
        return CC_ENOMEM;
    for (int st = 0, n = 0; st < s->S; st++) {
        s->trans_from[st] = n;
        for (int k = 0; k < m->ntrans; k++)
            if (m->from[k] == st)
                s->trans_list[n++] = k;
        s->trans_from[st + 1] = n;
    }
    s->landing = malloc(sizeof *s->landing * (size_t)s->T);
    if (!s->landing)
        return CC_ENOMEM;
    for (int t = 0; t < s->T; t++)
        s->landing[t] = t < s->S ? t : s->def->exits[t - s->S].then;
    /* the flow list: transitions with a hazard somewhere, then forced exits */
    s->flow_index = malloc(sizeof *s->flow_index * (size_t)s->S * s->T);
    s->flow_from = malloc(sizeof *s->flow_from * (size_t)s->S * s->T);
    s->flow_to = malloc(sizeof *s->flow_to * (size_t)s->S * s->T);
    if (!s->flow_index || !s->flow_from || !s->flow_to)
        return CC_ENOMEM;
    for (int i = 0; i < s->S * s->T; i++)
        s->flow_index[i] = -1;
    for (int k = 0; k <= m->ntrans; k++) {
        for (int st = 0; k == m->ntrans && st < s->S; st++) {
            const md_state *d = &s->def->states[st];
            int forced[2] = {d->max_age > 0 ? d->at_max_age : MD_NONE,
                             d->max_days > 0 ? d->at_max_days : MD_NONE};
            for (int j = 0; j < 2; j++)
                if (forced[j] != MD_NONE && s->flow_index[st * s->T + s->S + forced[j]] < 0) {
                    s->flow_index[st * s->T + s->S + forced[j]] = s->F;
                    s->flow_from[s->F] = st;
                    s->flow_to[s->F++] = s->S + forced[j];
                }
        }
        if (k == m->ntrans || s->flow_index[m->from[k] * s->T + m->to[k]] >= 0)
            continue;
        s->flow_index[m->from[k] * s->T + m->to[k]] = s->F;
        s->flow_from[s->F] = m->from[k];
        s->flow_to[s->F++] = m->to[k];
    }
    return CC_OK;
}

/* Cholesky factors of the entry covariances, over the coefficients that were estimated
 * (a zero diagonal marks one that was not; its row and column of the factor stay 0). */
static int build_entry_chol(sim_setup *s)
{
    const model *m = s->m;
    int P = MODEL_ENTRY_NPAR(s->nage);
    s->entry_chol = calloc((size_t)s->S * P * P, sizeof *s->entry_chol);
    gsl_matrix *a = gsl_matrix_alloc((size_t)P, (size_t)P);
    if (!s->entry_chol || !a) {
        gsl_matrix_free(a);
        return CC_ENOMEM;
    }
    int rc = CC_OK;
    for (int st = 0; st < s->S && rc == CC_OK; st++) {
        const double *cov = m->entry_cov + (size_t)st * P * P;
        int idx[MD_MAX_BANDS + 13], n = 0;
        for (int i = 0; i < P; i++)
            if (cov[i * P + i] > 0)
                idx[n++] = i;
        if (n == 0)
            continue;
        gsl_matrix_view v = gsl_matrix_submatrix(a, 0, 0, (size_t)n, (size_t)n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                gsl_matrix_set(&v.matrix, (size_t)i, (size_t)j, cov[idx[i] * P + idx[j]]);
        if (gsl_linalg_cholesky_decomp1(&v.matrix) != GSL_SUCCESS) {
            rc = CC_EINPUT; /* not positive definite: the run keeps the point estimates */
            break;
        }
        double *l = s->entry_chol + (size_t)st * P * P;
        for (int i = 0; i < n; i++)
            for (int j = 0; j <= i; j++)
                l[idx[i] * P + idx[j]] = gsl_matrix_get(&v.matrix, (size_t)i, (size_t)j);
    }
    gsl_matrix_free(a);
    return rc;
}

void sim_set_parameter_draws(sim_setup *s, bool on)
{
    s->draw = on && s->m->post_shape && s->entry_chol;
}

bool sim_parameter_draws(const sim_setup *s)
{
    return s->draw;
}

/* Draws replicate `replicate`'s parameters into the work's tables: each hazard from
 * its Gamma posterior, each entry state's coefficients from their normal sampling
 * distribution. Streams are keyed by (seed, replicate, RNG_PARAMETERS, cell), so the
 * draw does not depend on the thread. */
static void draw_parameters(const sim_setup *s, sim_work *w, int replicate)
{
    const model *m = s->m;
    size_t cells = (size_t)s->nage * s->ndur;
    for (int k = 0; k < m->ntrans; k++)
        for (size_t c = 0; c < cells; c++) {
            size_t i = (size_t)k * cells + c;
            double shape = m->post_shape[i], rate = m->post_rate[i];
            w->rate[i] = m->rate[i];
            if (shape > 0 && rate > 0) {
                rng_stream(w->rng, s->seed, (uint64_t)replicate, RNG_PARAMETERS, (uint64_t)k, c);
                w->rate[i] = gsl_ran_gamma(rng_gsl(w->rng), shape, 1.0 / rate);
            }
        }
    int P = MODEL_ENTRY_NPAR(s->nage);
    for (int st = 0; st < s->S; st++) {
        const double *l = s->entry_chol + (size_t)st * P * P;
        const double *b0 = m->entry_beta + (size_t)st * P;
        double *b = w->beta + (size_t)st * P, z[MD_MAX_BANDS + 13];
        rng_stream(w->rng, s->seed, (uint64_t)replicate, RNG_PARAMETERS,
                   (uint64_t)m->ntrans + (uint64_t)st, 0);
        for (int i = 0; i < P; i++)
            z[i] = l[i * P + i] > 0 ? gsl_ran_ugaussian(rng_gsl(w->rng)) : 0;
        for (int i = 0; i < P; i++) {
            double d = 0;
            for (int j = 0; j <= i; j++)
                d += l[i * P + j] * z[j];
            b[i] = b0[i] + d;
        }
    }
    fill_lambda(s, w->beta, w->base_lambda);
    w->drawn_replicate = replicate;
}

sim_setup *sim_setup_alloc(const model *m, int start_day, int nmonths, uint64_t seed, cc_err *err,
                           int *status)
{
    char when[11], extract[11];
    date_format(start_day, when);
    date_format(m->extract_date + 1, extract);
    if (m->nepisodes > 0 && start_day > m->extract_date + 1) {
        *status = cc_fail(err, CC_EINPUT,
                          "start date %s is after the model's history ends: "
                          "the children open then are not known (latest start: %s)",
                          when, extract);
        return NULL;
    }
    if (m->nepisodes > 0 && start_day < m->history_start) {
        char first[11];
        date_format(m->history_start, first);
        *status = cc_fail(err, CC_EINPUT,
                          "start date %s is before the model's history begins "
                          "(%s): the children open then are not known",
                          when, first);
        return NULL;
    }
    sim_setup *s = calloc(1, sizeof *s);
    if (!s) {
        *status = cc_fail(err, CC_ENOMEM, "out of memory");
        return NULL;
    }
    s->m = m;
    s->def = m->def;
    s->S = m->def->nstates;
    s->T = modeldef_ntargets(m->def);
    s->M = nmonths;
    s->nage = m->def->nage;
    s->ndur = m->def->ndur;
    s->seed = seed;
    s->month_start = malloc(sizeof *s->month_start * (size_t)(nmonths + 1));
    s->stock0 = calloc((size_t)s->S, sizeof *s->stock0);
    int rc = (!s->month_start || !s->stock0) ? CC_ENOMEM : CC_OK;
    if (rc == CC_OK) {
        s->month_start[0] = start_day;
        for (int i = 1; i <= nmonths; i++)
            s->month_start[i] = date_month_start(start_day, i);
        int ndays = s->month_start[nmonths] - start_day;
        s->day_month = malloc(sizeof *s->day_month * (size_t)(ndays > 0 ? ndays : 1));
        rc = s->day_month ? build_tables(s) : CC_ENOMEM;
        for (int i = 0; rc == CC_OK && i < nmonths; i++)
            for (int d = s->month_start[i]; d < s->month_start[i + 1]; d++)
                s->day_month[d - start_day] = i;
        /* arrivals are born from AGE_YEARS years before the start to a year after the end */
        s->ymd_day0 = date_add_years(start_day, -AGE_YEARS) - 1;
        s->ymd_ndays = date_add_years(s->month_start[nmonths], 1) + 1 - s->ymd_day0;
        s->ymd = rc == CC_OK ? malloc(sizeof *s->ymd * (size_t)s->ymd_ndays) : NULL;
        if (rc == CC_OK && !s->ymd)
            rc = CC_ENOMEM;
        for (int i = 0; rc == CC_OK && i < s->ymd_ndays; i++)
            date_to_ymd(s->ymd_day0 + i, &s->ymd[i].y, &s->ymd[i].m, &s->ymd[i].d);
    }
    s->max_epochs = 1;
    if (rc == CC_OK && !(s->neutral = sim_scenario_alloc(s, NULL)))
        rc = CC_ENOMEM;
    if (rc == CC_OK && m->entry_beta && m->post_shape && build_entry_chol(s) != CC_OK) {
        free(s->entry_chol);
        s->entry_chol = NULL;
    }
    if (rc == CC_OK) {
        span_ctx c = {s, start_day, CC_OK};
        model_spans(m, collect_open, &c);
        rc = c.status;
    }
    if (rc != CC_OK) {
        sim_setup_free(s);
        *status = cc_fail(err, rc, "out of memory preparing the simulation");
        return NULL;
    }
    *status = CC_OK;
    return s;
}

void sim_setup_free(sim_setup *s)
{
    if (!s)
        return;
    free(s->month_start);
    free(s->day_month);
    free(s->ymd);
    sim_scenario_free(s->neutral);
    free(s->trans_from);
    free(s->trans_list);
    free(s->entry_chol);
    free(s->landing);
    free(s->flow_index);
    free(s->flow_from);
    free(s->flow_to);
    free(s->init);
    free(s->stock0);
    free(s);
}

/* ---- scenarios -------------------------------------------------------------------- */

sim_scenario *sim_scenario_alloc(sim_setup *s, const scenario *sc)
{
    sim_scenario *x = calloc(1, sizeof *x);
    if (!x)
        return NULL;
    x->sc = sc;
    int M = s->M, nmax = 1;
    size_t nl = (size_t)M * s->S * AGE_YEARS;
    for (int i = 0; sc && i < sc->nhazards; i++)
        nmax += sc->hazards[i].when.ramp + 2;
    x->breaks = malloc(sizeof *x->breaks * (size_t)nmax);
    x->point_lambda = malloc(sizeof *x->point_lambda * nl);
    double *base = malloc(sizeof *base * nl);
    double *buf[2] = {malloc(sizeof(double) * grid_size(s)), malloc(sizeof(double) * grid_size(s))};
    int rc = x->breaks && x->point_lambda && base && buf[0] && buf[1] ? CC_OK : CC_ENOMEM;
    if (rc == CC_OK)
        x->nbreak =
            scenario_hazard_breaks(sc, s->month_start[0], s->month_start[M], x->breaks, nmax);
    if (rc == CC_OK && sc && (sc->nentries || sc->ngrowth || sc->population)) {
        x->factor = malloc(sizeof *x->factor * nl);
        for (size_t i = 0; x->factor && i < nl; i++) {
            int mo = (int)(i / ((size_t)s->S * AGE_YEARS)), st = (int)(i / AGE_YEARS % s->S);
            x->factor[i] = scenario_entry_factor(sc, s->m, st, (int)(i % AGE_YEARS) - 1,
                                                 s->month_start[mo], s->month_start[mo + 1]);
        }
        rc = x->factor ? CC_OK : CC_ENOMEM;
    }
    if (rc == CC_OK)
        rc = epochs_alloc(s, &x->point, x->nbreak + 1);
    if (rc == CC_OK) {
        build_epochs(s, x, s->m->rate, buf, &x->point);
        fill_lambda(s, s->m->entry_beta, base);
        apply_factors(s, x, base, x->point_lambda);
    }
    /* fixed extra arrivals: the expected number accumulates month by month and each
     * month brings the whole children it completes (0.5 a month: one every 2 months) */
    int nextra = sc ? sc->nextra : 0;
    x->extra_count = calloc((size_t)(nextra > 0 ? nextra : 1) * M, sizeof *x->extra_count);
    if (!x->extra_count)
        rc = CC_ENOMEM;
    for (int i = 0; rc == CC_OK && i < nextra; i++) {
        const scn_extra *e = &sc->extra[i];
        double cum = 0;
        for (int mo = 0; mo < M; mo++) {
            double on = 0, len = s->month_start[mo + 1] - s->month_start[mo];
            for (int d = s->month_start[mo]; d < s->month_start[mo + 1]; d++)
                on += scenario_fraction(&e->when, d + 0.5);
            double before = floor(cum + 1e-9);
            cum += e->per_month * on / len;
            x->extra_count[(size_t)i * M + mo] = (int32_t)(floor(cum + 1e-9) - before);
        }
    }
    for (int i = 0; sc && i < sc->nsupport; i++) {
        int st = sc->support[i].state;
        x->has_support[st] = true;
        x->support_age[st] = sc->support[i].to_age;
        x->support_start[st] = sc->support[i].start;
    }
    free(base);
    free(buf[0]);
    free(buf[1]);
    if (rc != CC_OK) {
        sim_scenario_free(x);
        return NULL;
    }
    if (x->nbreak + 1 > s->max_epochs)
        s->max_epochs = x->nbreak + 1;
    return x;
}

void sim_scenario_free(sim_scenario *x)
{
    if (!x)
        return;
    free(x->breaks);
    free(x->factor);
    epochs_free(&x->point);
    free(x->point_lambda);
    free(x->extra_count);
    free(x);
}

double sim_expected_arrivals(const sim_setup *s, const sim_scenario *x, int month, int state)
{
    if (!x)
        x = s->neutral;
    double sum = 0;
    for (int a = 0; a < AGE_YEARS; a++)
        sum += x->point_lambda[((size_t)month * s->S + state) * AGE_YEARS + a];
    for (int i = 0; x->sc && i < x->sc->nextra; i++)
        if (x->sc->extra[i].state == state)
            sum += x->extra_count[(size_t)i * s->M + month];
    return sum;
}

int sim_nstates(const sim_setup *s)
{
    return s->S;
}
int sim_ntargets(const sim_setup *s)
{
    return s->T;
}
int sim_nflows(const sim_setup *s)
{
    return s->F;
}

void sim_flow(const sim_setup *s, int f, int *from, int *target)
{
    *from = s->flow_from[f];
    *target = s->flow_to[f];
}

int sim_flow_index(const sim_setup *s, int from, int target)
{
    return s->flow_index[from * s->T + target];
}

int sim_nmonths(const sim_setup *s)
{
    return s->M;
}
int sim_month_start(const sim_setup *s, int m)
{
    return s->month_start[m];
}
const int32_t *sim_initial_stock(const sim_setup *s)
{
    return s->stock0;
}
void sim_initial_child(const sim_setup *s, int64_t i, int *state, double *since, int *provider)
{
    *state = s->init[i].state;
    *since = s->init[i].since;
    *provider = s->init[i].provider;
}

int64_t sim_initial_children(const sim_setup *s)
{
    return s->ninit;
}

sim_ledger *sim_ledger_alloc(const sim_setup *s)
{
    sim_ledger *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    size_t ms = (size_t)s->M * s->S;
    l->stock = calloc(ms, sizeof *l->stock);
    l->inflow = calloc(ms, sizeof *l->inflow);
    l->outflow = calloc(ms, sizeof *l->outflow);
    l->arrivals = calloc(ms, sizeof *l->arrivals);
    l->flows = calloc((size_t)s->M * s->F, sizeof *l->flows);
    l->person_days = calloc(ms, sizeof *l->person_days);
    l->starts = calloc((size_t)s->M * s->nage, sizeof *l->starts);
    if (!l->stock || !l->inflow || !l->outflow || !l->arrivals || !l->flows || !l->person_days ||
        !l->starts) {
        sim_ledger_free(l);
        return NULL;
    }
    return l;
}

void sim_ledger_free(sim_ledger *l)
{
    if (!l)
        return;
    free(l->stock);
    free(l->inflow);
    free(l->outflow);
    free(l->arrivals);
    free(l->flows);
    free(l->person_days);
    free(l->starts);
    free(l);
}

sim_work *sim_work_alloc(const sim_setup *s)
{
    sim_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->rng = rng_alloc();
    w->drawn_replicate = -1;
    w->stock_diff = calloc((size_t)(s->M + 1) * s->S, sizeof *w->stock_diff);
    int rc = w->rng && w->stock_diff ? CC_OK : CC_ENOMEM;
    if (rc == CC_OK && s->draw) {
        size_t nl = (size_t)s->M * s->S * AGE_YEARS;
        w->rate = malloc(sizeof *w->rate * grid_size(s));
        w->beta = malloc(sizeof *w->beta * (size_t)s->S * MODEL_ENTRY_NPAR(s->nage));
        w->base_lambda = malloc(sizeof *w->base_lambda * nl);
        w->lambda = malloc(sizeof *w->lambda * nl);
        w->buf[0] = malloc(sizeof *w->buf[0] * grid_size(s));
        w->buf[1] = malloc(sizeof *w->buf[1] * grid_size(s));
        rc = w->rate && w->beta && w->base_lambda && w->lambda && w->buf[0] && w->buf[1]
                 ? epochs_alloc(s, &w->epochs, s->max_epochs)
                 : CC_ENOMEM;
    }
    if (rc != CC_OK) {
        sim_work_free(w);
        return NULL;
    }
    return w;
}

void sim_work_free(sim_work *w)
{
    if (!w)
        return;
    rng_free(w->rng);
    free(w->rate);
    free(w->beta);
    free(w->base_lambda);
    free(w->lambda);
    free(w->buf[0]);
    free(w->buf[1]);
    epochs_free(&w->epochs);
    free(w->stock_diff);
    free(w);
}

void sim_work_observe(sim_work *w, sim_observer fn, void *ctx)
{
    w->observe = fn;
    w->observe_ctx = ctx;
}

/* ---- one replicate ---------------------------------------------------------------- */

/* Everything the kernel needs while it follows one replicate. */
typedef struct kernel {
    const sim_setup *s;
    sim_work *w;
    sim_ledger *out;
    const sim_scenario *x;   /* the scenario */
    const sim_epochs *ep;    /* its hazards in this replicate */
    const double *lambda;    /* its expected arrivals in this replicate */
    double t0, tend;
    int64_t events;
} kernel;

/* Month containing time t: 0 before the start, M from the end of the horizon on. */
static int month_of(const sim_setup *s, double t)
{
    double off = t - s->month_start[0];
    if (off < 0)
        return 0;
    int day = (int)off; /* truncation is floor for off >= 0 */
    if (day >= s->month_start[s->M] - s->month_start[0])
        return s->M;
    return s->day_month[day];
}

static inline double min2(double a, double b)
{
    return a < b ? a : b;
}

/* Adds a stay in `state` over [a, b) (clipped to the horizon) to the ledger. */
static void occupy(kernel *k, int state, double a, double b)
{
    const sim_setup *s = k->s;
    if (a < k->t0)
        a = k->t0;
    if (b > k->tend)
        b = k->tend;
    if (b <= a)
        return;
    int ma = month_of(s, a);
    int mb = month_of(s, b);
    int S = s->S;
    /* the stay counts in the month-end stock of months ma .. mb-1; its days are the rest
     * of month ma from a, less the rest of month mb from b (whole months in between are
     * added at the end from the stock carried into each month) */
    k->w->stock_diff[ma * S + state] += 1;
    k->w->stock_diff[mb * S + state] -= 1;
    k->out->person_days[ma * S + state] += s->month_start[ma + 1] - a;
    if (mb < s->M)
        k->out->person_days[mb * S + state] -= s->month_start[mb + 1] - b;
}

static void notify(kernel *k, uint64_t id, int dob, int from, int target, int then, double t)
{
    if (!k->w->observe)
        return;
    sim_event ev = {id, dob, from, target, then, t};
    k->w->observe(k->w->observe_ctx, &ev);
}

/* When a child must leave `state` because of age: the definition's max_age birthday,
 * unless a scenario changes the state's support age from a date on or before it. */
static double leaving_day(const sim_scenario *x, const md_state *st, int state, const dob_parts *b)
{
    double t = st->max_age > 0 ? birthday(b, st->max_age) : INFINITY;
    if (x->has_support[state] && t >= x->support_start[state]) {
        double later = birthday(b, x->support_age[state]);
        t = later > x->support_start[state] ? later : x->support_start[state];
    }
    return t;
}

/* Follows one child from time t in `state` (entered at `since`) to the horizon. */
static void follow(kernel *k, uint64_t id, int dob, dob_parts b, age_pos age, int state,
                   double since, double t)
{
    const sim_setup *s = k->s;
    const modeldef *d = s->def;
    rng *r = k->w->rng;
    int ab = age.band;
    double next_age = age.next;
    int e = 0; /* the hazard epoch containing t */
    while (t >= k->ep->at[e + 1])
        e++;
    double next_epoch = k->ep->at[e + 1];
    const sim_cells *tab = &k->ep->cells[e];
    int cached_state = -1;
    double cached_t = INFINITY;
    for (;;) {
        const md_state *st = &d->states[state];
        if (state != cached_state) { /* the leaving birthday, under the scenario's rule */
            cached_state = state;
            cached_t = leaving_day(k->x, st, state, &b);
        }
        double max_age_t = cached_t;
        double max_days_t = st->max_days > 0 ? since + st->max_days : INFINITY;
        int db = t > since ? modeldef_dur_band(d, t - since) : 0; /* new stays: band 0 */
        double next_dur = db + 1 < s->ndur ? since + d->dur_edges[db + 1] : INFINITY;
        double x = -log(rng_uniform(r)); /* integrated hazard left before the event */
        int target = -1;
        for (;;) {
            double tb = min2(min2(next_age, next_dur),
                             min2(min2(max_age_t, max_days_t), min2(k->tend, next_epoch)));
            if (tb < t)
                tb = t;
            int cell = (state * s->nage + ab) * s->ndur + db;
            double h = tab->total[cell];
            if (h > 0 && x <= h * (tb - t)) {
                t += x / h;
                int j = tab->cell_off[cell], last = tab->cell_off[cell + 1] - 1;
                if (j < last) { /* competing targets: choose one in proportion to hazard */
                    double u = rng_uniform(r) * h;
                    while (j < last && tab->cell_cum[j] <= u)
                        j++;
                }
                target = tab->cell_target[j];
                break;
            }
            x -= h * (tb - t);
            t = tb;
            if (t >= k->tend) {
                occupy(k, state, since, k->tend);
                notify(k, id, dob, state, -1, state, k->tend);
                return;
            }
            if (t >= max_age_t && st->at_max_age != MD_NONE) {
                target = s->S + st->at_max_age;
                break;
            }
            if (t >= max_days_t && st->at_max_days != MD_NONE) {
                target = s->S + st->at_max_days;
                break;
            }
            if (t >= next_age) {
                ab++;
                next_age = ab + 1 < s->nage ? birthday(&b, d->age_edges[ab + 1]) : INFINITY;
            }
            if (t >= next_dur) {
                db++;
                next_dur = db + 1 < s->ndur ? since + d->dur_edges[db + 1] : INFINITY;
            }
            if (t >= next_epoch) {
                e++;
                next_epoch = k->ep->at[e + 1];
                tab = &k->ep->cells[e];
            }
        }
        /* the event: leave `state` for `target` at time t */
        occupy(k, state, since, t);
        int month = month_of(s, t);
        int then = s->landing[target];
        int S = s->S;
        k->out->flows[(size_t)month * s->F + s->flow_index[state * s->T + target]]++;
        k->out->outflow[month * S + state]++;
        k->events++;
        notify(k, id, dob, state, target, then, t);
        if (then == MD_OUT)
            return;
        k->out->inflow[month * S + then]++;
        if (d->states[then].looked_after && !st->looked_after)
            k->out->starts[month * s->nage + ab]++;
        state = then;
        since = t;
    }
}

/* A Poisson count by inversion of its distribution function: one uniform, and a count
 * that never falls when the mean rises. So a scenario with fewer expected arrivals keeps
 * the first of the baseline's arrivals, child for child (common random numbers). GSL
 * has no Poisson quantile function; beyond a mean of 500 a cell (far more than a month
 * of one age and state brings) GSL's own generator is used. */
static unsigned int poisson_by_inversion(rng *r, double mean)
{
    if (mean > 500)
        return gsl_ran_poisson(rng_gsl(r), mean);
    double u = rng_uniform(r), p = exp(-mean), cdf = p;
    unsigned int n = 0;
    while (u > cdf && (p > 1e-300 || n < mean)) {
        n++;
        p *= mean / n;
        cdf += p;
    }
    return n;
}

/* A child arriving at time t (in month mo, starting on day `month_day0` whose date is
 * `month_parts`) into `state`, aged `age` whole years; its date of birth is drawn from
 * the stream already positioned for it, and it is followed to the horizon. */
static void arrive(kernel *k, uint64_t key, int state, int age, double t, int mo,
                   dob_parts month_parts)
{
    const sim_setup *s = k->s;
    /* a date of birth making the exact age on the arrival day `age` whole years: after
     * the day `age + 1` years before, up to `age` years before */
    dob_parts today = month_parts;
    today.d = (int)t - s->month_start[mo] + month_parts.d;
    int lo = (int)birthday(&today, -(age + 1)) + 1, hi = (int)birthday(&today, -age);
    int dob = lo + (int)(rng_uniform(k->w->rng) * (hi - lo + 1));
    dob_parts b = s->ymd[dob - s->ymd_day0];
    age_pos where = age_position(s->def, &b, t, age + 0.5);
    int month = month_of(s, t);
    k->out->arrivals[month * s->S + state]++;
    k->out->inflow[month * s->S + state]++;
    if (s->def->states[state].looked_after)
        k->out->starts[month * s->nage + where.band]++;
    k->events++;
    notify(k, key, dob, -1, state, state, t);
    follow(k, key, dob, b, where, state, t, t);
}

/* The days [*a, *b) of month mo on which an extra-arrivals lever acts. */
static void extra_window(const sim_setup *s, const scn_extra *x, int mo, double *a, double *b)
{
    *a = s->month_start[mo] > x->when.start ? s->month_start[mo] : x->when.start;
    *b = s->month_start[mo + 1];
    if (x->when.end != SCN_NEVER && x->when.end < *b)
        *b = x->when.end;
}

static void arrivals(kernel *k, int replicate)
{
    const sim_setup *s = k->s;
    rng *r = k->w->rng;
    for (int mo = 0; mo < s->M; mo++) {
        double a = s->month_start[mo], len = s->month_start[mo + 1] - a;
        dob_parts month_parts; /* the first day of the month (the start date in month 0) */
        date_to_ymd(s->month_start[mo], &month_parts.y, &month_parts.m, &month_parts.d);
        for (int cell = 0; cell < s->S * AGE_YEARS; cell++) {
            double lam = k->lambda[(size_t)mo * s->S * AGE_YEARS + cell];
            if (lam <= 0)
                continue;
            rng_stream(r, s->seed, (uint64_t)replicate, RNG_ARRIVAL_COUNT, (uint64_t)mo,
                       (uint64_t)cell);
            unsigned int n = poisson_by_inversion(r, lam);
            int state = cell / AGE_YEARS, age = cell % AGE_YEARS - 1;
            for (unsigned int i = 0; i < n; i++) {
                uint64_t key = ((uint64_t)mo << 40) | ((uint64_t)cell << 24) | i;
                rng_stream(r, s->seed, (uint64_t)replicate, RNG_ARRIVAL_CHILD, (uint64_t)mo,
                           ((uint64_t)cell << 32) | i);
                arrive(k, key, state, age, a + rng_uniform(r) * len, mo, month_parts);
            }
        }
        const scenario *sc = k->x->sc;
        for (int i = 0; sc && i < sc->nextra; i++) {
            const scn_extra *x = &sc->extra[i];
            int n = k->x->extra_count[(size_t)i * s->M + mo];
            double from, to;
            extra_window(s, x, mo, &from, &to);
            for (int j = 0; j < n; j++) {
                uint64_t key = (1ULL << 63) | ((uint64_t)mo << 40) | ((uint64_t)i << 24) |
                               (uint64_t)j;
                rng_stream(r, s->seed, (uint64_t)replicate, RNG_EXTRA_CHILD, (uint64_t)mo,
                           ((uint64_t)i << 32) | (uint64_t)j);
                double t = from + rng_uniform(r) * (to - from);
                int age = x->age_lo + (int)(rng_uniform(r) * (x->age_hi - x->age_lo + 1));
                arrive(k, key, x->state, age, t, mo, month_parts);
            }
        }
    }
}

int64_t sim_replicate(const sim_setup *s, sim_work *w, int replicate, sim_ledger *out)
{
    return sim_replicate_scenario(s, s->neutral, w, replicate, out);
}

int64_t sim_replicate_scenario(const sim_setup *s, const sim_scenario *x, sim_work *w,
                               int replicate, sim_ledger *out)
{
    int S = s->S, M = s->M;
    size_t ms = (size_t)M * S;
    memset(out->stock, 0, sizeof *out->stock * ms);
    memset(out->inflow, 0, sizeof *out->inflow * ms);
    memset(out->outflow, 0, sizeof *out->outflow * ms);
    memset(out->arrivals, 0, sizeof *out->arrivals * ms);
    memset(out->flows, 0, sizeof *out->flows * (size_t)M * s->F);
    memset(out->person_days, 0, sizeof *out->person_days * ms);
    memset(out->starts, 0, sizeof *out->starts * (size_t)M * s->nage);
    memset(w->stock_diff, 0, sizeof *w->stock_diff * (ms + S));
    kernel k = {s, w, out, x, &x->point, x->point_lambda, s->month_start[0], s->month_start[M], 0};
    if (s->draw) { /* every scenario of a replicate shares the replicate's draw */
        if (w->drawn_replicate != replicate)
            draw_parameters(s, w, replicate);
        build_epochs(s, x, w->rate, w->buf, &w->epochs);
        apply_factors(s, x, w->base_lambda, w->lambda);
        k.ep = &w->epochs;
        k.lambda = w->lambda;
    }
    for (int64_t i = 0; i < s->ninit; i++) {
        const init_child *c = &s->init[i];
        rng_stream(w->rng, s->seed, (uint64_t)replicate, RNG_INITIAL, (uint64_t)i, 0);
        follow(&k, (uint64_t)i, c->dob, c->parts, c->age, c->state, c->since, k.t0);
    }
    arrivals(&k, replicate);
    /* month-end stock: the running sum of stays begun and ended (children open on the
     * start date begin their stay at the start); person-days: the whole month for every
     * child carried into the month, plus the partial months added by occupy() */
    int32_t carried[MD_MAX] = {0};
    for (int mo = 0; mo < M; mo++) {
        double len = s->month_start[mo + 1] - s->month_start[mo];
        for (int st = 0; st < S; st++) {
            out->person_days[mo * S + st] += carried[st] * len;
            carried[st] += w->stock_diff[mo * S + st];
            out->stock[mo * S + st] = carried[st];
        }
    }
    return k.events;
}
