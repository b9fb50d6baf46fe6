/* backtest.h -- `carecast backtest`: how well would carecast have forecast the past?
 *
 * For each council (or one geography), each origin year and each horizon, the aggregate
 * model (aggmodel.h) is fitted on the published data up to the origin only, projected
 * by Monte Carlo, and compared with what was later published: CLA, CIN and CP at 31
 * March and the starts to each. Two naive forecasts are scored on the same cases: the
 * last published value, and the straight line through the last three years. Results go
 * to an HDF5 file (every case, every quantile, the fitted parameters, the input history)
 * and a CSV summary by measure and horizon: median absolute percentage error (APE) of
 * carecast's median and of each naive forecast, bias, and how often the 50%, 80% and 90%
 * intervals covered the published value.
 */
#ifndef CC_BACKTEST_H
#define CC_BACKTEST_H

#include <stdbool.h>

#include "aggregate.h"
#include "cli.h"

/* Measures scored: each level's stock at 31 March and its starts in the year. */
enum { BT_CLA_STOCK, BT_CLA_STARTS, BT_CIN_STOCK, BT_CIN_STARTS, BT_CP_STOCK, BT_CP_STARTS,
       BT_NMEASURES };

/* Quantiles kept per case: P5, P10, P25, P50, P75, P90, P95. */
#define BT_NQ 7

/* What to backtest. */
typedef struct backtest_config {
    int first_origin, last_origin; /* origin years (years ending 31 March) */
    int horizons;                  /* 1..horizons years ahead */
    int replicates, threads;
    unsigned long long seed;
    int geography;                 /* index in the data, or -1 for every council */
} backtest_config;

/* Results [G][O][H][M] (cases) for the geographies scored. */
typedef struct backtest {
    backtest_config cfg;
    const aggdata *data;
    int G, O, H;
    int *geo;          /* [G] index into data->geo */
    double *actual;    /* [G][O][H][M] published value, NaN when not published */
    double *quantile;  /* [G][O][H][M][BT_NQ] */
    double *mean;      /* [G][O][H][M] */
    double *last;      /* [G][O][H][M] naive: last published value up to the origin */
    double *trend;     /* [G][O][H][M] naive: line through the last 3 years */
    double *params;    /* [G][O][L][4] log entry rate, its variance, log hazard, variance */
    double *pool;      /* [O][L][4] q and eps of entry rate, q and eps of hazard */
    double seconds;
} backtest;

/* Public API */

/* Fits, projects and scores every case; NULL when out of memory. */
backtest *backtest_compute(const aggdata *data, const backtest_config *cfg);
void backtest_free(backtest *bt);

/* Name of measure m ("cla_at_31_march", ...). */
const char *backtest_measure_name(int m);

/* Summary of measure m at horizon h (1-based; 0 = all horizons) over every scored case:
 * out = n, median APE of carecast / last / trend, mean percentage error (bias) of
 * carecast, coverage of 50/80/90% intervals (percent). */
enum { BT_S_N, BT_S_APE, BT_S_APE_LAST, BT_S_APE_TREND, BT_S_BIAS, BT_S_COVER50, BT_S_COVER80,
       BT_S_COVER90, BT_NSUMMARY };
void backtest_summary(const backtest *bt, int m, int h, double *out);

/* Options and entry point of `carecast backtest`. */
extern const cli_spec backtest_options[];
int backtest_main(int argc, char **argv);

/* True if `path` is a backtest file; then backtest_plot draws its charts into `dir`. */
bool backtest_is_file(const char *path);
int backtest_plot(const char *path, const char *dir, const char *fmt, const char *geography,
                  bool force, cc_err *err);

#endif
