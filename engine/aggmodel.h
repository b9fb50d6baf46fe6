/* aggmodel.h -- the model carecast learns from published yearly statistics.
 *
 * Published tables give, per council and year, the number in each level at 31 March and
 * the number who started in the year, but not who moved from where to where. So the
 * aggregate model keeps run's structure at the grain the data allow: each level (CIN, CP,
 * CLA) has its own entries, a rate per child aged 0-17 arriving evenly through the year,
 * and its own exit hazard, constant through the year, as in run's monthly hazards.
 * With stock S0 on 31 March, entries E in the year and hazard h, the expected stock a
 * year later is S0 e^-h + E (1 - e^-h) / h; solving that for h gives each year's exit
 * hazard from the published stocks and starts (over two or three years where a stock is
 * missing, as for councils in 2018).
 *
 * Year-to-year variation: the log entry rate and log exit hazard of each council follow
 * a local-level model, a level that drifts as a random walk (variance q a year) seen
 * through a transient deviation each year (variance eps) and the Poisson noise of the
 * counts. q and eps are estimated across all councils from the variogram of the yearly
 * values (the mean squared change over one and over two years, less the Poisson part),
 * so the uncertainty is the variation the data show, not Poisson noise alone. The two
 * parameters move together: a council whose entries rise also sees more short stays and
 * exits, so the yearly steps of the log entry rate and log hazard are positively
 * correlated (CLA, CIN), and a year's transients are linked through the hazard being
 * solved from that year's starts. Their covariances (q_cross, eps_cross) come from the
 * cross-variogram (the mean product of the two parameters' changes over one and two
 * years) and the projection draws the steps and transients jointly, so the spread of
 * the stock (entries over hazard) is not the sum of two independent spreads. Each
 * council's levels are then filtered (a scalar Kalman filter per parameter, carrying the
 * covariance of the two filters' errors) up to the origin year.
 *
 * Damping: the change in stock the fitted levels predict is noisy (it is the small
 * difference of two estimated flows), so the projection keeps only a share of it. The
 * share, per level and years ahead, is the slope of the line of published on predicted
 * changes (log ratios to the starting stock) over every council and the five earlier
 * origins whose outcome is published by the origin (data up to the origin only). A
 * share of 0 (as for CIN) means the flows carry no information on the next change
 * beyond the last stock. The line's intercept is a change common to every council that
 * their own flows do not show (the rise in children looked after through the late
 * 2010s). It is taken as a yearly rate from the one-year cases (the most recent five
 * years), compounded over the years ahead, and shrunk toward 0 by how much the earlier
 * origins agree on it (a James-Stein factor from the spread of their mean residuals),
 * so a common change seen in one or two years only is not extrapolated. The centre is the
 * stock moved by the common change and the kept share of the predicted change; each
 * draw is moved with it in proportion.
 *
 * Width: the local-level model's spread is not the spread of what happens (levels that
 * wander as a random walk also drift back, so the spread grows more slowly than the
 * model says). So the width is learnt as the damping is: the earlier origins' cases are
 * projected with the model (200 draws each, from fixed streams), and the scale on every
 * draw's log ratio to the centre under which 80% of their 80% intervals would have
 * covered the published value is kept, per level, measure (stock, starts; the starts'
 * centre is the filtered entry rate) and years ahead (up to five; further ahead the
 * five-year scale is kept). On data from the model itself the scale comes out near 1.
 */
#ifndef CC_AGGMODEL_H
#define CC_AGGMODEL_H

#include <stdbool.h>

#include "aggregate.h"
#include "rng.h"

typedef enum aggmodel_level {
    AGGMODEL_CLA,
    AGGMODEL_CIN,
    AGGMODEL_CP,
    AGGMODEL_NLEVELS
} aggmodel_level;

/* The two parameters of a level. */
enum { AGGMODEL_ENTRY, AGGMODEL_EXIT, AGGMODEL_NPARAMS };

#define AGGMODEL_MAX_AHEAD 13 /* years ahead of a stock year the damping is kept for */

/* What is pooled across councils for one level and origin: the variances, and what the
 * earlier origins' published outcomes teach (damping, common change, widths). */
typedef struct aggmodel_pool {
    double q[AGGMODEL_NPARAMS];   /* random-walk variance of the log parameter, per year */
    double eps[AGGMODEL_NPARAMS]; /* transient variance of the log parameter, per year */
    double q_cross;               /* covariance of the yearly steps of the two log parameters */
    double eps_cross;             /* covariance of their transients */
    long n[AGGMODEL_NPARAMS];     /* one-year changes the estimate used */
    double damping[AGGMODEL_MAX_AHEAD]; /* share of the predicted change kept, k years on */
    double drift[AGGMODEL_MAX_AHEAD];   /* change common to every council, k years on (log):
                                           k times a yearly rate */
    double scale[AGGMODEL_MAX_AHEAD];   /* width of the stock's spread, k years on (1: as drawn) */
    double starts_scale[AGGMODEL_MAX_AHEAD]; /* the same for the starts in the year */
} aggmodel_pool;

/* One council's fitted level at an origin. */
typedef struct aggmodel_fit {
    bool ok;                        /* false when the data cannot support a fit */
    int stock_year;                 /* last year <= origin with a published stock */
    double stock;                   /* that stock */
    double population;              /* children aged 0-17 in the origin year (held flat after) */
    double level[AGGMODEL_NPARAMS]; /* filtered log entry rate and log exit hazard */
    double var[AGGMODEL_NPARAMS];   /* their variance at the origin */
    double cov;                     /* the covariance of the two filters' errors */
    int nobs[AGGMODEL_NPARAMS];     /* years of data behind each */
} aggmodel_fit;

/* Public API */

/* The published measures of a level: its stock at 31 March and its starts in the year. */
agg_measure aggmodel_stock_measure(aggmodel_level l);
agg_measure aggmodel_starts_measure(aggmodel_level l);
const char *aggmodel_level_name(aggmodel_level l);

/* The exit hazard h (per year) for which S0 e^-nh plus the survivors of entries
 * E[0..n-1] (year k's entries survive e^-(n-1-k)h after their own year) equals S1.
 * Clamped to [1e-3, 20] per year when the data admit no solution in between. */
double aggmodel_exit_hazard(double s0, const double *entries, int n, double s1);

/* Estimates the pool of level l from every council's data up to `origin`: the variances
 * and covariances, then the damping, common change and widths from the earlier origins
 * (whose draws come from fixed streams and run on OpenMP's default threads, which
 * backtest sets from --threads; the result does not depend on them). */
void aggmodel_pool_estimate(const aggdata *a, aggmodel_level l, int origin, aggmodel_pool *pool);

/* Fits council g's level l on data up to `origin`; returns false (fit->ok false) when
 * the council has no stock or too few years. */
bool aggmodel_fit_council(const aggdata *a, int g, aggmodel_level l, int origin,
                          const aggmodel_pool *pool, aggmodel_fit *fit);

/* Simulates one replicate from the fit: stock at 31 March and starts for each year from
 * fit->stock_year + 1 to origin + horizon, into stock[] and starts[] (index 0 is
 * stock_year + 1), taken to the pool's centre and width. `r` is a positioned stream. */
void aggmodel_project(const aggmodel_fit *fit, const aggmodel_pool *pool, int origin, int horizon,
                      rng *r, double *stock, double *starts);

#endif
