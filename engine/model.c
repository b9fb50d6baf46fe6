/* model.c -- the model file: allocation, HDF5 writing and checked reading. */
#include "model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "h5io.h"
#include "version.h"

model *model_alloc(modeldef *def, int max_trans)
{
    model *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->def = def;
    size_t cells = (size_t)def->nage * def->ndur;
    m->from = calloc((size_t)max_trans, sizeof *m->from);
    m->to = calloc((size_t)max_trans, sizeof *m->to);
    m->rate = calloc((size_t)max_trans * cells, sizeof *m->rate);
    m->events = calloc((size_t)max_trans * cells, sizeof *m->events);
    m->exposure = calloc((size_t)max_trans * cells, sizeof *m->exposure);
    m->entry = calloc((size_t)def->nstates * def->nage, sizeof *m->entry);
    m->entry_per_child = true;
    m->max_trans = max_trans;
    if (!m->from || !m->to || !m->rate || !m->events || !m->exposure || !m->entry) {
        m->def = NULL;
        model_free(m);
        return NULL;
    }
    return m;
}

void model_free(model *m)
{
    if (!m)
        return;
    modeldef_free(m->def);
    free(m->from);
    free(m->to);
    free(m->rate);
    free(m->events);
    free(m->exposure);
    free(m->entry);
    free(m->population);
    free(m->episodes);
    free(m->post_shape);
    free(m->post_rate);
    free(m->entry_beta);
    free(m->entry_cov);
    free(m->check_end);
    free(m->check_observed);
    free(m->check_fitted);
    free(m);
}

int model_alloc_uncertainty(model *m)
{
    const modeldef *d = m->def;
    size_t cells = (size_t)m->max_trans * d->nage * d->ndur, P = MODEL_ENTRY_NPAR(d->nage);
    m->post_shape = calloc(cells, sizeof *m->post_shape);
    m->post_rate = calloc(cells, sizeof *m->post_rate);
    m->entry_beta = calloc((size_t)d->nstates * P, sizeof *m->entry_beta);
    m->entry_cov = calloc((size_t)d->nstates * P * P, sizeof *m->entry_cov);
    return m->post_shape && m->post_rate && m->entry_beta && m->entry_cov ? CC_OK : CC_ENOMEM;
}

double model_entry_rate(const model *m, const double *beta, int state, int band, int day)
{
    if (!m->entry_beta || !beta)
        return m->entry[state * m->def->nage + band];
    const double *b = beta + (size_t)state * MODEL_ENTRY_NPAR(m->def->nage);
    if (!isfinite(b[band]))
        return 0;
    int y, mo, dd, nage = m->def->nage;
    date_to_ymd(day, &y, &mo, &dd);
    return exp(b[band] + b[nage] * (day - m->entry_ref_day) / 365.25 + b[nage + mo]);
}

int model_transition(model *m, int from, int to)
{
    for (int k = 0; k < m->ntrans; k++)
        if (m->from[k] == from && m->to[k] == to)
            return k;
    if (m->ntrans >= m->max_trans)
        return -1;
    m->from[m->ntrans] = from;
    m->to[m->ntrans] = to;
    return m->ntrans++;
}

double *model_rate(model *m, int k)
{
    return m->rate + (size_t)k * m->def->nage * m->def->ndur;
}

int model_set_population(model *m, int year0, int nyears, const double *counts)
{
    double *copy = malloc(sizeof *copy * (size_t)nyears * MODEL_POP_AGES);
    if (!copy)
        return CC_ENOMEM;
    memcpy(copy, counts, sizeof *copy * (size_t)nyears * MODEL_POP_AGES);
    free(m->population);
    m->population = copy;
    m->pop_year0 = year0;
    m->pop_nyears = nyears;
    return CC_OK;
}

double model_population(const model *m, int year, int age)
{
    if (!m->population || m->pop_nyears == 0)
        return 0;
    int y = year - m->pop_year0;
    if (y < 0)
        y = 0;
    if (y >= m->pop_nyears)
        y = m->pop_nyears - 1;
    if (age < 0)
        age = 0;
    if (age >= MODEL_POP_AGES)
        return 0;
    return m->population[(size_t)y * MODEL_POP_AGES + age];
}

static int episode_order(const void *a, const void *b)
{
    const model_episode *x = a, *y = b;
    if (x->child != y->child)
        return x->child < y->child ? -1 : 1;
    return (x->start > y->start) - (x->start < y->start);
}

int model_provider_code(const char *code)
{
    if (!code || (code[0] != 'P' && code[0] != 'p') || (code[1] != 'R' && code[1] != 'r') ||
        code[2] < '0' || code[2] > '5' || code[3])
        return MODEL_PROVIDER_UNKNOWN;
    return code[2] == '0' ? MODEL_PROVIDER_PARENT
           : code[2] == '1' ? MODEL_PROVIDER_OWN
                            : MODEL_PROVIDER_OTHER;
}

void model_set_history(model *m, model_episode *episodes, int64_t n, int extract_date)
{
    free(m->episodes);
    qsort(episodes, (size_t)n, sizeof *episodes, episode_order);
    m->episodes = episodes;
    m->nepisodes = n;
    m->extract_date = extract_date;
}

/* True if an episode ending on `end` with `reason` left `st` by its forced exit. */
static bool forced_end(const md_state *st, int dob, int start, int end, int reason)
{
    if (reason < 0)
        return false;
    if (st->max_age > 0 && reason == st->at_max_age &&
        end == date_add_years(dob, (int)st->max_age))
        return true;
    return st->max_days > 0 && reason == st->at_max_days && end - start == (int)st->max_days;
}

void model_spans(const model *m, model_span_fn fn, void *ctx)
{
    const modeldef *d = m->def;
    for (int64_t i = 0; i < m->nepisodes; i++) {
        const model_episode *e = &m->episodes[i];
        bool has_next = i + 1 < m->nepisodes && m->episodes[i + 1].child == e->child;
        model_span sp = {.episode = e, .state = e->state, .start = e->start, .end = e->end};
        if (e->end == MODEL_OPEN_END || e->reason == MODEL_REASON_OPEN)
            sp.target = -1;
        else if (e->reason == MODEL_REASON_MOVE)
            sp.target = has_next ? m->episodes[i + 1].state : -1;
        else
            sp.target = d->nstates + e->reason;
        sp.forced = forced_end(&d->states[e->state], e->dob, e->start, e->end, e->reason);
        fn(ctx, &sp);
        if (e->reason < 0 || e->end == MODEL_OPEN_END)
            continue;
        int then = d->exits[e->reason].then;
        if (then < 0 || d->states[then].in_history)
            continue;
        /* derived span: until the next episode, max_days or the max_age birthday */
        const md_state *st = &d->states[then];
        int64_t end = MODEL_OPEN_END;
        model_span ds = {.episode = e, .state = then, .start = e->end, .target = -1};
        if (has_next) {
            end = m->episodes[i + 1].start;
            ds.target = m->episodes[i + 1].state;
        }
        if (st->max_days > 0 && e->end + (int64_t)st->max_days < end) {
            end = e->end + (int64_t)st->max_days;
            ds.target = d->nstates + st->at_max_days;
            ds.forced = true;
        }
        if (st->max_age > 0) {
            int birthday = date_add_years(e->dob, (int)st->max_age);
            if (birthday < end) {
                end = birthday;
                ds.target = d->nstates + st->at_max_age;
                ds.forced = true;
            }
        }
        if (end > m->extract_date && end != MODEL_OPEN_END) {
            /* a forced end after the extract date is not yet known */
            ds.forced = false;
            ds.target = -1;
            end = MODEL_OPEN_END;
        }
        ds.end = (int)end;
        if (end > e->end)
            fn(ctx, &ds);
    }
}

typedef struct stock_ctx {
    const modeldef *def;
    const int *days;
    int n;
    double *stock; /* [n][S + 1] */
} stock_ctx;

static void count_stock(void *vctx, const model_span *sp)
{
    stock_ctx *c = vctx;
    int C = c->def->nstates + 1;
    bool cla = c->def->states[sp->state].looked_after;
    for (int k = 0; k < c->n; k++)
        if (sp->start <= c->days[k] && c->days[k] < sp->end) {
            c->stock[(size_t)k * C + sp->state] += 1;
            if (cla)
                c->stock[(size_t)k * C + C - 1] += 1;
        }
}

void model_stock_on(const model *m, const int *days, int n, double *stock)
{
    memset(stock, 0, sizeof *stock * (size_t)n * (m->def->nstates + 1));
    stock_ctx c = {m->def, days, n, stock};
    model_spans(m, count_stock, &c);
}

/* ---- writing ---------------------------------------------------------------------- */

static int write_history(hid_t g, const model *m, cc_err *err)
{
    int64_t n = m->nepisodes;
    long long *child = malloc(sizeof *child * (size_t)(n ? n : 1));
    int *col = malloc(sizeof *col * (size_t)(n ? n : 1));
    if (!child || !col) {
        free(child);
        free(col);
        return cc_fail(err, CC_ENOMEM, "out of memory writing the history");
    }
    hsize_t dims[1] = {(hsize_t)n};
    for (int64_t i = 0; i < n; i++)
        child[i] = m->episodes[i].child;
    int rc =
        h5io_write(g, "child", H5T_NATIVE_LLONG, 1, dims, child, "child identifier", "id", err);
    static const struct {
        const char *name, *desc, *units;
    } cols[] = {
        {"dob", "date of birth", "days since 1970-01-01"},
        {"start", "first day in the state", "days since 1970-01-01"},
        {"end", "day the episode ended (the next one may start that day); 2147483647 = open",
         "days since 1970-01-01"},
        {"state", "state index into /definition", "index"},
        {"reason", "exit reason index; -1 = moved to the next episode's state; -2 = open", "index"},
        {"provider",
         "provider of the placement (SSDA903 PLACE_PROVIDER): 0 unknown, 1 own council (PR1), "
         "2 other (PR2-PR5), 3 parent (PR0)",
         "code"},
    };
    for (int c = 0; rc == CC_OK && c < 6; c++) {
        for (int64_t i = 0; i < n; i++) {
            const model_episode *e = &m->episodes[i];
            col[i] = c == 0   ? e->dob
                     : c == 1 ? e->start
                     : c == 2 ? e->end
                     : c == 3 ? e->state
                     : c == 4 ? e->reason
                              : e->provider;
        }
        rc = h5io_write(g, cols[c].name, H5T_NATIVE_INT, 1, dims, col, cols[c].desc, cols[c].units,
                        err);
    }
    free(child);
    free(col);
    if (rc == CC_OK && (h5io_attr_long(g, "extract_date", m->extract_date) < 0 ||
                        h5io_attr_long(g, "history_start", m->history_start) < 0))
        rc = cc_fail(err, CC_EHDF5, "writing /history attributes failed");
    return rc;
}

/* The fit's extras: posteriors, the entry regression and the fitted-vs-observed check. */
static int write_uncertainty(hid_t g, const model *m, cc_err *err)
{
    const modeldef *d = m->def;
    int rc = CC_OK;
    hsize_t n3[3] = {(hsize_t)m->ntrans, (hsize_t)d->nage, (hsize_t)d->ndur};
    if (m->post_shape) {
        rc = h5io_write(g, "hazards/posterior_shape", H5T_NATIVE_DOUBLE, 3, n3, m->post_shape,
                        "Gamma posterior shape of each hazard: events + prior events",
                        "events", err);
        if (rc == CC_OK)
            rc = h5io_write(g, "hazards/posterior_rate", H5T_NATIVE_DOUBLE, 3, n3, m->post_rate,
                            "Gamma posterior rate of each hazard: exposure + prior exposure",
                            "person-days", err);
        if (rc == CC_OK) {
            hid_t hg = H5Gopen2(g, "hazards", H5P_DEFAULT);
            h5io_attr_double(hg, "prior_events", m->prior_events);
            H5Gclose(hg);
        }
    }
    size_t P = MODEL_ENTRY_NPAR(d->nage);
    hsize_t b2[2] = {(hsize_t)d->nstates, P}, c3[3] = {(hsize_t)d->nstates, P, P};
    if (rc == CC_OK && m->entry_beta) {
        rc = h5io_write(g, "entries/coef", H5T_NATIVE_DOUBLE, 2, b2, m->entry_beta,
                        "entry regression per state: log rate by age band (-inf: no entries), "
                        "then trend per year, then 12 calendar-month effects (January = 0)",
                        "log rate per day; per year for the trend", err);
        if (rc == CC_OK)
            rc = h5io_write(g, "entries/covariance", H5T_NATIVE_DOUBLE, 3, c3, m->entry_cov,
                            "covariance of the entry regression coefficients (zero rows for "
                            "coefficients not estimated)",
                            "log scale squared", err);
        if (rc == CC_OK) {
            hid_t eg = H5Gopen2(g, "entries", H5P_DEFAULT);
            char ref[11];
            date_format(m->entry_ref_day, ref);
            h5io_attr_text(eg, "reference_date", ref);
            h5io_attr_long(eg, "trend", m->entry_trend);
            h5io_attr_long(eg, "seasonality", m->entry_season);
            H5Gclose(eg);
        }
    }
    if (rc == CC_OK && m->check_months > 0) {
        hsize_t n1[1] = {(hsize_t)m->check_months}, s2[2] = {(hsize_t)m->check_months,
                                                             (hsize_t)d->nstates};
        rc = h5io_write(g, "fit/month_end", H5T_NATIVE_INT, 1, n1, m->check_end,
                        "last day of each month of the estimation window",
                        "days since 1970-01-01", err);
        if (rc == CC_OK)
            rc = h5io_write(g, "fit/observed", H5T_NATIVE_DOUBLE, 2, s2, m->check_observed,
                            "observed month-end stock by state", "children", err);
        if (rc == CC_OK)
            rc = h5io_write(g, "fit/fitted", H5T_NATIVE_DOUBLE, 2, s2, m->check_fitted,
                            "mean month-end stock by state of replicates simulated with the "
                            "fitted rates from the window start",
                            "children", err);
        if (rc == CC_OK) {
            hid_t fg = H5Gopen2(g, "fit", H5P_DEFAULT);
            char a[11], b[11];
            date_format(m->window_start, a);
            date_format(m->window_end, b);
            h5io_attr_text(fg, "window_start", a);
            h5io_attr_text(fg, "window_end", b);
            H5Gclose(fg);
        }
    }
    return rc;
}

/* Reads what write_uncertainty() wrote, if present. */
static int read_uncertainty(hid_t g, model *m, const char *path, cc_err *err)
{
    const modeldef *d = m->def;
    hsize_t dims[8];
    size_t cells = (size_t)m->ntrans * d->nage * d->ndur, P = MODEL_ENTRY_NPAR(d->nage);
    bool post = h5io_dims(g, "hazards/posterior_shape", dims) == 3;
    bool beta = h5io_dims(g, "entries/coef", dims) == 2;
    if (!post && !beta)
        return CC_OK;
    if (model_alloc_uncertainty(m) != CC_OK)
        return cc_fail(err, CC_ENOMEM, "out of memory reading %s", path);
    int rc = CC_OK;
    if (post) {
        rc = h5io_read(g, "hazards/posterior_shape", H5T_NATIVE_DOUBLE, m->post_shape, cells,
                       path, err);
        if (rc == CC_OK)
            rc = h5io_read(g, "hazards/posterior_rate", H5T_NATIVE_DOUBLE, m->post_rate, cells,
                           path, err);
        hid_t hg = H5Gopen2(g, "hazards", H5P_DEFAULT);
        h5io_get_double(hg, "prior_events", &m->prior_events);
        H5Gclose(hg);
    } else {
        free(m->post_shape);
        free(m->post_rate);
        m->post_shape = m->post_rate = NULL;
    }
    if (rc == CC_OK && beta) {
        rc = h5io_read(g, "entries/coef", H5T_NATIVE_DOUBLE, m->entry_beta, d->nstates * P,
                       path, err);
        if (rc == CC_OK)
            rc = h5io_read(g, "entries/covariance", H5T_NATIVE_DOUBLE, m->entry_cov,
                           d->nstates * P * P, path, err);
        hid_t eg = H5Gopen2(g, "entries", H5P_DEFAULT);
        char ref[32] = "";
        long long flag = 0;
        h5io_get_text(eg, "reference_date", ref, sizeof ref);
        if (!date_parse(ref, &m->entry_ref_day))
            rc = cc_fail(err, CC_EINPUT, "%s: /entries has no valid reference_date ('%s')", path,
                         ref);
        h5io_get_long(eg, "trend", &flag);
        m->entry_trend = flag != 0;
        flag = 0;
        h5io_get_long(eg, "seasonality", &flag);
        m->entry_season = flag != 0;
        H5Gclose(eg);
    } else if (!beta) {
        free(m->entry_beta);
        free(m->entry_cov);
        m->entry_beta = m->entry_cov = NULL;
    }
    if (rc == CC_OK && h5io_dims(g, "fit/observed", dims) == 2 && dims[1] == (hsize_t)d->nstates) {
        int M = (int)dims[0];
        m->check_end = malloc(sizeof *m->check_end * (size_t)M);
        m->check_observed = malloc(sizeof *m->check_observed * (size_t)M * d->nstates);
        m->check_fitted = malloc(sizeof *m->check_fitted * (size_t)M * d->nstates);
        if (!m->check_end || !m->check_observed || !m->check_fitted)
            return cc_fail(err, CC_ENOMEM, "out of memory reading %s", path);
        m->check_months = M;
        rc = h5io_read(g, "fit/month_end", H5T_NATIVE_INT, m->check_end, (size_t)M, path, err);
        if (rc == CC_OK)
            rc = h5io_read(g, "fit/observed", H5T_NATIVE_DOUBLE, m->check_observed,
                           (size_t)M * d->nstates, path, err);
        if (rc == CC_OK)
            rc = h5io_read(g, "fit/fitted", H5T_NATIVE_DOUBLE, m->check_fitted,
                           (size_t)M * d->nstates, path, err);
        hid_t fg = H5Gopen2(g, "fit", H5P_DEFAULT);
        char a[32] = "", b[32] = "";
        h5io_get_text(fg, "window_start", a, sizeof a);
        h5io_get_text(fg, "window_end", b, sizeof b);
        date_parse(a, &m->window_start);
        date_parse(b, &m->window_end);
        H5Gclose(fg);
    }
    return rc;
}

int model_write_tables(hid_t g, const model *m, cc_err *err)
{
    const modeldef *d = m->def;
    int rc = h5io_write_text(g, "definition", d->text,
                             "model definition (INI): states, exit reasons, bands, code maps", err);
    const char *names[MD_MAX];
    for (int i = 0; i < d->nstates; i++)
        names[i] = d->states[i].name;
    if (rc == CC_OK)
        rc = h5io_write_strings(g, "states", names, (size_t)d->nstates, "state names", err);
    hsize_t n1[1] = {(hsize_t)m->ntrans};
    hsize_t n3[3] = {(hsize_t)m->ntrans, (hsize_t)d->nage, (hsize_t)d->ndur};
    if (rc == CC_OK)
        rc = h5io_write(g, "hazards/from", H5T_NATIVE_INT, 1, n1, m->from,
                        "origin state of each transition", "state index", err);
    if (rc == CC_OK)
        rc = h5io_write(g, "hazards/to", H5T_NATIVE_INT, 1, n1, m->to,
                        "target of each transition: a state index (< nstates) or nstates + exit "
                        "reason index",
                        "target index", err);
    if (rc == CC_OK)
        rc = h5io_write(g, "hazards/rate", H5T_NATIVE_DOUBLE, 3, n3, m->rate,
                        "hazard of the transition by age band and duration-in-state band",
                        "per day", err);
    if (rc == CC_OK)
        rc = h5io_write(g, "hazards/events", H5T_NATIVE_DOUBLE, 3, n3, m->events,
                        "transitions observed in the estimation window (expected count for a "
                        "true model)",
                        "children", err);
    if (rc == CC_OK)
        rc = h5io_write(g, "hazards/exposure", H5T_NATIVE_DOUBLE, 3, n3, m->exposure,
                        "person-time at risk in the origin state and cell", "person-days", err);
    hsize_t e2[2] = {(hsize_t)d->nstates, (hsize_t)d->nage};
    if (rc == CC_OK)
        rc = h5io_write(
            g, "entries/rate", H5T_NATIVE_DOUBLE, 2, e2, m->entry,
            "arrival rate of new children by entry state and age band",
            m->entry_per_child ? "per child in the population per day" : "children per day", err);
    hsize_t p2[2] = {(hsize_t)m->pop_nyears, MODEL_POP_AGES};
    if (rc == CC_OK && m->population) {
        rc = h5io_write(g, "population/count", H5T_NATIVE_DOUBLE, 2, p2, m->population,
                        "children by calendar year (rows from first_year) and single year of "
                        "age 0-17",
                        "children", err);
        hid_t pg = H5Gopen2(g, "population", H5P_DEFAULT);
        h5io_attr_long(pg, "first_year", m->pop_year0);
        H5Gclose(pg);
    }
    if (rc == CC_OK) {
        hid_t eg = H5Gopen2(g, "entries", H5P_DEFAULT);
        h5io_attr_long(eg, "per_child", m->entry_per_child);
        H5Gclose(eg);
    }
    if (rc == CC_OK)
        rc = write_uncertainty(g, m, err);
    return rc;
}

int model_write(const model *m, const char *path, bool force, cc_err *err)
{
    h5io_file f;
    int rc = h5io_create(&f, path, force, err);
    if (rc != CC_OK)
        return rc;
    h5io_attr_text(f.id, "format", "carecast-model");
    h5io_attr_long(f.id, "format_version", 1);
    h5io_attr_text(f.id, "tool_version", CARECAST_VERSION);
    h5io_attr_text(f.id, "revision", CARECAST_REVISION);
    h5io_attr_text(f.id, "source", m->source);
    h5io_attr_text(f.id, "model_name", m->def->name);
    rc = model_write_tables(f.id, m, err);
    if (rc == CC_OK) {
        hid_t g = h5io_group(f.id, "history");
        rc = write_history(g, m, err);
        H5Gclose(g);
    }
    if (rc != CC_OK) {
        h5io_discard(&f);
        return rc;
    }
    return h5io_commit(&f, err);
}

/* ---- reading ---------------------------------------------------------------------- */

static int read_history(hid_t fid, model *m, const char *path, cc_err *err)
{
    hsize_t dims[8];
    if (h5io_dims(fid, "history/child", dims) != 1)
        return cc_fail(err, CC_EINPUT, "%s: /history/child is missing", path);
    size_t n = dims[0];
    long long *child = malloc(sizeof *child * (n ? n : 1));
    int *col = malloc(sizeof *col * (n ? n : 1));
    model_episode *ep = calloc(n ? n : 1, sizeof *ep);
    int rc = (!child || !col || !ep) ? cc_fail(err, CC_ENOMEM, "out of memory") : CC_OK;
    if (rc == CC_OK)
        rc = h5io_read(fid, "history/child", H5T_NATIVE_LLONG, child, n, path, err);
    static const char *names[] = {"history/dob",   "history/start",  "history/end",
                                  "history/state", "history/reason", "history/provider"};
    for (size_t i = 0; rc == CC_OK && i < n; i++)
        ep[i].child = child[i];
    for (int c = 0; rc == CC_OK && c < 6; c++) {
        if (c == 5 && h5io_dims(fid, names[c], dims) != 1)
            break; /* model files written before providers were kept: all unknown */
        rc = h5io_read(fid, names[c], H5T_NATIVE_INT, col, n, path, err);
        for (size_t i = 0; rc == CC_OK && i < n; i++) {
            model_episode *e = &ep[i];
            if (c == 0)
                e->dob = col[i];
            else if (c == 1)
                e->start = col[i];
            else if (c == 2)
                e->end = col[i];
            else if (c == 3)
                e->state = (int16_t)col[i];
            else if (c == 4)
                e->reason = (int16_t)col[i];
            else
                e->provider = (int8_t)(col[i] >= 0 && col[i] <= 3 ? col[i] : 0);
        }
    }
    for (size_t i = 0; rc == CC_OK && i < n; i++)
        if (ep[i].state < 0 || ep[i].state >= m->def->nstates || ep[i].end < ep[i].start ||
            ep[i].reason < MODEL_REASON_OPEN || ep[i].reason >= m->def->nexits)
            rc = cc_fail(err, CC_EINPUT,
                         "%s: /history row %zu is inconsistent (state %d, start %d, end %d, "
                         "reason %d)",
                         path, i, ep[i].state, ep[i].start, ep[i].end, ep[i].reason);
    long long extract = 0;
    hid_t g = rc == CC_OK ? H5Gopen2(fid, "history", H5P_DEFAULT) : -1;
    long long first = 0;
    if (rc == CC_OK &&
        (!h5io_get_long(g, "extract_date", &extract) || !h5io_get_long(g, "history_start", &first)))
        rc = cc_fail(err, CC_EINPUT,
                     "%s: /history lacks its extract_date or history_start "
                     "attribute",
                     path);
    if (g >= 0)
        H5Gclose(g);
    free(child);
    free(col);
    if (rc != CC_OK) {
        free(ep);
        return rc;
    }
    model_set_history(m, ep, (int64_t)n, (int)extract);
    m->history_start = (int)first;
    return CC_OK;
}

model *model_read_tables(hid_t g, const char *path, cc_err *err, int *status)
{
    char *text = h5io_read_text(g, "definition");
    if (!text) {
        *status = cc_fail(err, CC_EINPUT,
                          "%s: no model definition inside (not a carecast "
                          "model file?)",
                          path);
        return NULL;
    }
    char origin[4200];
    snprintf(origin, sizeof origin, "%s:/definition", path);
    modeldef *def = modeldef_alloc_text(text, origin, err, status);
    free(text);
    if (!def)
        return NULL;
    hsize_t dims[8];
    if (h5io_dims(g, "hazards/from", dims) != 1) {
        *status = cc_fail(err, CC_EINPUT, "%s: /hazards/from is missing", path);
        modeldef_free(def);
        return NULL;
    }
    int nt = (int)dims[0];
    model *m = model_alloc(def, nt > 0 ? nt : 1);
    if (!m) {
        modeldef_free(def);
        *status = cc_fail(err, CC_ENOMEM, "out of memory reading %s", path);
        return NULL;
    }
    m->ntrans = nt;
    size_t cells = (size_t)nt * def->nage * def->ndur;
    int rc = h5io_read(g, "hazards/from", H5T_NATIVE_INT, m->from, (size_t)nt, path, err);
    if (rc == CC_OK)
        rc = h5io_read(g, "hazards/to", H5T_NATIVE_INT, m->to, (size_t)nt, path, err);
    if (rc == CC_OK)
        rc = h5io_read(g, "hazards/rate", H5T_NATIVE_DOUBLE, m->rate, cells, path, err);
    if (rc == CC_OK)
        rc = h5io_read(g, "hazards/events", H5T_NATIVE_DOUBLE, m->events, cells, path, err);
    if (rc == CC_OK)
        rc = h5io_read(g, "hazards/exposure", H5T_NATIVE_DOUBLE, m->exposure, cells, path, err);
    if (rc == CC_OK)
        rc = h5io_read(g, "entries/rate", H5T_NATIVE_DOUBLE, m->entry,
                       (size_t)def->nstates * def->nage, path, err);
    for (int k = 0; rc == CC_OK && k < nt; k++)
        if (m->from[k] < 0 || m->from[k] >= def->nstates || m->to[k] < 0 ||
            m->to[k] >= modeldef_ntargets(def) || m->to[k] == m->from[k])
            rc = cc_fail(err, CC_EINPUT,
                         "%s: transition %d (%d -> %d) does not fit the "
                         "definition's %d states and %d exit reasons",
                         path, k, m->from[k], m->to[k], def->nstates, def->nexits);
    for (size_t i = 0; rc == CC_OK && i < cells; i++)
        if (!(m->rate[i] >= 0))
            rc = cc_fail(err, CC_EINPUT,
                         "%s: /hazards/rate has a negative or missing value "
                         "(%g) at position %zu",
                         path, m->rate[i], i);
    if (rc == CC_OK) {
        long long per_child = 1;
        hid_t eg = H5Gopen2(g, "entries", H5P_DEFAULT);
        h5io_get_long(eg, "per_child", &per_child);
        H5Gclose(eg);
        m->entry_per_child = per_child != 0;
    }
    if (rc == CC_OK && h5io_dims(g, "population/count", dims) == 2 && dims[1] == MODEL_POP_AGES) {
        m->pop_nyears = (int)dims[0];
        m->population = malloc(sizeof *m->population * dims[0] * MODEL_POP_AGES);
        rc = m->population ? h5io_read(g, "population/count", H5T_NATIVE_DOUBLE, m->population,
                                       dims[0] * MODEL_POP_AGES, path, err)
                           : cc_fail(err, CC_ENOMEM, "out of memory");
        long long y0 = 0;
        hid_t pg = H5Gopen2(g, "population", H5P_DEFAULT);
        h5io_get_long(pg, "first_year", &y0);
        H5Gclose(pg);
        m->pop_year0 = (int)y0;
    }
    if (rc == CC_OK)
        rc = read_uncertainty(g, m, path, err);
    if (rc != CC_OK) {
        model_free(m);
        *status = rc;
        return NULL;
    }
    *status = CC_OK;
    return m;
}

model *model_read(const char *path, cc_err *err, int *status)
{
    hid_t fid = h5io_open(path, err, status);
    if (fid < 0)
        return NULL;
    char format[64] = "";
    if (!h5io_get_text(fid, "format", format, sizeof format) ||
        strcmp(format, "carecast-model") != 0) {
        *status = cc_fail(err, CC_EINPUT,
                          "%s: not a carecast model file (format attribute is "
                          "'%s', expected 'carecast-model')",
                          path, format);
        H5Fclose(fid);
        return NULL;
    }
    model *m = model_read_tables(fid, path, err, status);
    if (m) {
        h5io_get_text(fid, "source", m->source, sizeof m->source);
        int rc = read_history(fid, m, path, err);
        if (rc != CC_OK) {
            model_free(m);
            m = NULL;
            *status = rc;
        }
    }
    H5Fclose(fid);
    return m;
}
