/* finance.c -- unit costs, budgets and the exact pricing of stays (method in finance.h).
 *
 * finance_alloc() reads the cost rows and builds one grid of price breakpoints for the
 * scenario: every month start, every cost row's date, and the start and end of every
 * cost change and service inside the horizon. Between two breakpoints every price is
 * constant, so a table [state][provider][piece] of daily prices, filled once, prices a
 * stay by walking the pieces it covers.
 */
#include "finance.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvfile.h"
#include "date.h"
#include "util.h"

const layer_measure finance_measures[FIN_NMEASURES] = {
    {"cost", "cost: placements and support priced by the day, staffing and services",
     "pounds", true},
};

/* A unit cost from a date. */
typedef struct cost_row {
    int state, provider; /* provider: SCN_IN_HOUSE for states that are not placements */
    int from;
    double weekly, inflation;
    long line;
} cost_row;

/* A budget row before the lines are known. */
typedef struct budget_row {
    int fy; /* calendar year the financial year starts in */
    char line[64];
    double budget;
    long line_no;
} budget_row;

struct finance {
    const modeldef *def;
    int S, M, L, Y;
    const scn_placements *p;
    layer_years *years;
    int *month_start;
    int nrow;
    cost_row *rows;
    bool has_cost[MD_MAX];
    bool staffing;
    char budget_path[1024];
    int nbudget;
    budget_row *budget_rows;
    double *budget; /* [Y][L] */
    /* price pieces */
    int P;
    double *at;     /* [P + 1] breakpoints */
    int *month;     /* [P] month of each piece */
    double *price;  /* [S][SCN_NPROVIDERS][P] daily price */
    double *service; /* [nservice][P] daily cost */
    int line_of[MD_MAX];                  /* line of each state's stays, -1: none */
    int staffing_line, total_line;
    int service_line[FIN_MAX_LINES];
};

/* ---- reading ----------------------------------------------------------------------- */

static bool parse_number(const csvfile *f, int col, const char *name, double lo, double hi,
                         double *out, problems *p)
{
    const char *text = csvfile_field(f, col);
    if (!util_parse_double(text, out) || !isfinite(*out) || *out < lo || *out > hi) {
        problems_add(p, PROBLEM_ERROR, csvfile_path(f), csvfile_line(f), name,
                     "'%s': expected a number from %g to %g%s", text, lo, hi,
                     *text == '-' ? " (a negative cost is not allowed)" : "");
        return false;
    }
    return true;
}

static int read_costs(finance *fin, const char *path, problems *pr)
{
    const modeldef *d = fin->def;
    long before = problems_errors(pr);
    csvfile *f = csvfile_open(path, pr);
    if (!f)
        return CC_EINPUT;
    static const char *const cols[] = {"item", "weekly_cost"};
    int idx[2];
    if (!csvfile_require(f, cols, 2, idx, pr)) {
        csvfile_close(f);
        return CC_EINPUT;
    }
    int c_provider = csvfile_column(f, "provider"), c_from = csvfile_column(f, "from");
    int c_infl = csvfile_column(f, "inflation");
    while (csvfile_next(f, pr) == 1) {
        long line = csvfile_line(f);
        const char *item = csvfile_field(f, idx[0]);
        int s = modeldef_need_state(d, item);
        if (s < 0)
            s = modeldef_state_index(d, item);
        if (s < 0) {
            const char *cands[MD_MAX];
            for (int k = 0; k < d->nstates; k++)
                cands[k] = d->states[k].looked_after ? d->states[k].need : d->states[k].name;
            problems_add(pr, PROBLEM_ERROR, path, line, "item",
                         "unknown item '%s'; did you mean '%s'? (expected a placement need or a "
                         "state of model '%s')",
                         item, cands[util_nearest(item, cands, d->nstates)], d->name);
            continue;
        }
        bool is_placement = d->states[s].looked_after;
        const char *prov = csvfile_field(f, c_provider);
        int p0 = 0, p1 = is_placement ? SCN_NPROVIDERS - 1 : 0;
        if (*prov && strcasecmp(prov, "all")) {
            int k = -1;
            for (int q = 0; q < SCN_NPROVIDERS; q++)
                if (!strcasecmp(prov, scn_provider_names[q]))
                    k = q;
            if (k < 0 || !is_placement) {
                problems_add(pr, PROBLEM_ERROR, path, line, "provider", "'%s': expected %s", prov,
                             is_placement ? "in_house, block, external, all or empty (all)"
                                       : "empty: a state that is not a placement has no provider");
                continue;
            }
            p0 = p1 = k;
        }
        cost_row r = {s, 0, fin->month_start[0], 0, 0, line};
        const char *from = csvfile_field(f, c_from);
        if (*from && !date_parse(from, &r.from)) {
            problems_add(pr, PROBLEM_ERROR, path, line, "from",
                         "'%s': expected the date the cost applies from, YYYY-MM-DD", from);
            continue;
        }
        if (!parse_number(f, idx[1], "weekly_cost", 0, 1e7, &r.weekly, pr))
            continue;
        if (*csvfile_field(f, c_infl) &&
            !parse_number(f, c_infl, "inflation", -0.5, 1, &r.inflation, pr))
            continue;
        for (int q = p0; q <= p1; q++) {
            r.provider = q;
            for (int k = 0; k < fin->nrow; k++) {
                const cost_row *o = &fin->rows[k];
                if (o->state == s && o->provider == q && o->from == r.from)
                    problems_add(pr, PROBLEM_ERROR, path, line, "from",
                                 "'%s' %s from %s: overlaps line %ld, which prices the same "
                                 "item and provider from the same date",
                                 item, scn_provider_names[q], *from ? from : "(the start)",
                                 o->line);
            }
            cost_row *grown = realloc(fin->rows, sizeof *grown * (size_t)(fin->nrow + 1));
            if (!grown) {
                csvfile_close(f);
                return CC_ENOMEM;
            }
            fin->rows = grown;
            fin->rows[fin->nrow++] = r;
        }
        fin->has_cost[s] = true;
    }
    csvfile_close(f);
    return problems_errors(pr) > before ? CC_EINPUT : CC_OK;
}

/* "2025-26" (or "2025/26") -> 2025; -1 if not a financial year. */
static int parse_year(const char *text)
{
    int a, b;
    char sep, extra;
    if (sscanf(text, "%d%c%d%c", &a, &sep, &b, &extra) != 3 || (sep != '-' && sep != '/') ||
        a < 1900 || a > 2200 || (b != (a + 1) % 100 && b != a + 1))
        return -1;
    return a;
}

static int read_budget(finance *fin, const char *path, problems *pr)
{
    long before = problems_errors(pr);
    csvfile *f = csvfile_open(path, pr);
    if (!f)
        return CC_EINPUT;
    static const char *const cols[] = {"year", "budget"};
    int idx[2];
    if (!csvfile_require(f, cols, 2, idx, pr)) {
        csvfile_close(f);
        return CC_EINPUT;
    }
    int c_line = csvfile_column(f, "line");
    while (csvfile_next(f, pr) == 1) {
        budget_row b;
        memset(&b, 0, sizeof b);
        b.line_no = csvfile_line(f);
        const char *year = csvfile_field(f, idx[0]);
        b.fy = parse_year(year);
        if (b.fy < 0) {
            problems_add(pr, PROBLEM_ERROR, path, b.line_no, "year",
                         "'%s': expected a financial year such as 2025-26", year);
            continue;
        }
        const char *line = csvfile_field(f, c_line);
        util_copy(b.line, *line ? line : "total", sizeof b.line);
        if (!parse_number(f, idx[1], "budget", 0, 1e12, &b.budget, pr))
            continue;
        budget_row *grown = realloc(fin->budget_rows, sizeof *grown * (size_t)(fin->nbudget + 1));
        if (!grown) {
            csvfile_close(f);
            return CC_ENOMEM;
        }
        fin->budget_rows = grown;
        fin->budget_rows[fin->nbudget++] = b;
    }
    csvfile_close(f);
    return problems_errors(pr) > before ? CC_EINPUT : CC_OK;
}

/* ---- prices ------------------------------------------------------------------------ */

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double finance_daily_price(const finance *f, int state, int provider, int day)
{
    const cost_row *best = NULL, *first = NULL;
    for (int k = 0; k < f->nrow; k++) {
        const cost_row *r = &f->rows[k];
        if (r->state != state || r->provider != provider)
            continue;
        if (!first || r->from < first->from)
            first = r;
        if (r->from <= day && (!best || r->from > best->from))
            best = r;
    }
    if (!best)
        best = first;
    if (!best)
        return 0;
    int aprils = layer_financial_year(day) - layer_financial_year(best->from);
    double price = best->weekly / 7 * pow(1 + best->inflation, aprils > 0 ? aprils : 0);
    for (int k = 0; k < f->p->ncost; k++) {
        const scn_cost_change *c = &f->p->cost_changes[k];
        if (c->item == state && (c->provider < 0 || c->provider == provider) &&
            c->when.start <= day && (c->when.end == SCN_NEVER || day < c->when.end))
            price *= c->multiplier;
    }
    return price;
}

/* Days in the financial year containing `day`. */
static int year_days(int day)
{
    int fy = layer_financial_year(day);
    return date_from_ymd(fy + 1, 4, 1) - date_from_ymd(fy, 4, 1);
}

static int build_pieces(finance *f)
{
    const scn_placements *p = f->p;
    int M = f->M, t0 = f->month_start[0], tend = f->month_start[M];
    int cap = M + 1 + f->nrow + 2 * (p->ncost + p->nservice);
    double *b = malloc(sizeof *b * (size_t)cap);
    if (!b)
        return CC_ENOMEM;
    int n = 0;
    for (int m = 0; m <= M; m++)
        b[n++] = f->month_start[m];
    for (int k = 0; k < f->nrow; k++)
        b[n++] = f->rows[k].from;
    for (int k = 0; k < p->ncost; k++) {
        b[n++] = p->cost_changes[k].when.start;
        if (p->cost_changes[k].when.end != SCN_NEVER)
            b[n++] = p->cost_changes[k].when.end;
    }
    for (int k = 0; k < p->nservice; k++) {
        b[n++] = p->services[k].when.start;
        if (p->services[k].when.end != SCN_NEVER)
            b[n++] = p->services[k].when.end;
    }
    qsort(b, (size_t)n, sizeof *b, by_value);
    int u = 0;
    for (int k = 0; k < n; k++)
        if (b[k] >= t0 && b[k] <= tend && (u == 0 || b[k] != b[u - 1]))
            b[u++] = b[k];
    f->P = u - 1;
    f->at = b;
    f->month = malloc(sizeof *f->month * (size_t)(f->P > 0 ? f->P : 1));
    f->price = calloc((size_t)f->S * SCN_NPROVIDERS * (f->P > 0 ? f->P : 1), sizeof *f->price);
    f->service = calloc((size_t)(p->nservice > 0 ? p->nservice : 1) * (f->P > 0 ? f->P : 1),
                        sizeof *f->service);
    if (!f->month || !f->price || !f->service)
        return CC_ENOMEM;
    int m = 0;
    for (int k = 0; k < f->P; k++) {
        int day = (int)b[k];
        while (m + 1 < M && f->month_start[m + 1] <= day)
            m++;
        f->month[k] = m;
        for (int s = 0; s < f->S; s++)
            for (int q = 0; q < SCN_NPROVIDERS; q++)
                if (f->has_cost[s])
                    f->price[((size_t)s * SCN_NPROVIDERS + q) * f->P + k] =
                        finance_daily_price(f, s, q, day);
        for (int j = 0; j < p->nservice; j++) {
            const scn_service *sv = &p->services[j];
            if (sv->when.start <= day && (sv->when.end == SCN_NEVER || day < sv->when.end))
                f->service[(size_t)j * f->P + k] =
                    sv->annual_cost / year_days(day) *
                    pow(1 + sv->inflation, layer_financial_year(day) - layer_financial_year(t0));
        }
    }
    return CC_OK;
}

/* ---- lines ------------------------------------------------------------------------- */

finance *finance_alloc(const modeldef *def, const scn_placements *p, const int *month_start,
                       int M, bool staffing, problems *pr)
{
    finance *f = calloc(1, sizeof *f);
    int status = f ? CC_OK : CC_ENOMEM;
    if (f) {
        f->def = def;
        f->S = def->nstates;
        f->M = M;
        f->p = p;
        f->staffing = staffing;
        f->years = layer_years_alloc(month_start, M);
        f->month_start = malloc(sizeof *f->month_start * (size_t)(M + 1));
        if (!f->years || !f->month_start)
            status = CC_ENOMEM;
        else
            memcpy(f->month_start, month_start, sizeof *f->month_start * (size_t)(M + 1));
    }
    /* a problem in one file does not stop the others being read (and the budget's line
     * names being checked by finance_set_lines): every problem is reported at once, and
     * the run refuses to start when there is any */
    if (status == CC_OK && read_costs(f, p->costs, pr) == CC_ENOMEM)
        status = CC_ENOMEM;
    if (status == CC_OK && p->budget[0]) {
        util_copy(f->budget_path, p->budget, sizeof f->budget_path);
        if (read_budget(f, p->budget, pr) == CC_ENOMEM)
            status = CC_ENOMEM;
    }
    for (int k = 0; status == CC_OK && k < p->ncost; k++)
        if (!f->has_cost[p->cost_changes[k].item])
            problems_add(pr, PROBLEM_WARNING, p->costs, 0, NULL,
                         "a cost_change multiplies the cost of %s, which has no unit cost here",
                         def->states[p->cost_changes[k].item].name);
    if (status == CC_OK)
        status = build_pieces(f);
    if (status != CC_OK) {
        if (status == CC_ENOMEM)
            problems_add(pr, PROBLEM_ERROR, p->costs, 0, NULL, "out of memory preparing costs");
        finance_free(f);
        return NULL;
    }
    return f;
}

void finance_free(finance *f)
{
    if (!f)
        return;
    layer_years_free(f->years);
    free(f->month_start);
    free(f->rows);
    free(f->budget_rows);
    free(f->budget);
    free(f->at);
    free(f->month);
    free(f->price);
    free(f->service);
    free(f);
}

void finance_cost_states(const finance *f, bool *mark)
{
    for (int s = 0; s < f->S; s++)
        mark[s] = mark[s] || f->has_cost[s];
}

static int line_index(const finance_lines *l, const char *name)
{
    for (int i = 0; i < l->L; i++)
        if (!strcmp(l->name[i], name))
            return i;
    return -1;
}

static void add_line(finance_lines *l, const char *name, const char *label)
{
    if (l->L >= FIN_MAX_LINES - 1 || line_index(l, name) >= 0)
        return;
    util_copy(l->name[l->L], name, sizeof l->name[0]);
    util_copy(l->label[l->L], label, sizeof l->label[0]);
    l->L++;
}

void finance_lines_build(finance *const *f, int n, const modeldef *def, finance_lines *out)
{
    memset(out, 0, sizeof *out);
    char label[200];
    for (int s = 0; s < def->nstates; s++)
        if (def->states[s].looked_after) {
            snprintf(label, sizeof label, "Placements: %s", def->states[s].need);
            add_line(out, def->states[s].need, label);
        }
    for (int s = 0; s < def->nstates; s++)
        for (int i = 0; i < n; i++)
            if (f[i] && f[i]->has_cost[s] && !def->states[s].looked_after) {
                snprintf(label, sizeof label, "Support: %s", def->states[s].label);
                add_line(out, def->states[s].name, label);
            }
    for (int i = 0; i < n; i++)
        if (f[i] && f[i]->staffing)
            add_line(out, "staffing", "Social-work staffing (workforce model)");
    for (int i = 0; i < n; i++)
        for (int j = 0; f[i] && j < f[i]->p->nservice; j++) {
            char name[64];
            snprintf(name, sizeof name, "service_%s", f[i]->p->services[j].name);
            snprintf(label, sizeof label, "Service: %s", f[i]->p->services[j].label);
            add_line(out, name, label);
        }
    util_copy(out->name[out->L], "total", sizeof out->name[0]);
    util_copy(out->label[out->L], "Total", sizeof out->label[0]);
    out->L++;
}

int finance_set_lines(finance *f, const finance_lines *lines, problems *pr)
{
    const modeldef *d = f->def;
    f->L = lines->L;
    f->Y = f->years->Y;
    for (int s = 0; s < f->S; s++)
        f->line_of[s] = line_index(lines, d->states[s].looked_after ? d->states[s].need
                                                                    : d->states[s].name);
    f->staffing_line = f->staffing ? line_index(lines, "staffing") : -1;
    f->total_line = lines->L - 1;
    for (int j = 0; j < f->p->nservice; j++) {
        char name[64];
        snprintf(name, sizeof name, "service_%s", f->p->services[j].name);
        f->service_line[j] = line_index(lines, name);
    }
    if (!f->budget_path[0])
        return CC_OK;
    free(f->budget);
    f->budget = malloc(sizeof *f->budget * (size_t)f->Y * f->L);
    if (!f->budget)
        return CC_ENOMEM;
    for (int i = 0; i < f->Y * f->L; i++)
        f->budget[i] = NAN;
    long before = problems_errors(pr);
    for (int k = 0; k < f->nbudget; k++) {
        const budget_row *b = &f->budget_rows[k];
        int l = line_index(lines, b->line);
        if (l < 0) {
            const char *cands[FIN_MAX_LINES];
            for (int i = 0; i < lines->L; i++)
                cands[i] = lines->name[i];
            problems_add(pr, PROBLEM_ERROR, f->budget_path, b->line_no, "line",
                         "unknown cost line '%s'; did you mean '%s'? (lines: total, the "
                         "placement needs, states with unit costs, staffing, service_NAME)",
                         b->line, cands[util_nearest(b->line, cands, lines->L)]);
            continue;
        }
        int y = -1;
        for (int i = 0; i < f->Y; i++)
            if (f->years->first[i] == b->fy)
                y = i;
        if (y < 0) /* a year outside the run: not compared */
            continue;
        if (!isnan(f->budget[y * f->L + l]))
            problems_add(pr, PROBLEM_ERROR, f->budget_path, b->line_no, "year",
                         "a second budget for %s, line %s", f->years->label[y], b->line);
        f->budget[y * f->L + l] = b->budget;
    }
    return problems_errors(pr) > before ? CC_EINPUT : CC_OK;
}

const double *finance_budget(const finance *f)
{
    return f->budget;
}

/* ---- one replicate ----------------------------------------------------------------- */

/* First piece whose end is after t. */
static int piece_at(const finance *f, double t)
{
    int lo = 0, hi = f->P - 1;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (f->at[mid + 1] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void finance_replicate(const finance *f, const placement_segment *seg, int64_t n,
                       const double *staffing, double *month_out, double *year_out)
{
    int M = f->M, L = f->L, P = f->P;
    memset(month_out, 0, sizeof *month_out * (size_t)M * L);
    for (int64_t i = 0; i < n && P > 0; i++) {
        const placement_segment *x = &seg[i];
        int l = f->line_of[x->state];
        if (l < 0 || !f->has_cost[x->state])
            continue;
        const double *price = f->price + ((size_t)x->state * SCN_NPROVIDERS + x->provider) * P;
        for (int k = piece_at(f, x->start); k < P && f->at[k] < x->end; k++) {
            double days = fmin(x->end, f->at[k + 1]) - fmax(x->start, f->at[k]);
            if (days > 0)
                month_out[(size_t)f->month[k] * L + l] += days * price[k];
        }
    }
    for (int j = 0; j < f->p->nservice; j++)
        for (int k = 0; k < P; k++)
            month_out[(size_t)f->month[k] * L + f->service_line[j]] +=
                (f->at[k + 1] - f->at[k]) * f->service[(size_t)j * P + k];
    for (int m = 0; staffing && f->staffing_line >= 0 && m < M; m++)
        month_out[(size_t)m * L + f->staffing_line] += staffing[m];
    for (int m = 0; m < M; m++) {
        double total = 0;
        for (int l = 0; l < L - 1; l++)
            total += month_out[(size_t)m * L + l];
        month_out[(size_t)m * L + f->total_line] = total;
    }
    layer_rollup(f->years, finance_measures, L, FIN_NMEASURES, month_out, year_out);
}
