/* aggmodel.c -- fitting and projecting the aggregate model (see aggmodel.h).
 *
 * The yearly series of a council are built once per (council, level, origin) by
 * series(): log entry rate per child and log exit hazard for each year up to the origin,
 * each with the variance its Poisson counts alone would give (1/count on the log scale).
 * The pooled variances and the filter both work on these series.
 *
 * aggmodel_pool_estimate() then works in three steps, on data up to the origin only: the
 * variograms and cross-variogram of every council's series (q, eps and their
 * covariances); every council's fit at the earlier origins, whose published outcomes
 * give the damping and the common change (damping()); and those same cases projected
 * with the model, to learn the width of the intervals (calibrate()).
 */
#include "aggmodel.h"

#include <math.h>
#include <string.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define HAZARD_MIN      1e-3 /* per year: a level nobody leaves */
#define HAZARD_MAX      20.0 /* per year: a level left within days */
#define MAX_SPAN        3    /* years a hazard may be solved across when stocks are missing */
#define WINSOR          1.0  /* a change in a log parameter counts at most e-fold in the pool */
#define MIN_Q           1e-4 /* floor of the random-walk variance */
#define DIFFUSE         1.0  /* prior variance of a council's first log parameter */
#define DAMPING_ORIGINS 5    /* earlier origins the damping is estimated on */
#define MIN_CASES       30   /* earlier cases the damping of a years-ahead needs */
#define CAL_MAX_AHEAD   5    /* years ahead the interval width is learnt for */
#define CAL_REPLICATES  200  /* draws per earlier case the width is learnt from */
#define CAL_SEED        0x6361726563617374ull /* the fixed streams of those draws */
#define CAL_STREAM      (1ull << 63)          /* kept apart from the backtest's streams */
#define SCALE_MIN       0.25 /* bounds of the learnt width, as a share of the model's */
#define SCALE_MAX       4.0
#define SERIES_MAX      (AGG_NYEARS)

static const agg_measure stocks[AGGMODEL_NLEVELS] = {AGG_CLA_STOCK, AGG_CIN_STOCK, AGG_CP_STOCK};
static const agg_measure starts_m[AGGMODEL_NLEVELS] = {AGG_CLA_STARTED, AGG_CIN_STARTED,
                                                       AGG_CP_STARTED};
static const char *const level_names[AGGMODEL_NLEVELS] = {"CLA", "CIN", "CP"};

agg_measure aggmodel_stock_measure(aggmodel_level l)
{
    return stocks[l];
}

agg_measure aggmodel_starts_measure(aggmodel_level l)
{
    return starts_m[l];
}

const char *aggmodel_level_name(aggmodel_level l)
{
    return level_names[l];
}

/* The share of a year's entries still in the level at its end: (1 - e^-h) / h. */
static double entry_survival(double h)
{
    return h < 1e-8 ? 1.0 - h / 2 : -expm1(-h) / h;
}

typedef struct span {
    double s0, s1;
    const double *entries;
    int n;
} span;

static double residual(double u, void *params)
{
    const span *sp = params;
    double h = exp(u), stock = sp->s0 * exp(-sp->n * h);
    for (int k = 0; k < sp->n; k++)
        stock += sp->entries[k] * entry_survival(h) * exp(-(sp->n - 1 - k) * h);
    return stock - sp->s1;
}

double aggmodel_exit_hazard(double s0, const double *entries, int n, double s1)
{
    span sp = {s0, s1, entries, n};
    double lo = log(HAZARD_MIN), hi = log(HAZARD_MAX);
    /* The expected stock falls as h rises: outside the bracket, clamp. */
    if (residual(lo, &sp) <= 0)
        return HAZARD_MIN;
    if (residual(hi, &sp) >= 0)
        return HAZARD_MAX;
    gsl_function fn = {residual, &sp};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return NAN;
    gsl_root_fsolver_set(s, &fn, lo, hi);
    double u = 0.5 * (lo + hi);
    for (int it = 0; it < 100; it++) {
        gsl_root_fsolver_iterate(s);
        u = gsl_root_fsolver_root(s);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 1e-10,
                                   0) == GSL_SUCCESS)
            break;
    }
    gsl_root_fsolver_free(s);
    return exp(u);
}

/* The population a year's entry rate is per: that year's, else the nearest earlier
 * year's, else the nearest later one not after `origin`; 0 when there is none. */
static double population(const aggdata *a, int g, int year, int origin)
{
    for (int y = year; y >= AGG_YEAR0; y--)
        if (!isnan(aggdata_get(a, g, AGG_POPULATION, y)))
            return aggdata_get(a, g, AGG_POPULATION, y);
    for (int y = year + 1; y <= origin; y++)
        if (!isnan(aggdata_get(a, g, AGG_POPULATION, y)))
            return aggdata_get(a, g, AGG_POPULATION, y);
    return 0;
}

/* Series of the log parameter `param` of council g's level l for years AGG_YEAR0 to
 * origin: x[] (NaN where unknown) and the Poisson variance v[]. With no population
 * anywhere, entry rates are per council (population 1). */
static void series(const aggdata *a, int g, aggmodel_level l, int origin, int param, double *x,
                   double *v)
{
    int n = origin - AGG_YEAR0 + 1;
    for (int i = 0; i < n; i++)
        x[i] = v[i] = NAN;
    bool any_pop = population(a, g, origin, origin) > 0;
    for (int i = 0; i < n; i++) {
        int y = AGG_YEAR0 + i;
        double e = aggdata_get(a, g, starts_m[l], y);
        if (isnan(e))
            continue;
        if (param == AGGMODEL_ENTRY) {
            double pop = any_pop ? population(a, g, y, origin) : 1;
            if (pop <= 0)
                continue;
            x[i] = log((e + 0.5) / pop);
            v[i] = 1.0 / (e + 0.5);
            continue;
        }
        double s1 = aggdata_get(a, g, stocks[l], y);
        if (isnan(s1))
            continue;
        /* The latest earlier stock within MAX_SPAN years, with every year's starts. */
        double entries[MAX_SPAN];
        for (int span_n = 1; span_n <= MAX_SPAN; span_n++) {
            double ek = aggdata_get(a, g, starts_m[l], y - span_n + 1);
            if (isnan(ek))
                break;
            entries[MAX_SPAN - span_n] = ek;
            double s0 = aggdata_get(a, g, stocks[l], y - span_n);
            if (isnan(s0))
                continue;
            double sum = 0;
            for (int k = MAX_SPAN - span_n; k < MAX_SPAN; k++)
                sum += entries[k];
            double h = aggmodel_exit_hazard(s0, entries + MAX_SPAN - span_n, span_n, s1);
            double exits = s0 + sum - s1;
            x[i] = log(h);
            v[i] = 1.0 / (exits > 1 ? exits : 1);
            break;
        }
    }
}

/* The expected stock `k` years after the fit's stock year, at the fitted levels. */
static double expected_stock(const aggmodel_fit *fit, int k)
{
    double h = exp(fit->level[AGGMODEL_EXIT]),
           e = exp(fit->level[AGGMODEL_ENTRY]) * fit->population;
    double s = fit->stock;
    for (int i = 0; i < k; i++)
        s = s * exp(-h) + e * entry_survival(h);
    return s;
}

/* The lower Cholesky factor {L11, L21, L22} of the 2 x 2 covariance [[a, c], [c, b]]
 * (positive semi-definite: |c| <= sqrt(ab)). */
static void cholesky2(double a, double c, double b, double *L)
{
    L[0] = sqrt(a > 0 ? a : 0);
    L[1] = L[0] > 0 ? c / L[0] : 0;
    double r = b - L[1] * L[1];
    L[2] = sqrt(r > 0 ? r : 0);
}

/* A draw of the two log parameters' deviations with Cholesky factor L. */
static void draw2(gsl_rng *g, const double *L, double *z)
{
    double u0 = gsl_ran_ugaussian(g), u1 = gsl_ran_ugaussian(g);
    z[AGGMODEL_ENTRY] = L[0] * u0;
    z[AGGMODEL_EXIT] = L[1] * u0 + L[2] * u1;
}

/* Draws `years` years of council `fit`'s level from its stock year, at the fitted levels
 * (random walk from the year after `origin`): the stock at 31 March, undamped, into
 * stock[] and the starts into starts[] (index 0 is the year after the stock year). */
static void simulate(const aggmodel_fit *fit, const aggmodel_pool *pool, int origin, int years,
                     gsl_rng *g, double *stock, double *starts)
{
    double Lfit[3], Lq[3], Leps[3], z[AGGMODEL_NPARAMS];
    cholesky2(fit->var[AGGMODEL_ENTRY], fit->cov, fit->var[AGGMODEL_EXIT], Lfit);
    cholesky2(pool->q[AGGMODEL_ENTRY], pool->q_cross, pool->q[AGGMODEL_EXIT], Lq);
    cholesky2(pool->eps[AGGMODEL_ENTRY], pool->eps_cross, pool->eps[AGGMODEL_EXIT], Leps);
    double level[AGGMODEL_NPARAMS];
    draw2(g, Lfit, z);
    for (int p = 0; p < AGGMODEL_NPARAMS; p++)
        level[p] = fit->level[p] + z[p];
    double s = fit->stock;
    for (int i = 0, y = fit->stock_year + 1; i < years; i++, y++) {
        double theta[AGGMODEL_NPARAMS];
        if (y > origin) {
            draw2(g, Lq, z);
            for (int p = 0; p < AGGMODEL_NPARAMS; p++)
                level[p] += z[p];
        }
        draw2(g, Leps, z);
        for (int p = 0; p < AGGMODEL_NPARAMS; p++)
            theta[p] = exp(level[p] + z[p]);
        double h = theta[AGGMODEL_EXIT];
        double mean = theta[AGGMODEL_ENTRY] * fit->population;
        unsigned e = gsl_ran_poisson(g, mean);
        unsigned stay_new = gsl_ran_binomial(g, entry_survival(h), e);
        unsigned stay_old = gsl_ran_binomial(g, exp(-h), (unsigned)s);
        s = (double)stay_old + stay_new;
        stock[i] = s;
        starts[i] = e;
    }
}

/* The change in stock the fitted levels predict k years after the stock year, on the
 * log scale (half a child added to both stocks, so an empty level has a finite ratio). */
static double predicted_change(const aggmodel_fit *fit, int k)
{
    return log((expected_stock(fit, k) + 0.5) / (fit->stock + 0.5));
}

/* The centre of the projection k years after the stock year: the stock moved by the
 * common change and the kept share of the predicted change (log scale). */
static double centre(const aggmodel_fit *fit, const aggmodel_pool *pool, int k)
{
    int j = k < AGGMODEL_MAX_AHEAD ? k - 1 : AGGMODEL_MAX_AHEAD - 1;
    double c =
        (fit->stock + 0.5) * exp(pool->drift[j] + pool->damping[j] * predicted_change(fit, k));
    return c > 0.5 ? c - 0.5 : 0;
}

/* Every council's fit at each of the `EARLIER` origins o before `origin`, as
 * fits[g * EARLIER + origin - 1 - o]; ok is false where the council is not scored, no
 * fit is possible, or the fit's stock is not of its own origin (no case starts there). */
#define EARLIER (AGGMODEL_MAX_AHEAD + DAMPING_ORIGINS - 1)

static aggmodel_fit *earlier_fits(const aggdata *a, aggmodel_level l, int origin,
                                  const aggmodel_pool *pool)
{
    aggmodel_fit *fits = calloc((size_t)(a->ngeo > 0 ? a->ngeo : 1) * EARLIER, sizeof *fits);
    if (!fits)
        return NULL;
    for (int g = 0; g < a->ngeo; g++)
        for (int j = 0; j < EARLIER && a->geo[g].level == AGG_LA; j++) {
            aggmodel_fit *f = &fits[(size_t)g * EARLIER + j];
            if (!aggmodel_fit_council(a, g, l, origin - 1 - j, pool, f) ||
                f->stock_year != origin - 1 - j)
                f->ok = false;
        }
    return fits;
}

/* One earlier case of the damping: the predicted and the published change k years on
 * from council g's fit at origin o, as log ratios to the starting stock capped at +-0.5
 * (false when the case is not there). */
static bool damping_case(const aggdata *a, aggmodel_level l, int origin, const aggmodel_fit *fits,
                         int g, int o, int k, double *x, double *y)
{
    const aggmodel_fit *fit = &fits[(size_t)g * EARLIER + origin - 1 - o];
    double actual = aggdata_get(a, g, stocks[l], o + k);
    if (!fit->ok || isnan(actual))
        return false;
    *x = predicted_change(fit, k);
    *y = log((actual + 0.5) / (fit->stock + 0.5));
    *x = *x > 0.5 ? 0.5 : *x < -0.5 ? -0.5 : *x;
    *y = *y > 0.5 ? 0.5 : *y < -0.5 ? -0.5 : *y;
    return true;
}

/* Damping of the predicted change k years ahead, from every council and every earlier
 * origin whose outcome k years on is published by `origin`: the published change in
 * stock on the change the model predicted, both as log ratios to the starting stock (so
 * a small council's large relative swing does not outweigh a large council's).
 *  - The slope of the least-squares line (clamped to [0, 1]) is the share of the
 *    predicted change kept; without enough cases, the previous years-ahead's is kept.
 *  - The intercept is a change common to every council that a level's own flows do not
 *    show (as the rise in children looked after through the late 2010s). It is taken
 *    as a yearly rate, from the one-year cases (the most recent: the five years to the
 *    origin), compounded over the years ahead: the mean over those origins of each
 *    origin's mean residual, shrunk toward 0 by the factor max(0, 1 - se^2 / mean^2)
 *    (se: the standard error of that mean from the spread between origins), so a
 *    common change is carried forward only as far as the earlier origins agree on it;
 *    with fewer than two origins, none is. */
static void damping(const aggdata *a, aggmodel_level l, int origin, const aggmodel_fit *fits,
                    aggmodel_pool *pool)
{
    double b = 1, rate = 0;
    for (int k = 1; k <= AGGMODEL_MAX_AHEAD; k++) {
        double sx = 0, sy = 0, sxy = 0, sxx = 0, x, y;
        long n = 0;
        for (int g = 0; g < a->ngeo; g++)
            for (int o = origin - k - DAMPING_ORIGINS + 1; o <= origin - k; o++)
                if (damping_case(a, l, origin, fits, g, o, k, &x, &y)) {
                    sx += x, sy += y;
                    sxy += x * y;
                    sxx += x * x;
                    n++;
                }
        if (n >= MIN_CASES) {
            double vxx = sxx - sx * sx / (double)n, vxy = sxy - sx * sy / (double)n;
            b = vxx > 0 ? vxy / vxx : 1;
            b = b < 0 ? 0 : b > 1 ? 1 : b;
        }
        pool->damping[k - 1] = b;
        if (k > 1 || n < MIN_CASES)
            continue;
        /* Each earlier origin's mean residual, then their mean and its standard error. */
        double r[DAMPING_ORIGINS], mean = 0, var = 0;
        int m = 0;
        for (int o = origin - DAMPING_ORIGINS; o < origin; o++) {
            double sr = 0;
            long nr = 0;
            for (int g = 0; g < a->ngeo; g++)
                if (damping_case(a, l, origin, fits, g, o, 1, &x, &y))
                    sr += y - b * x, nr++;
            if (nr > 0)
                r[m++] = sr / (double)nr;
        }
        for (int i = 0; i < m; i++)
            mean += r[i] / m;
        for (int i = 0; i < m; i++)
            var += (r[i] - mean) * (r[i] - mean) / ((double)(m - 1) * m);
        double shrink = m >= 2 && mean != 0 ? 1 - var / (mean * mean) : 0;
        rate = shrink > 0 ? shrink * mean : 0;
    }
    for (int k = 1; k <= AGGMODEL_MAX_AHEAD; k++)
        pool->drift[k - 1] = k * rate;
}

/* The centre of the starts in a year after the stock year: at the filtered entry rate. */
static double starts_centre(const aggmodel_fit *fit)
{
    return exp(fit->level[AGGMODEL_ENTRY]) * fit->population;
}

/* Width of the intervals k years ahead, for k up to CAL_MAX_AHEAD, of the stock and of
 * the starts (measure 0, 1): each earlier case of the damping (council g at an earlier
 * origin o, outcome k years on published by `origin`) is projected CAL_REPLICATES times
 * with this pool. Scaling every draw's log ratio to the centre by s, the case's 80%
 * interval (P10-P90) covers the published value from a critical s on: the outcome's log
 * ratio to the centre over the P90's (or the P10's, below the centre). The scale is the
 * 80th percentile of the critical values, so 80% of the earlier cases' intervals would
 * have covered; it corrects what the local-level model gets wrong about the spread (as
 * the random walk's steady spreading, where levels drift back). The draws come from
 * fixed streams, so the pool depends on the data only. Further ahead, and without
 * enough cases, the previous years-ahead's scale is kept. */
static void calibrate(const aggdata *a, aggmodel_level l, int origin, const aggmodel_fit *fits,
                      aggmodel_pool *pool)
{
    /* One slot per (measure, years ahead, council, earlier origin), NaN where there is no
     * case: filled in parallel, then sorted, so the result does not depend on threads. */
    size_t cap = (size_t)(a->ngeo > 0 ? a->ngeo : 1) * DAMPING_ORIGINS;
    double *crit = malloc(sizeof(double) * cap * CAL_MAX_AHEAD * 2);
    if (!crit)
        return;
    for (size_t i = 0; i < cap * CAL_MAX_AHEAD * 2; i++)
        crit[i] = NAN;
    const agg_measure *measure[2] = {stocks, starts_m};
#pragma omp parallel default(none) shared(a, l, origin, fits, pool, crit, cap, measure)
    {
        double *draws = malloc(sizeof(double) * 2 * CAL_REPLICATES * CAL_MAX_AHEAD);
        double col[CAL_REPLICATES];
        rng *r = rng_alloc();
#pragma omp for schedule(dynamic, 4)
        for (int g = 0; g < a->ngeo; g++)
            for (int o = origin - CAL_MAX_AHEAD - DAMPING_ORIGINS + 1; o < origin && r && draws;
                 o++) {
                const aggmodel_fit *fit = &fits[(size_t)g * EARLIER + origin - 1 - o];
                if (!fit->ok)
                    continue;
                int years = origin - o < CAL_MAX_AHEAD ? origin - o : CAL_MAX_AHEAD;
                bool drawn = false;
                for (int k = 1; k <= years; k++)
                    for (int m = 0; m < 2; m++) {
                        double actual = aggdata_get(a, g, measure[m][l], o + k);
                        int first = origin - k - DAMPING_ORIGINS + 1; /* the case's window */
                        if (o < first || isnan(actual))
                            continue;
                        double *d = draws + (size_t)m * CAL_REPLICATES * years;
                        for (int rep = 0; rep < CAL_REPLICATES && !drawn; rep++) {
                            rng_stream(r, CAL_SEED, (uint64_t)rep, RNG_BACKTEST,
                                       CAL_STREAM | ((uint64_t)o * AGGMODEL_NLEVELS + (uint64_t)l),
                                       (uint64_t)g);
                            simulate(fit, pool, o, years, rng_gsl(r), draws + (size_t)rep * years,
                                     draws + (size_t)(CAL_REPLICATES + rep) * years);
                        }
                        drawn = true;
                        double e = log((m ? starts_centre(fit) : expected_stock(fit, k)) + 0.5);
                        double c = m ? starts_centre(fit) : centre(fit, pool, k);
                        for (int rep = 0; rep < CAL_REPLICATES; rep++)
                            col[rep] = log(d[(size_t)rep * years + k - 1] + 0.5) - e;
                        gsl_sort(col, 1, CAL_REPLICATES);
                        double lo =
                            gsl_stats_quantile_from_sorted_data(col, 1, CAL_REPLICATES, 0.1);
                        double hi =
                            gsl_stats_quantile_from_sorted_data(col, 1, CAL_REPLICATES, 0.9);
                        double u = log((actual + 0.5) / (c + 0.5));
                        crit[((size_t)m * CAL_MAX_AHEAD + (size_t)(k - 1)) * cap +
                             (size_t)g * DAMPING_ORIGINS + (size_t)(o - first)] =
                            u >= 0 ? (hi > 0 ? u / hi : HUGE_VAL) : (lo < 0 ? u / lo : HUGE_VAL);
                    }
            }
        rng_free(r);
        free(draws);
    }
    for (int m = 0; m < 2; m++) {
        double s = 1, *scale = m ? pool->starts_scale : pool->scale;
        for (int k = 1; k <= AGGMODEL_MAX_AHEAD; k++) {
            size_t n = 0;
            double *c = crit + ((size_t)m * CAL_MAX_AHEAD + (size_t)(k - 1)) * cap;
            for (size_t i = 0; k <= CAL_MAX_AHEAD && i < cap; i++)
                if (!isnan(c[i]))
                    c[n++] = c[i];
            if (n >= MIN_CASES) {
                gsl_sort(c, 1, n);
                s = gsl_stats_quantile_from_sorted_data(c, 1, n, 0.8);
                s = s < SCALE_MIN ? SCALE_MIN : s > SCALE_MAX ? SCALE_MAX : s;
            }
            scale[k - 1] = s;
        }
    }
    free(crit);
}

void aggmodel_pool_estimate(const aggdata *a, aggmodel_level l, int origin, aggmodel_pool *pool)
{
    memset(pool, 0, sizeof *pool);
    if (origin < AGG_YEAR0 || origin >= AGG_YEAR0 + AGG_NYEARS)
        return;
    int n = origin - AGG_YEAR0 + 1;

    /* Variograms of each log parameter (p = 0, 1) and the cross-variogram of the two
     * (p = 2): mean products of the changes over one and over two years. */
    double x[AGGMODEL_NPARAMS][SERIES_MAX], v[AGGMODEL_NPARAMS][SERIES_MAX];
    double sum[3][3] = {{0}};
    long cnt[3][3] = {{0}};
    for (int g = 0; g < a->ngeo; g++) {
        if (a->geo[g].level != AGG_LA)
            continue;
        for (int p = 0; p < AGGMODEL_NPARAMS; p++)
            series(a, g, l, origin, p, x[p], v[p]);
        for (int i = 2; i < n; i++)
            for (int lag = 1; lag <= 2; lag++) {
                double d[AGGMODEL_NPARAMS];
                for (int p = 0; p < AGGMODEL_NPARAMS; p++) {
                    d[p] = x[p][i] - x[p][i - lag];
                    d[p] = d[p] > WINSOR ? WINSOR : d[p] < -WINSOR ? -WINSOR : d[p];
                    if (isnan(d[p]))
                        continue;
                    sum[p][lag] += d[p] * d[p] - v[p][i] - v[p][i - lag];
                    cnt[p][lag]++;
                }
                /* The Poisson noise of the starts and of the exits is taken as
                 * independent (the hazard solved from the stocks allows for the
                 * entrants who leave within the year), so nothing is subtracted. */
                if (!isnan(d[0]) && !isnan(d[1])) {
                    sum[2][lag] += d[0] * d[1];
                    cnt[2][lag]++;
                }
            }
    }
    /* E[d1 d1'] = q + 2 eps, E[d2 d2'] = 2 q + 2 eps (after the Poisson part). */
    double qv[3], ev[3];
    for (int p = 0; p < 3; p++) {
        double a1 = cnt[p][1] ? sum[p][1] / (double)cnt[p][1] : 0;
        double a2 = cnt[p][2] ? sum[p][2] / (double)cnt[p][2] : 0;
        qv[p] = a2 - a1, ev[p] = (2 * a1 - a2) / 2;
    }
    for (int p = 0; p < AGGMODEL_NPARAMS; p++) {
        pool->q[p] = qv[p] > MIN_Q ? qv[p] : MIN_Q;
        pool->eps[p] = ev[p] > 0 ? ev[p] : 0;
        pool->n[p] = cnt[p][1];
    }
    /* The covariances, kept to correlations within [-1, 1]. */
    double qmax = sqrt(pool->q[0] * pool->q[1]), emax = sqrt(pool->eps[0] * pool->eps[1]);
    pool->q_cross = qv[2] > qmax ? qmax : qv[2] < -qmax ? -qmax : qv[2];
    pool->eps_cross = ev[2] > emax ? emax : ev[2] < -emax ? -emax : ev[2];
    for (int k = 0; k < AGGMODEL_MAX_AHEAD; k++)
        pool->damping[k] = 1;
    for (int k = 0; k < AGGMODEL_MAX_AHEAD; k++)
        pool->scale[k] = pool->starts_scale[k] = 1;
    aggmodel_fit *fits = earlier_fits(a, l, origin, pool);
    if (fits) {
        damping(a, l, origin, fits, pool);
        calibrate(a, l, origin, fits, pool);
    }
    free(fits);
}

bool aggmodel_fit_council(const aggdata *a, int g, aggmodel_level l, int origin,
                          const aggmodel_pool *pool, aggmodel_fit *fit)
{
    memset(fit, 0, sizeof *fit);
    if (origin < AGG_YEAR0 || origin >= AGG_YEAR0 + AGG_NYEARS)
        return false;
    int n = origin - AGG_YEAR0 + 1;
    for (int i = n - 1; i >= 0 && !fit->stock_year; i--)
        if (!isnan(aggdata_get(a, g, stocks[l], AGG_YEAR0 + i))) {
            fit->stock_year = AGG_YEAR0 + i;
            fit->stock = aggdata_get(a, g, stocks[l], AGG_YEAR0 + i);
        }
    double pop = population(a, g, origin, origin);
    fit->population = pop > 0 ? pop : 1;
    double x[AGGMODEL_NPARAMS][SERIES_MAX], v[AGGMODEL_NPARAMS][SERIES_MAX];
    for (int p = 0; p < AGGMODEL_NPARAMS; p++)
        series(a, g, l, origin, p, x[p], v[p]);
    /* Each log parameter's level is filtered from its own series (a scalar local-level
     * Kalman filter, predicting across gaps). The two series are not let revise each
     * other's level: the link between their transients is mostly how the hazard is
     * solved from the same year's starts (a spike of late-year entrants reads as a low
     * hazard), not news about the other parameter's level. The two filters' errors are
     * still correlated, through the correlated steps and transients; `cov` carries
     * their covariance: with gains Ke, Kh it becomes (1 - Ke)(1 - Kh)(cov + q_cross) +
     * Ke Kh eps_cross in a year both are seen. */
    double level[AGGMODEL_NPARAMS] = {NAN, NAN}, var[AGGMODEL_NPARAMS] = {DIFFUSE, DIFFUSE};
    double cov = 0;
    for (int i = 0; i < n; i++) {
        double gain[AGGMODEL_NPARAMS] = {0, 0};
        bool both = !isnan(level[0]) && !isnan(level[1]);
        for (int p = 0; p < AGGMODEL_NPARAMS; p++) {
            if (!isnan(level[p]))
                var[p] += pool->q[p];
            if (isnan(x[p][i]))
                continue;
            if (isnan(level[p])) {
                level[p] = x[p][i];
                var[p] = DIFFUSE;
            }
            gain[p] = var[p] / (var[p] + pool->eps[p] + v[p][i]);
            level[p] += gain[p] * (x[p][i] - level[p]);
            var[p] *= 1 - gain[p];
            fit->nobs[p]++;
        }
        /* The covariance starts at 0 when the second parameter starts. */
        if (both)
            cov = (1 - gain[0]) * (1 - gain[1]) * (cov + pool->q_cross) +
                  gain[0] * gain[1] * pool->eps_cross;
    }
    for (int p = 0; p < AGGMODEL_NPARAMS; p++) {
        fit->level[p] = level[p];
        fit->var[p] = var[p];
    }
    fit->cov = cov;
    fit->ok = fit->stock_year > 0 && fit->nobs[AGGMODEL_ENTRY] >= 2 &&
              fit->nobs[AGGMODEL_EXIT] >= 2 && origin - fit->stock_year <= MAX_SPAN;
    return fit->ok;
}

void aggmodel_project(const aggmodel_fit *fit, const aggmodel_pool *pool, int origin, int horizon,
                      rng *r, double *stock, double *starts)
{
    int years = origin + horizon - fit->stock_year;
    simulate(fit, pool, origin, years, rng_gsl(r), stock, starts);
    /* Each draw's log ratio to its centre scaled by the learnt width: the stock's to the
     * undamped expected stock, taken to the damped centre; the starts' to theirs. */
    for (int i = 0; i < years; i++) {
        int j = i < AGGMODEL_MAX_AHEAD ? i : AGGMODEL_MAX_AHEAD - 1;
        double u = log((stock[i] + 0.5) / (expected_stock(fit, i + 1) + 0.5));
        double s = (centre(fit, pool, i + 1) + 0.5) * exp(pool->scale[j] * u) - 0.5;
        stock[i] = s > 0 ? s : 0;
        double c = starts_centre(fit) + 0.5;
        s = c * exp(pool->starts_scale[j] * log((starts[i] + 0.5) / c)) - 0.5;
        starts[i] = s > 0 ? s : 0;
    }
}
