/* workforce.c -- the monthly workforce stock-flow of every team (method in workforce.h).
 *
 * Everything that does not depend on the replicate is prepared once per scenario in
 * workforce_alloc(): each team's starting staff and posts, its share of the NQ intake,
 * and a table of the values in force each month (dated changes resolved), with the month's
 * weekdays, pay index and financial year. A replicate then only walks months and teams. Recruitment
 * is decided council-wide between two passes over the teams: the month's capacity goes, one post at
 * a time, to the team with the largest share of its posts open and not yet being filled, so a small
 * team is not starved by a fixed share of a small capacity.
 */
#include "workforce.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

#include "date.h"
#include "layer.h"

const layer_measure workforce_measures[WF_NMEASURES] = {
    {"cases", "weighted cases held at the end of the month", "weighted cases", false},
    {"fte_needed",
     "FTE needed to hold the target caseload (weighted cases / target / (1 - "
     "absence))",
     "FTE", false},
    {"posts", "establishment: funded case-holding posts", "FTE", false},
    {"fte_permanent", "permanent social workers in post (beyond their first year)", "FTE", false},
    {"fte_nq", "newly qualified social workers in their first year", "FTE", false},
    {"fte_agency", "agency social workers", "FTE", false},
    {"fte_in_post", "social workers in post: permanent, newly qualified and agency", "FTE", false},
    {"vacancy_rate", "posts not filled by permanent or newly qualified staff", "% of posts", false},
    {"agency_share", "agency social workers", "% of FTE in post", false},
    {"caseload",
     "weighted cases per available FTE (in post, less absence; newly qualified "
     "at their reduced caseload)",
     "weighted cases per FTE", false},
    {"cost", "staffing cost: salaries with on-costs, and agency day rates", "pounds", true},
    {"leavers", "permanent and newly qualified FTE leaving", "FTE", true},
    {"starters",
     "FTE starting permanent or newly qualified posts (recruits, agency "
     "conversions, newly qualified intake)",
     "FTE", true},
};

/* Values in force in one month (council-wide unless per team). */
typedef struct wf_month {
    double turnover[MD_MAX_TEAMS]; /* annual */
    double capacity;               /* council-wide posts advertised a month (INFINITY: all) */
    double agency_cap, conversion;
    double pay_index; /* (1 + pay_inflation)^(1 Aprils passed) */
    int weekdays;
    int year; /* financial-year index */
    bool nq;  /* the NQ intake starts this month */
} wf_month;

/* A team's starting point. */
typedef struct wf_team {
    bool holds[MD_MAX];
    double weight[MD_MAX];
    double target, turnover;
    double permanent, agency, vacant; /* on the start date */
    double posts0;                    /* fixed posts: permanent + vacant */
    double posts_start;               /* posts on the start date (fixed, or FTE needed) */
    double agency_extra;              /* starting agency beyond the vacancies it covered */
    double nq_intake;                 /* this team's share of the yearly intake */
} wf_team;

struct workforce {
    scn_workforce w; /* council values (changes not used after preparation) */
    int S, T, G, M;
    wf_team team[MD_MAX_TEAMS];
    wf_month *month; /* [M] */
    layer_years *years;
    double initial_caseload[MD_MAX_TEAMS]; /* feeds month 0's turnover response */
    double target_all;
};

/* Weighted cases of a team from children by state. */
static double weighted_cases(const workforce *wf, const wf_team *t, const int32_t *stock)
{
    double sum = 0;
    for (int s = 0; s < wf->S; s++)
        if (t->holds[s])
            sum += t->weight[s] * stock[s];
    return sum;
}

/* Available FTE: in post, newly qualified at their reduced caseload, less absence. */
static double available(const workforce *wf, double permanent, double nq, double agency)
{
    return (permanent + wf->w.nq_caseload * nq + agency) * (1 - wf->w.absence_rate);
}

/* Monday to Friday days in [day0, day1); day 0 (1970-01-01) was a Thursday. */
static int weekdays(int day0, int day1)
{
    int n = 0;
    for (int d = day0; d < day1; d++)
        n += ((d % 7) + 7 + 3) % 7 < 5;
    return n;
}

/* Splits `total` over teams in proportion to `weight` (equally if every weight is 0),
 * among the teams whose own value `own` is NAN; a team's own value is kept. */
static void share(const double *own, const double *weight, int T, double total, double *out)
{
    double sum = 0;
    int n = 0;
    for (int t = 0; t < T; t++)
        if (isnan(own[t])) {
            sum += weight[t];
            n++;
        }
    for (int t = 0; t < T; t++)
        out[t] = !isnan(own[t]) ? own[t] : sum > 0 ? total * weight[t] / sum : total / n;
}

workforce *workforce_alloc(const modeldef *def, const scn_workforce *w, const int *month_start,
                           int M, const int32_t *initial_stock, cc_err *err, int *status)
{
    workforce *wf = calloc(1, sizeof *wf);
    if (wf) {
        wf->month = calloc((size_t)M, sizeof *wf->month);
        wf->years = layer_years_alloc(month_start, M);
    }
    if (!wf || !wf->month || !wf->years) {
        workforce_free(wf);
        *status = cc_fail(err, CC_ENOMEM, "out of memory preparing the workforce");
        return NULL;
    }
    wf->w = *w;
    wf->w.changes = NULL;
    wf->S = def->nstates;
    wf->T = def->nteams;
    wf->G = def->nteams + 1;
    wf->M = M;
    int T = wf->T;
    double need[MD_MAX_TEAMS] = {0}, own_p[MD_MAX_TEAMS] = {0}, own_a[MD_MAX_TEAMS] = {0},
           own_v[MD_MAX_TEAMS] = {0};
    double cases_all = 0, need_all = 0;
    for (int t = 0; t < T; t++) {
        wf_team *x = &wf->team[t];
        const scn_team *st = &w->team[t];
        memcpy(x->holds, def->teams[t].holds, sizeof x->holds);
        memcpy(x->weight, st->weight, sizeof x->weight);
        x->target = st->target_caseload;
        x->turnover = isnan(st->turnover) ? w->turnover : st->turnover;
        double cases = weighted_cases(wf, x, initial_stock);
        need[t] = cases / x->target / (1 - w->absence_rate);
        cases_all += cases;
        need_all += need[t];
        own_p[t] = st->permanent_fte;
        own_a[t] = st->agency_fte;
        own_v[t] = st->vacancy_fte;
    }
    wf->target_all = need_all > 0 ? cases_all / need_all / (1 - w->absence_rate) : NAN;
    double perm[MD_MAX_TEAMS] = {0}, agency[MD_MAX_TEAMS] = {0}, vacant[MD_MAX_TEAMS] = {0},
           posts[MD_MAX_TEAMS] = {0};
    share(own_p, need, T, w->permanent_fte, perm);
    share(own_a, need, T, w->agency_fte, agency);
    share(own_v, need, T, w->vacancy_fte, vacant);
    double posts_all = 0;
    for (int t = 0; t < T; t++) {
        wf_team *x = &wf->team[t];
        x->permanent = perm[t];
        x->agency = agency[t];
        x->vacant = vacant[t];
        x->posts0 = perm[t] + vacant[t];
        x->agency_extra = fmax(0, agency[t] - w->agency_cover * vacant[t]);
        posts[t] = w->demand_led ? need[t] : x->posts0;
        x->posts_start = posts[t];
        posts_all += posts[t];
        double cases = weighted_cases(wf, x, initial_stock);
        double avail = available(wf, perm[t], 0, agency[t]);
        wf->initial_caseload[t] = avail > 0 ? cases / avail : 0;
    }
    /* the NQ intake is shared by posts on the start date */
    for (int t = 0; t < T; t++)
        wf->team[t].nq_intake = w->nq_intake * (posts_all > 0 ? posts[t] / posts_all : 1.0 / T);
    int fy0 = layer_financial_year(month_start[0]);
    for (int m = 0; m < M; m++) {
        wf_month *x = &wf->month[m];
        int day = month_start[m];
        double cap = w->recruitment_per_month, turnover = NAN;
        x->agency_cap = w->agency_cap;
        x->conversion = w->agency_conversion;
        for (int k = 0; k < w->nchanges; k++) {
            const scn_staffing_change *c = &w->changes[k];
            if (day < c->when.start || (c->when.end != SCN_NEVER && day >= c->when.end))
                continue;
            if (!isnan(c->turnover))
                turnover = c->turnover;
            if (!isnan(c->recruitment_per_month))
                cap = c->recruitment_per_month;
            if (!isnan(c->agency_cap))
                x->agency_cap = c->agency_cap;
            if (!isnan(c->agency_conversion))
                x->conversion = c->agency_conversion;
        }
        for (int t = 0; t < T; t++)
            x->turnover[t] = isnan(turnover) ? wf->team[t].turnover : turnover;
        x->capacity = cap;
        x->year = wf->years->year[m];
        x->pay_index = pow(1 + w->pay_inflation, layer_financial_year(day) - fy0);
        x->weekdays = weekdays(day, month_start[m + 1]);
        int y, mm, d;
        date_to_ymd(day, &y, &mm, &d);
        x->nq = mm == w->nq_month && w->nq_intake > 0;
    }
    *status = CC_OK;
    return wf;
}

void workforce_free(workforce *wf)
{
    if (!wf)
        return;
    free(wf->month);
    layer_years_free(wf->years);
    free(wf);
}

int workforce_ngroups(const workforce *wf)
{
    return wf->G;
}

int workforce_nyears(const workforce *wf)
{
    return wf->years->Y;
}

const char *workforce_year_label(const workforce *wf, int y)
{
    return wf->years->label[y];
}

int workforce_year_months(const workforce *wf, int y)
{
    return wf->years->months[y];
}

double workforce_target(const workforce *wf, int g)
{
    return g < wf->T ? wf->team[g].target : wf->target_all;
}

/* FTE of `x` that leave (or move) with probability p: whole FTE one by one, and the
 * fraction as one, so the expected number is exactly x p. */
static double thin(rng *g, double x, double p)
{
    if (x <= 0 || p <= 0)
        return 0;
    if (p >= 1)
        return x;
    double whole = floor(x), frac = x - whole;
    double n = whole > 0 ? gsl_ran_binomial(rng_gsl(g), p, (unsigned)whole) : 0;
    if (frac > 0 && rng_uniform(g) < p)
        n += frac;
    return n;
}

/* One team's running state. */
typedef struct wf_run {
    double permanent, nq, agency, caseload;
    double cases, needed, posts, open, leavers, starters; /* this month's */
    double *pipeline; /* [M + lag] recruits starting in each month */
} wf_run;

/* Steps 1-6 of the month for one team (see workforce.h). */
static void month_first(const workforce *wf, const wf_month *mo, int t, int m, const int32_t *stock,
                        rng *g, wf_run *r)
{
    const scn_workforce *w = &wf->w;
    const wf_team *x = &wf->team[t];
    /* 1. turnover, raised by last month's caseload above the threshold */
    double turnover = mo->turnover[t];
    if (w->turnover_threshold > 0 && r->caseload > w->turnover_threshold)
        turnover = fmin(
            1, turnover * (1 + w->turnover_elasticity * (r->caseload / w->turnover_threshold - 1)));
    double p = 1 - pow(1 - turnover, 1.0 / 12);
    double leave_p = thin(g, r->permanent, p), leave_nq = thin(g, r->nq, p);
    r->permanent -= leave_p;
    r->nq -= leave_nq;
    r->leavers = leave_p + leave_nq;
    /* 2. agency staff taking permanent posts, as far as last month's posts are vacant */
    double conv = thin(g, r->agency, 1 - pow(1 - mo->conversion, 1.0 / 12));
    conv = fmin(conv, fmax(0, r->posts - r->permanent - r->nq));
    r->permanent += conv;
    r->starters = conv;
    /* 3. newly qualified: last year's become permanent, this year's start */
    if (mo->nq) {
        r->permanent += r->nq;
        r->nq = x->nq_intake;
        r->starters += x->nq_intake;
    }
    /* 4. recruits advertised `lag` months ago */
    r->permanent += r->pipeline[m];
    r->starters += r->pipeline[m];
    /* 5-6. cases, FTE needed, posts; posts open and not already being filled */
    r->cases = weighted_cases(wf, x, stock);
    r->needed = r->cases / x->target / (1 - w->absence_rate);
    r->posts = w->demand_led ? r->needed : x->posts0;
    double coming = 0;
    for (int k = m + 1; k <= m + w->recruitment_lag; k++)
        coming += r->pipeline[k];
    r->open = fmax(0, floor(r->posts - r->permanent - r->nq - coming + 1e-9));
}

/* Steps 7 (the team's share of advertised posts) to 10 for team t, writing its outputs
 * o[WF_NMEASURES]; adds its vacant and available FTE to *vacant_all and *avail_all. */
static void month_second(const workforce *wf, const wf_month *mo, int t, int m, double advertised,
                         rng *g, wf_run *r, double *o, double *vacant_all, double *avail_all)
{
    const scn_workforce *w = &wf->w;
    double hired = advertised > 0 && w->recruitment_fill > 0
                       ? gsl_ran_binomial(rng_gsl(g), w->recruitment_fill, (unsigned)advertised)
                       : 0;
    if (w->recruitment_lag == 0) {
        r->permanent += hired;
        r->starters += hired;
    } else {
        r->pipeline[m + w->recruitment_lag] += hired;
    }
    /* 8. agency cover of vacant posts, capped */
    double vacant = fmax(0, r->posts - r->permanent - r->nq);
    r->agency = w->agency_cover * vacant + wf->team[t].agency_extra;
    if (mo->agency_cap < 1)
        r->agency = fmin(r->agency, mo->agency_cap / (1 - mo->agency_cap) * (r->permanent + r->nq));
    /* 9-10. caseload and cost */
    double avail = available(wf, r->permanent, r->nq, r->agency);
    r->caseload = avail > 0 ? r->cases / avail : r->cases > 0 ? INFINITY : 0;
    double in_post = r->permanent + r->nq + r->agency;
    o[WF_CASES] = r->cases;
    o[WF_NEEDED] = r->needed;
    o[WF_POSTS] = r->posts;
    o[WF_PERMANENT] = r->permanent;
    o[WF_NQ] = r->nq;
    o[WF_AGENCY] = r->agency;
    o[WF_IN_POST] = in_post;
    o[WF_VACANCY_RATE] = r->posts > 0 ? 100 * vacant / r->posts : 0;
    o[WF_AGENCY_SHARE] = in_post > 0 ? 100 * r->agency / in_post : 0;
    o[WF_CASELOAD] = r->caseload;
    o[WF_COST] = ((r->permanent * w->salary + r->nq * w->nq_salary) * (1 + w->oncost) / 12 +
                  r->agency * w->agency_day_rate * mo->weekdays) *
                 mo->pay_index;
    o[WF_LEAVERS] = r->leavers;
    o[WF_STARTERS] = r->starters;
    *vacant_all += vacant;
    *avail_all += avail;
}

/* Step 7, council-wide: how many posts each team advertises this month. With a limited
 * capacity (fractions carry over in *credit, but at most one post's worth, so capacity
 * unused for want of open posts is not banked) posts go one at a time to the team with
 * the largest share of its posts open. */
static void recruit(const workforce *wf, const wf_month *mo, const wf_run *run, double *credit,
                    double *advertised)
{
    int T = wf->T;
    double open_all = 0;
    for (int t = 0; t < T; t++) {
        advertised[t] = 0;
        open_all += run[t].open;
    }
    if (isinf(mo->capacity)) {
        for (int t = 0; t < T; t++)
            advertised[t] = run[t].open;
        return;
    }
    *credit += mo->capacity;
    double n = fmin(open_all, floor(*credit + 1e-9));
    *credit = fmin(*credit - n, 1); /* unused capacity is not banked */
    for (; n > 0; n--) {
        int best = -1;
        double most = 0;
        for (int t = 0; t < T; t++) {
            double left = run[t].open - advertised[t];
            double share_open = left / fmax(run[t].posts, 1);
            if (left >= 1 && (best < 0 || share_open > most)) {
                best = t;
                most = share_open;
            }
        }
        if (best < 0)
            break;
        advertised[best] += 1;
    }
}

void workforce_replicate(const workforce *wf, const int32_t *stock, uint64_t seed, int replicate,
                         rng *g, double *month_out, double *year_out)
{
    int T = wf->T, G = wf->G, M = wf->M, K = WF_NMEASURES;
    /* recruits by start month; horizons are at most 600 months and lags 24 */
    double pipe[MD_MAX_TEAMS][640];
    wf_run run[MD_MAX_TEAMS];
    for (int t = 0; t < T; t++) {
        memset(&run[t], 0, sizeof run[t]);
        run[t].permanent = wf->team[t].permanent;
        run[t].agency = wf->team[t].agency;
        run[t].caseload = wf->initial_caseload[t];
        run[t].posts = wf->team[t].posts_start;
        run[t].pipeline = pipe[t];
        memset(pipe[t], 0, sizeof pipe[t]);
    }
    double credit = 0, advertised[MD_MAX_TEAMS];
    for (int m = 0; m < M; m++) {
        const wf_month *mo = &wf->month[m];
        const int32_t *st = stock + (size_t)m * wf->S;
        /* each team's draws come from its own stream: (team, 2 month) before the
         * recruitment decision, (team, 2 month + 1) after it */
        for (int t = 0; t < T; t++) {
            rng_stream(g, seed, (uint64_t)replicate, RNG_WORKFORCE, (uint64_t)t, 2 * (uint64_t)m);
            month_first(wf, mo, t, m, st, g, &run[t]);
        }
        recruit(wf, mo, run, &credit, advertised);
        double *all = month_out + ((size_t)m * G + T) * K;
        memset(all, 0, sizeof *all * (size_t)K);
        double vacant_all = 0, avail_all = 0;
        for (int t = 0; t < T; t++) {
            double *o = month_out + ((size_t)m * G + t) * K;
            rng_stream(g, seed, (uint64_t)replicate, RNG_WORKFORCE, (uint64_t)t,
                       2 * (uint64_t)m + 1);
            month_second(wf, mo, t, m, advertised[t], g, &run[t], o, &vacant_all, &avail_all);
            for (int k = 0; k < K; k++)
                all[k] += o[k]; /* the ratios are replaced below */
        }
        all[WF_VACANCY_RATE] = all[WF_POSTS] > 0 ? 100 * vacant_all / all[WF_POSTS] : 0;
        all[WF_AGENCY_SHARE] = all[WF_IN_POST] > 0 ? 100 * all[WF_AGENCY] / all[WF_IN_POST] : 0;
        all[WF_CASELOAD] = avail_all > 0       ? all[WF_CASES] / avail_all
                           : all[WF_CASES] > 0 ? INFINITY
                                               : 0;
    }
    /* financial years: flows summed, the rest averaged over the year's months */
    layer_rollup(wf->years, workforce_measures, G, K, month_out, year_out);
}
