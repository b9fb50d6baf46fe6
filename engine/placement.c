/* placement.c -- capacity, allocation of placements to providers and sufficiency
 * measures (the method is in placement.h).
 *
 * placement_alloc() reads the capacity CSV into two kinds of capacity: fixed beds (a row
 * with `beds`, or a scenario's capacity_change with beds), which change only on the
 * rows' dates, and foster-household pools (a row with `households`, or a capacity_change
 * with households or recruitment), which change each month in each replicate. The
 * fixed beds become a time-ordered list of changes prepared once per scenario.
 *
 * A replicate then walks the months. Within a month the stays that start in it are taken
 * in time order; before each, stays that have ended release their beds and capacity
 * changes due by then apply. A min-heap of end times keeps the release cheap, so the
 * cost grows with the number of placements, not with children x days.
 */
#include "placement.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gsl/gsl_randist.h>

#include "csvfile.h"
#include "date.h"
#include "util.h"

const layer_measure placement_measures[PL_NMEASURES] = {
    {"demand", "children placed at the end of the month (demand for the need)", "children",
     false},
    {"in_house", "children in the council's own beds at the end of the month", "children",
     false},
    {"block", "children in block-contracted beds at the end of the month", "children", false},
    {"external", "children in spot placements (independent providers) at the end of the month",
     "children", false},
    {"beds_in_house",
     "in-house beds at the end of the month (a need with unlimited or no capacity rows: "
     "the beds used)",
     "beds", false},
    {"beds_block", "block-contracted beds at the end of the month", "beds", false},
    {"free_beds", "in-house and block beds free at the end of the month", "beds", false},
    {"gap",
     "sufficiency gap: children placed beyond the in-house and block beds of their need at "
     "the end of the month",
     "children", false},
    {"households", "in-house foster households at the end of the month", "households", false},
    {"starts", "placements starting during the month (entries into care, moves between needs)",
     "placements", true},
    {"overflow",
     "placements starting during the month that found no free in-house or block bed and "
     "were spot-purchased",
     "placements", true},
    {"step_downs", "children moved from spot placements into in-house or block beds",
     "children", true},
    {"days_in_house", "days spent in in-house beds, summed over children", "person-days", true},
    {"days_block", "days spent in block beds, summed over children", "person-days", true},
    {"days_external", "days spent in spot placements, summed over children", "person-days",
     true},
};

#define UNLIMITED 1e9 /* beds of an unlimited row */

/* A change in fixed beds of (need, provider) at time `at`. */
typedef struct cap_event {
    double at;
    int state, provider;
    double beds;     /* added (negative: removed); UNLIMITED counts as unlimited */
    double occupied; /* children in them on the start date (NAN: fill them) */
} cap_event;

/* Foster households of one need over [from, to). */
typedef struct pool {
    int state;
    int from, to; /* day numbers; to = SCN_NEVER when open */
    double households, per_household, recruitment, deregistration;
    double occupied; /* children placed with them on the start date (NAN: fill them) */
} pool;

struct placement {
    const modeldef *def;
    int S, G, M;
    int *month_start;         /* [M + 1] */
    layer_years *years;
    int group_state[MD_MAX];  /* [G - 1] */
    int group_of[MD_MAX];     /* state -> group, -1 if not looked after */
    bool managed[MD_MAX];     /* the need has capacity rows or changes */
    bool step_down;
    int nev;
    cap_event *ev;            /* sorted by time */
    int npool;
    pool *pools;
};

/* A looked-after stay being allocated. */
typedef struct stay {
    double start, end;
    double seg_start; /* start of its current provider's segment */
    int state;
    int initial;  /* index of the child open on the start date, or -1 */
    int provider; /* enum scn_provider, or -1 before allocation */
} stay;

struct placement_work {
    const sim_setup *s;
    bool collect[MD_MAX];
    /* the child being followed by the observer */
    bool in_child;
    int64_t child_initial; /* index of the initial child, or -1 */
    double since;
    /* collected stays */
    int64_t n, cap;
    stay *stays;
    int64_t *order;
    /* heap of indexes into stays, by end */
    int64_t nheap;
    int64_t *heap;
    int64_t order_cap; /* room in order, heap and each need's ext list */
    /* spot placements open, by need, in start order (for step-down) */
    int64_t *ext;   /* [G][order_cap] */
    int64_t *ext_n; /* [S] */
    int npool_cap;
    double *households; /* [npool_cap]: each pool's households in this replicate */
    /* segments of the last replicate */
    int64_t nseg, seg_cap;
    placement_segment *seg;
};

/* ---- capacity file ----------------------------------------------------------------- */

/* One row of the capacity CSV after checking. */
typedef struct cap_row {
    int state, provider;
    char name[64];
    int from, to; /* to: last day, or SCN_NEVER */
    double beds, households, per_household, recruitment, deregistration, occupied;
    long line;
} cap_row;

static const char *const cap_columns[] = {
    "need",     "provider", "name",       "from",  "to", "beds", "households", "beds_per_household",
    "recruitment_per_year", "deregistration_rate", "occupied"};
enum { C_NEED, C_PROVIDER, C_NAME, C_FROM, C_TO, C_BEDS, C_HOUSEHOLDS, C_PER, C_RECRUIT, C_DEREG,
       C_OCCUPIED, C_NCOLS };

/* An optional number field: NAN if empty; false (reported) if not a number >= lo (and
 * <= hi). */
static bool number(const csvfile *f, int col, const char *name, double lo, double hi, double *out,
                   problems *p)
{
    const char *text = csvfile_field(f, col);
    *out = NAN;
    if (col < 0 || !*text)
        return true;
    double x = 0;
    if (!util_parse_double(text, &x) || !isfinite(x) || x < lo || x > hi) {
        problems_add(p, PROBLEM_ERROR, csvfile_path(f), csvfile_line(f), name,
                     "'%s': expected a number from %g to %g%s", text, lo, hi,
                     lo == 0 && x < 0 ? " (negative beds or households are not allowed)" : "");
        return false;
    }
    *out = x;
    return true;
}

/* An optional date field: `def` if empty. */
static bool day_field(const csvfile *f, int col, const char *name, int def, int *out, problems *p)
{
    const char *text = csvfile_field(f, col);
    *out = def;
    if (col < 0 || !*text)
        return true;
    if (!date_parse(text, out)) {
        problems_add(p, PROBLEM_ERROR, csvfile_path(f), csvfile_line(f), name,
                     "'%s': expected a date YYYY-MM-DD (or DD/MM/YYYY)", text);
        return false;
    }
    return true;
}

/* Needs of the model, for messages: "kinship, foster, ...". */
static void need_list(const modeldef *d, char *buf, size_t size)
{
    buf[0] = '\0';
    for (int s = 0; s < d->nstates; s++)
        if (d->states[s].looked_after) {
            size_t len = strlen(buf);
            snprintf(buf + len, size - len, "%s%s", len ? ", " : "", d->states[s].need);
        }
}

static int read_row(const modeldef *d, csvfile *f, const int *col, int run_start, cap_row *r,
                    problems *p)
{
    const char *path = csvfile_path(f);
    long line = csvfile_line(f);
    memset(r, 0, sizeof *r);
    r->line = line;
    bool ok = true;
    const char *need = csvfile_field(f, col[C_NEED]);
    r->state = modeldef_need_state(d, need);
    if (r->state < 0) {
        char needs[512];
        need_list(d, needs, sizeof needs);
        const char *cands[MD_MAX];
        int n = 0;
        for (int s = 0; s < d->nstates; s++)
            if (d->states[s].looked_after)
                cands[n++] = d->states[s].need;
        problems_add(p, PROBLEM_ERROR, path, line, "need",
                     "unknown need '%s'%s%s%s: expected a placement need of model '%s' (%s)", need,
                     n ? "; did you mean '" : "", n ? cands[util_nearest(need, cands, n)] : "",
                     n ? "'?" : "", d->name, needs);
        ok = false;
    }
    const char *prov = csvfile_field(f, col[C_PROVIDER]);
    if (!strcasecmp(prov, "in_house"))
        r->provider = SCN_IN_HOUSE;
    else if (!strcasecmp(prov, "block"))
        r->provider = SCN_BLOCK;
    else {
        problems_add(p, PROBLEM_ERROR, path, line, "provider", "'%s': expected in_house or block%s",
                     prov,
                     !strcasecmp(prov, "external") || !strcasecmp(prov, "spot")
                         ? " (spot purchase is unlimited and needs no row)"
                         : "");
        ok = false;
    }
    util_copy(r->name, csvfile_field(f, col[C_NAME]), sizeof r->name);
    ok &= day_field(f, col[C_FROM], "from", run_start, &r->from, p);
    ok &= day_field(f, col[C_TO], "to", SCN_NEVER, &r->to, p);
    if (ok && r->to != SCN_NEVER && r->to < r->from) {
        problems_add(p, PROBLEM_ERROR, path, line, "to",
                     "'%s' is before from = '%s': expected the last day the row applies, on or "
                     "after its first",
                     csvfile_field(f, col[C_TO]), csvfile_field(f, col[C_FROM]));
        ok = false;
    }
    const char *beds = csvfile_field(f, col[C_BEDS]);
    if (!strcasecmp(beds, "unlimited"))
        r->beds = UNLIMITED;
    else
        ok &= number(f, col[C_BEDS], "beds", 0, 1e6, &r->beds, p);
    ok &= number(f, col[C_HOUSEHOLDS], "households", 0, 1e6, &r->households, p);
    ok &= number(f, col[C_PER], "beds_per_household", 0.01, 100, &r->per_household, p);
    ok &= number(f, col[C_RECRUIT], "recruitment_per_year", 0, 1e5, &r->recruitment, p);
    ok &= number(f, col[C_DEREG], "deregistration_rate", 0, 1, &r->deregistration, p);
    ok &= number(f, col[C_OCCUPIED], "occupied", 0, 1e6, &r->occupied, p);
    if (!ok)
        return 0;
    bool house = !isnan(r->households);
    if (house == !isnan(r->beds)) {
        problems_add(p, PROBLEM_ERROR, path, line, house ? "beds" : "households",
                     "%s: give either beds (in-house or block beds, or 'unlimited') or "
                     "households (in-house foster carers), not %s",
                     house ? "both beds and households are set" : "neither beds nor households",
                     house ? "both" : "neither");
        return 0;
    }
    if (house && r->provider != SCN_IN_HOUSE) {
        problems_add(p, PROBLEM_ERROR, path, line, "households",
                     "households are in-house foster carers: expected provider in_house");
        return 0;
    }
    if (!house && (!isnan(r->per_household) || !isnan(r->recruitment) ||
                   !isnan(r->deregistration))) {
        problems_add(p, PROBLEM_ERROR, path, line, "beds",
                     "beds_per_household, recruitment_per_year and deregistration_rate go with "
                     "households, not with beds");
        return 0;
    }
    if (house) {
        r->per_household = isnan(r->per_household) ? 1 : r->per_household;
        r->recruitment = isnan(r->recruitment) ? 0 : r->recruitment;
        r->deregistration = isnan(r->deregistration) ? 0 : r->deregistration;
    }
    return 1;
}

/* Rows of the same need, provider and name may not overlap in time. */
static void check_overlaps(const modeldef *d, const char *path, const cap_row *rows, int n,
                           problems *p)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++) {
            const cap_row *a = &rows[j], *b = &rows[i];
            if (a->state != b->state || a->provider != b->provider || strcmp(a->name, b->name))
                continue;
            int a_end = a->to == SCN_NEVER ? INT32_MAX : a->to;
            int b_end = b->to == SCN_NEVER ? INT32_MAX : b->to;
            if (b->from <= a_end && a->from <= b_end)
                problems_add(p, PROBLEM_ERROR, path, b->line, "from",
                             "dates overlap line %ld (need %s, provider %s, name '%s'): rows of "
                             "the same need, provider and name must cover separate dates (give "
                             "each unit or contract its own name)",
                             a->line, d->states[a->state].need, scn_provider_names[a->provider],
                             a->name);
        }
}

/* Reads the capacity CSV into rows; CC_OK, CC_EINPUT (reported) or CC_ENOMEM. */
static int read_capacity(const modeldef *d, const char *path, int run_start, cap_row **out,
                         int *nout, problems *p)
{
    *out = NULL;
    *nout = 0;
    long before = problems_errors(p);
    csvfile *f = csvfile_open(path, p);
    if (!f)
        return CC_EINPUT;
    int col[C_NCOLS];
    static const char *const required[] = {"need", "provider"};
    int req[2];
    if (!csvfile_require(f, required, 2, req, p)) {
        csvfile_close(f);
        return CC_EINPUT;
    }
    for (int c = 0; c < C_NCOLS; c++)
        col[c] = csvfile_column(f, cap_columns[c]);
    int n = 0, cap = 0, status = CC_OK;
    cap_row *rows = NULL;
    while (status == CC_OK && csvfile_next(f, p) == 1) {
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            cap_row *grown = realloc(rows, sizeof *grown * (size_t)cap);
            if (!grown) {
                status = CC_ENOMEM;
                break;
            }
            rows = grown;
        }
        n += read_row(d, f, col, run_start, &rows[n], p);
    }
    if (status == CC_OK)
        check_overlaps(d, path, rows, n, p);
    csvfile_close(f);
    if (status == CC_ENOMEM)
        problems_add(p, PROBLEM_ERROR, path, 0, NULL, "out of memory reading the capacity file");
    if (status == CC_OK && problems_errors(p) > before)
        status = CC_EINPUT;
    *out = rows;
    *nout = n;
    return status;
}

/* ---- preparation ------------------------------------------------------------------- */

static int by_time(const void *a, const void *b)
{
    const cap_event *x = a, *y = b;
    return (x->at > y->at) - (x->at < y->at);
}

static int add_event(placement *pl, double at, int state, int provider, double beds,
                     double occupied)
{
    cap_event *grown = realloc(pl->ev, sizeof *grown * (size_t)(pl->nev + 1));
    if (!grown)
        return CC_ENOMEM;
    pl->ev = grown;
    pl->ev[pl->nev++] = (cap_event){at, state, provider, beds, occupied};
    return CC_OK;
}

static int add_pool(placement *pl, pool x)
{
    pool *grown = realloc(pl->pools, sizeof *grown * (size_t)(pl->npool + 1));
    if (!grown)
        return CC_ENOMEM;
    pl->pools = grown;
    pl->pools[pl->npool++] = x;
    return CC_OK;
}

placement *placement_alloc(const modeldef *def, const scn_placements *p, const int *month_start,
                           int M, problems *pr)
{
    placement *pl = calloc(1, sizeof *pl);
    int status = pl ? CC_OK : CC_ENOMEM;
    if (pl) {
        pl->def = def;
        pl->S = def->nstates;
        pl->M = M;
        pl->step_down = p->step_down;
        pl->month_start = malloc(sizeof *pl->month_start * (size_t)(M + 1));
        pl->years = layer_years_alloc(month_start, M);
        if (!pl->month_start || !pl->years)
            status = CC_ENOMEM;
        else
            memcpy(pl->month_start, month_start, sizeof *pl->month_start * (size_t)(M + 1));
        for (int s = 0; s < def->nstates; s++) {
            pl->group_of[s] = -1;
            if (def->states[s].looked_after) {
                pl->group_of[s] = pl->G;
                pl->group_state[pl->G++] = s;
            }
        }
        pl->G++; /* all needs */
    }
    cap_row *rows = NULL;
    int nrows = 0;
    if (status == CC_OK)
        status = read_capacity(def, p->capacity, month_start[0], &rows, &nrows, pr);
    for (int i = 0; status == CC_OK && i < nrows; i++) {
        const cap_row *r = &rows[i];
        pl->managed[r->state] = true;
        int end = r->to == SCN_NEVER ? SCN_NEVER : r->to + 1;
        if (!isnan(r->households)) {
            pool x = {r->state,         r->from,          end,        r->households,
                      r->per_household, r->recruitment,   r->deregistration, r->occupied};
            status = add_pool(pl, x);
            continue;
        }
        status = add_event(pl, r->from, r->state, r->provider, r->beds, r->occupied);
        if (status == CC_OK && end != SCN_NEVER)
            status = add_event(pl, end, r->state, r->provider, -r->beds, r->occupied);
    }
    for (int i = 0; status == CC_OK && i < p->ncapacity; i++) {
        const scn_capacity_change *c = &p->capacity_changes[i];
        pl->managed[c->need] = true;
        if (c->beds != 0) {
            status = add_event(pl, c->when.start, c->need, c->provider, c->beds, NAN);
            if (status == CC_OK && c->when.end != SCN_NEVER)
                status = add_event(pl, c->when.end, c->need, c->provider, -c->beds, NAN);
        }
        if (status == CC_OK && (c->households != 0 || c->recruitment_per_year != 0)) {
            /* carers recruited under the change stay as long as the need's other carers */
            pool x = {c->need, c->when.start, c->when.end, c->households, 1, 0, 0, NAN};
            for (int k = 0; k < pl->npool; k++)
                if (pl->pools[k].state == c->need) {
                    x.per_household = pl->pools[k].per_household;
                    x.deregistration = pl->pools[k].deregistration;
                    break;
                }
            x.recruitment = c->recruitment_per_year;
            status = add_pool(pl, x);
        }
    }
    free(rows);
    if (status == CC_OK && pl->nev > 1)
        qsort(pl->ev, (size_t)pl->nev, sizeof *pl->ev, by_time);
    if (status != CC_OK) {
        if (status == CC_ENOMEM)
            problems_add(pr, PROBLEM_ERROR, p->capacity, 0, NULL,
                         "out of memory preparing placements");
        placement_free(pl);
        return NULL;
    }
    return pl;
}

void placement_free(placement *pl)
{
    if (!pl)
        return;
    free(pl->month_start);
    layer_years_free(pl->years);
    free(pl->ev);
    free(pl->pools);
    free(pl);
}

int placement_ngroups(const placement *pl)
{
    return pl->G;
}

int placement_group_state(const placement *pl, int g)
{
    return pl->group_state[g];
}

/* ---- collecting stays -------------------------------------------------------------- */

placement_work *placement_work_alloc(const sim_setup *s, const modeldef *def, const bool *collect)
{
    placement_work *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->s = s;
    int S = sim_nstates(s);
    w->ext_n = calloc((size_t)S, sizeof *w->ext_n);
    if (!w->ext_n) {
        placement_work_free(w);
        return NULL;
    }
    for (int i = 0; i < S && i < MD_MAX; i++)
        w->collect[i] = (collect && collect[i]) || def->states[i].looked_after;
    return w;
}

void placement_work_free(placement_work *w)
{
    if (!w)
        return;
    free(w->stays);
    free(w->order);
    free(w->heap);
    free(w->ext);
    free(w->ext_n);
    free(w->households);
    free(w->seg);
    free(w);
}

void placement_work_reset(placement_work *w)
{
    w->n = 0;
    w->in_child = false;
}

static void keep_stay(placement_work *w, int state, double start, double end, int initial)
{
    if (w->n == w->cap) {
        int64_t cap = w->cap ? 2 * w->cap : 4096;
        stay *grown = realloc(w->stays, sizeof *grown * (size_t)cap);
        if (!grown)
            abort(); /* out of memory inside a replicate: nothing sensible to continue with */
        w->stays = grown;
        w->cap = cap;
    }
    w->stays[w->n++] = (stay){start, end, start, state, initial, -1};
}

void placement_observe(void *ctx, const sim_event *ev)
{
    placement_work *w = ctx;
    const sim_setup *s = w->s;
    if (!w->in_child) { /* a new child: an arrival, or a child open on the start date */
        w->in_child = true;
        if (ev->from < 0) {
            w->child_initial = -1;
            w->since = ev->time;
            return;
        }
        int state, provider;
        w->child_initial = (int64_t)ev->child;
        sim_initial_child(s, w->child_initial, &state, &w->since, &provider);
    }
    /* the stay in ev->from ends now */
    int from = ev->from;
    if (from >= 0 && w->collect[from])
        keep_stay(w, from, w->since, ev->time, (int)w->child_initial);
    w->since = ev->time;
    w->child_initial = -1;
    if (ev->target < 0 || ev->then < 0)
        w->in_child = false;
}

/* ---- allocation -------------------------------------------------------------------- */

/* Heap of stay indexes ordered by end time. */
static void heap_push(placement_work *w, int64_t i)
{
    int64_t k = w->nheap++;
    while (k > 0) {
        int64_t parent = (k - 1) / 2;
        if (w->stays[w->heap[parent]].end <= w->stays[i].end)
            break;
        w->heap[k] = w->heap[parent];
        k = parent;
    }
    w->heap[k] = i;
}

static int64_t heap_pop(placement_work *w)
{
    int64_t top = w->heap[0], last = w->heap[--w->nheap], k = 0;
    for (;;) {
        int64_t c = 2 * k + 1;
        if (c >= w->nheap)
            break;
        if (c + 1 < w->nheap && w->stays[w->heap[c + 1]].end < w->stays[w->heap[c]].end)
            c++;
        if (w->stays[w->heap[c]].end >= w->stays[last].end)
            break;
        w->heap[k] = w->heap[c];
        k = c;
    }
    if (w->nheap > 0)
        w->heap[k] = last;
    return top;
}

/* The state of a replicate's allocation. */
typedef struct alloc {
    const placement *pl;
    placement_work *w;
    double t0, tend;
    double occ[MD_MAX][SCN_NPROVIDERS]; /* children placed, by need and provider */
    double beds[MD_MAX][2];             /* fixed in-house and block beds */
    int unlimited[MD_MAX][2];           /* unlimited rows in force */
    double pool_beds[MD_MAX];           /* in-house beds of the foster pools */
    double households[MD_MAX];
    double fill[MD_MAX][2];             /* start-date fill limit from `occupied` */
    int next_event;
    double *month; /* [M][G][K] */
} alloc;

static double beds_of(const alloc *a, int state, int provider)
{
    if (!a->pl->managed[state])
        return provider == SCN_IN_HOUSE ? UNLIMITED : 0;
    if (a->unlimited[state][provider])
        return UNLIMITED;
    double b = a->beds[state][provider] + (provider == SCN_IN_HOUSE ? a->pool_beds[state] : 0);
    return b > 0 ? b : 0;
}

static bool bed_free(const alloc *a, int state, int provider)
{
    return a->occ[state][provider] < beds_of(a, state, provider);
}

/* Applies the capacity changes due by time t (strictly before it if `strict`). */
static void apply_events(alloc *a, double t, bool strict)
{
    const placement *pl = a->pl;
    while (a->next_event < pl->nev &&
           (strict ? pl->ev[a->next_event].at < t : pl->ev[a->next_event].at <= t)) {
        const cap_event *e = &pl->ev[a->next_event++];
        if (fabs(e->beds) >= UNLIMITED)
            a->unlimited[e->state][e->provider] += e->beds > 0 ? 1 : -1;
        else
            a->beds[e->state][e->provider] += e->beds;
        if (e->at <= a->t0) /* fill limit on the start date: rows in force then */
            a->fill[e->state][e->provider] +=
                (e->beds > 0 ? 1 : -1) * (isnan(e->occupied) ? fabs(e->beds) : e->occupied);
    }
}

/* Adds the days of [s, e) to measure k of the months they fall in. */
static void add_days(alloc *a, int group, int k, double s, double e)
{
    const placement *pl = a->pl;
    int G = pl->G, K = PL_NMEASURES;
    if (s < a->t0)
        s = a->t0;
    if (e > a->tend)
        e = a->tend;
    int m = 0, hi = pl->M;
    while (m + 1 < hi) { /* the month containing s */
        int mid = (m + hi) / 2;
        if (pl->month_start[mid] <= s)
            m = mid;
        else
            hi = mid;
    }
    for (; m < pl->M && s < e; m++) {
        double b = fmin(e, pl->month_start[m + 1]);
        if (b > s) {
            a->month[((size_t)m * G + group) * K + k] += b - s;
            a->month[((size_t)m * G + G - 1) * K + k] += b - s;
        }
        s = b;
    }
}

/* Closes the current provider segment of stay i at time t. */
static void close_segment(alloc *a, int64_t i, double t)
{
    placement_work *w = a->w;
    stay *x = &w->stays[i];
    double s = fmax(x->seg_start, a->t0), e = fmin(t, a->tend);
    if (e > s) {
        if (w->nseg == w->seg_cap) {
            int64_t cap = w->seg_cap ? 2 * w->seg_cap : 4096;
            placement_segment *grown = realloc(w->seg, sizeof *grown * (size_t)cap);
            if (!grown)
                abort();
            w->seg = grown;
            w->seg_cap = cap;
        }
        w->seg[w->nseg++] = (placement_segment){s, e, (int16_t)x->state, (int8_t)x->provider};
        int g = a->pl->group_of[x->state];
        if (g >= 0)
            add_days(a, g, PL_DAYS_IN_HOUSE + x->provider, s, e);
    }
    x->seg_start = t;
}

/* Releases the beds of stays that ended by time t (strictly before it if `strict`). */
static void release(alloc *a, double t, bool strict)
{
    placement_work *w = a->w;
    while (w->nheap > 0) {
        const stay *x = &w->stays[w->heap[0]];
        if (strict ? x->end >= t : x->end > t)
            break;
        int64_t i = heap_pop(w);
        a->occ[w->stays[i].state][w->stays[i].provider] -= 1;
        close_segment(a, i, w->stays[i].end);
    }
}

/* Chooses the provider of a stay starting now. */
static int choose(alloc *a, const stay *x, int recorded)
{
    int s = x->state;
    if (x->initial >= 0) {
        if (recorded == MODEL_PROVIDER_OWN)
            return SCN_IN_HOUSE;
        if (recorded == MODEL_PROVIDER_OTHER)
            return bed_free(a, s, SCN_BLOCK) ? SCN_BLOCK : SCN_EXTERNAL;
        bool managed = a->pl->managed[s];
        for (int p = SCN_IN_HOUSE; p <= SCN_BLOCK; p++)
            if (managed ? a->occ[s][p] < fmin(a->fill[s][p], beds_of(a, s, p)) : bed_free(a, s, p))
                return p;
        return SCN_EXTERNAL;
    }
    for (int p = SCN_IN_HOUSE; p <= SCN_BLOCK; p++)
        if (bed_free(a, s, p))
            return p;
    return SCN_EXTERNAL;
}

static int by_start(const void *pa, const void *pb, void *ctx)
{
    const stay *st = ctx;
    const stay *x = &st[*(const int64_t *)pa], *y = &st[*(const int64_t *)pb];
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    int64_t i = *(const int64_t *)pa, j = *(const int64_t *)pb;
    return (i > j) - (i < j);
}

/* Monthly change of the foster pools: leavers, then recruits. */
static void pools_month(alloc *a, const placement *pl, int m, uint64_t seed, int replicate,
                        rng *g, double *hh)
{
    int day = pl->month_start[m];
    memset(a->pool_beds, 0, sizeof a->pool_beds);
    memset(a->households, 0, sizeof a->households);
    for (int k = 0; k < pl->npool; k++) {
        const pool *x = &pl->pools[k];
        bool open = x->from <= day && (x->to == SCN_NEVER || day < x->to);
        if (!open) {
            hh[k] = x->from > day ? x->households : 0;
            continue;
        }
        if (m > 0 && x->from < day) {
            rng_stream(g, seed, (uint64_t)replicate, RNG_PLACEMENTS, (uint64_t)k, (uint64_t)m);
            unsigned int n = (unsigned int)floor(hh[k]);
            double frac = hh[k] - n;
            double q = 1 - pow(1 - x->deregistration, 1.0 / 12);
            double left = gsl_ran_binomial(rng_gsl(g), q, n);
            if (frac > 0 && rng_uniform(g) < q)
                left += frac;
            hh[k] -= left;
            hh[k] += gsl_ran_poisson(rng_gsl(g), x->recruitment / 12);
        }
        double beds = floor(hh[k] * x->per_household + 0.5);
        a->households[x->state] += hh[k];
        a->pool_beds[x->state] += beds;
        if (m == 0 && x->from <= day) /* fill limit on the start date */
            a->fill[x->state][SCN_IN_HOUSE] += isnan(x->occupied) ? beds : x->occupied;
    }
}

/* At the start of month m: children in spot placements move into free beds of their
 * need. */
static void step_down(alloc *a, int m)
{
    double t = a->pl->month_start[m];
    placement_work *w = a->w;
    const placement *pl = a->pl;
    for (int gi = 0; gi < pl->G - 1; gi++) {
        int s = pl->group_state[gi];
        int64_t *list = w->ext + (size_t)gi * w->order_cap, kept = 0;
        for (int64_t j = 0; j < w->ext_n[gi]; j++) {
            int64_t i = list[j];
            stay *x = &w->stays[i];
            if (x->end <= t || x->provider != SCN_EXTERNAL)
                continue;
            int p = bed_free(a, s, SCN_IN_HOUSE) ? SCN_IN_HOUSE
                    : bed_free(a, s, SCN_BLOCK)  ? SCN_BLOCK
                                                 : -1;
            if (p < 0) {
                list[kept++] = i;
                continue;
            }
            close_segment(a, i, t);
            a->occ[s][SCN_EXTERNAL] -= 1;
            a->occ[s][p] += 1;
            x->provider = p;
            a->month[((size_t)m * pl->G + gi) * PL_NMEASURES + PL_STEP_DOWNS] += 1;
            a->month[((size_t)m * pl->G + pl->G - 1) * PL_NMEASURES + PL_STEP_DOWNS] += 1;
        }
        w->ext_n[gi] = kept;
    }
}

/* Month-end measures of every need and all needs. */
static void month_end(alloc *a, int m)
{
    const placement *pl = a->pl;
    int G = pl->G, K = PL_NMEASURES;
    double *all = a->month + ((size_t)m * G + G - 1) * K;
    for (int gi = 0; gi < G - 1; gi++) {
        int s = pl->group_state[gi];
        double *o = a->month + ((size_t)m * G + gi) * K;
        double in = a->occ[s][SCN_IN_HOUSE], bl = a->occ[s][SCN_BLOCK];
        double ex = a->occ[s][SCN_EXTERNAL];
        double bin = beds_of(a, s, SCN_IN_HOUSE), bbl = beds_of(a, s, SCN_BLOCK);
        if (bin >= UNLIMITED)
            bin = in; /* unlimited: shown as the beds used */
        if (bbl >= UNLIMITED)
            bbl = bl;
        o[PL_DEMAND] = in + bl + ex;
        o[PL_IN_HOUSE] = in;
        o[PL_BLOCK] = bl;
        o[PL_EXTERNAL] = ex;
        o[PL_BEDS_IN_HOUSE] = bin;
        o[PL_BEDS_BLOCK] = bbl;
        o[PL_FREE_BEDS] = fmax(0, bin - in) + fmax(0, bbl - bl);
        o[PL_GAP] = fmax(0, o[PL_DEMAND] - bin - bbl);
        o[PL_HOUSEHOLDS] = a->households[s];
        for (int k = PL_DEMAND; k <= PL_HOUSEHOLDS; k++)
            all[k] += o[k];
    }
}

/* Grows the work area's index arrays to hold n stays and `npool` pools (they only ever
 * grow, so a thread's replicates after the first allocate nothing). */
static void work_reserve(placement_work *w, int64_t n, int G, int npool)
{
    if (n > w->order_cap) {
        int64_t cap = n > 2 * w->order_cap ? n : 2 * w->order_cap;
        free(w->order);
        free(w->heap);
        free(w->ext);
        w->order = malloc(sizeof *w->order * (size_t)cap);
        w->heap = malloc(sizeof *w->heap * (size_t)cap);
        w->ext = malloc(sizeof *w->ext * (size_t)cap * (size_t)G);
        w->order_cap = cap;
    }
    if (npool > w->npool_cap) {
        free(w->households);
        w->households = malloc(sizeof *w->households * (size_t)npool);
        w->npool_cap = npool;
    }
    if (!w->order || !w->heap || !w->ext || (npool > 0 && !w->households))
        abort(); /* out of memory inside a replicate: nothing sensible to continue with */
}

void placement_replicate(const placement *pl, placement_work *w, uint64_t seed, int replicate,
                         rng *g, double *month_out, double *year_out)
{
    int M = pl->M, G = pl->G, K = PL_NMEASURES;
    memset(month_out, 0, sizeof *month_out * (size_t)M * G * K);
    int64_t n = w->n;
    work_reserve(w, n > 0 ? n : 1, G, pl->npool);
    double *hh = w->households;
    alloc state, *a = &state;
    memset(a, 0, sizeof *a);
    a->pl = pl;
    a->w = w;
    a->t0 = pl->month_start[0];
    a->tend = pl->month_start[M];
    a->month = month_out;
    w->nheap = 0;
    w->nseg = 0;
    memset(w->ext_n, 0, sizeof *w->ext_n * (size_t)(G - 1));
    /* the looked-after stays in start order; other states' stays are segments as they are */
    int64_t nla = 0;
    for (int64_t i = 0; i < n; i++) {
        stay *x = &w->stays[i];
        if (pl->group_of[x->state] >= 0) {
            w->order[nla++] = i;
        } else {
            x->provider = SCN_IN_HOUSE;
            close_segment(a, i, x->end);
        }
    }
    qsort_r(w->order, (size_t)nla, sizeof *w->order, by_start, w->stays);
    for (int k = 0; k < pl->npool; k++)
        hh[k] = pl->pools[k].households;
    int64_t next = 0;
    for (int m = 0; m < M; m++) {
        double ta = pl->month_start[m], tb = pl->month_start[m + 1];
        pools_month(a, pl, m, seed, replicate, g, hh);
        apply_events(a, ta, false);
        release(a, ta, false);
        if (pl->step_down && m > 0)
            step_down(a, m);
        for (; next < nla; next++) {
            int64_t i = w->order[next];
            stay *x = &w->stays[i];
            if (x->start >= tb)
                break;
            double t = fmax(x->start, ta);
            release(a, t, false);
            apply_events(a, t, false);
            int recorded = MODEL_PROVIDER_UNKNOWN;
            if (x->initial >= 0) {
                int st;
                double since;
                sim_initial_child(w->s, x->initial, &st, &since, &recorded);
            }
            int p = choose(a, x, recorded);
            x->provider = p;
            a->occ[x->state][p] += 1;
            heap_push(w, i);
            int gi = pl->group_of[x->state];
            if (p == SCN_EXTERNAL)
                w->ext[(size_t)gi * w->order_cap + w->ext_n[gi]++] = i;
            if (x->initial < 0) {
                double *o = month_out + ((size_t)m * G + gi) * K;
                double *all = month_out + ((size_t)m * G + G - 1) * K;
                o[PL_STARTS] += 1;
                all[PL_STARTS] += 1;
                if (p == SCN_EXTERNAL) {
                    o[PL_OVERFLOW] += 1;
                    all[PL_OVERFLOW] += 1;
                }
            }
        }
        release(a, tb, true);
        apply_events(a, tb, true);
        month_end(a, m);
    }
    while (w->nheap > 0) { /* stays open at the horizon */
        int64_t i = heap_pop(w);
        close_segment(a, i, w->stays[i].end);
    }
    layer_rollup(pl->years, placement_measures, G, K, month_out, year_out);
}

const placement_segment *placement_segments(const placement_work *w, int64_t *n)
{
    *n = w->nseg;
    return w->seg;
}
