/* backtest.h -- `carecast backtest`: how well would carecast have forecast the past?
 *
 * Two sources, one result. From published statistics (the DfE's tables), for each
 * council (or one geography), each origin year and each horizon, the aggregate model
 * (aggmodel.h) is fitted on the published data up to the origin only, projected by Monte
 * Carlo, and compared with what was later published: CLA, CIN and CP at 31 March and the
 * starts to each. From a council's own records (btrecords.h), `fit` and `run`'s kernel
 * are used on the records cut at each origin and compared with what the records show
 * later, state by state. Two naive forecasts are scored on the same cases: the last
 * value, and the straight line through the last three years. Results go to an HDF5 file
 * (every case, every quantile, the fitted parameters or models, the history) and a CSV
 * summary by measure and horizon: median absolute percentage error (APE) of carecast's
 * median and of each naive forecast, bias, and how often the 50%, 80% and 90% intervals
 * covered the outcome.
 */
#ifndef CC_BACKTEST_H
#define CC_BACKTEST_H

#include <stdbool.h>

#include "aggregate.h"
#include "cli.h"
#include "model.h"

/* Measures scored from published statistics: each level's stock at 31 March and its
 * starts in the year. A backtest on a council's records scores each state instead. */
enum { BT_CLA_STOCK, BT_CLA_STARTS, BT_CIN_STOCK, BT_CIN_STARTS, BT_CP_STOCK, BT_CP_STARTS,
       BT_NMEASURES };

#define BT_MAX_MEASURES 32 /* most measures a backtest scores */
#define BT_NQ           7  /* quantiles kept per case: P5, P10, P25, P50, P75, P90, P95 */
#define BT_NPARAMS      5  /* fitted values kept per council, origin and level */
#define BT_NPOOL        6  /* pooled variances kept per origin and level */

/* What to backtest. */
typedef struct backtest_config {
    int first_origin, last_origin; /* origin years (years ending 31 March) */
    int horizons;                  /* 1..horizons years ahead */
    int replicates, threads;
    unsigned long long seed;
    int geography;    /* published statistics: index in the data, or -1 for every council */
    int window_years; /* records: years before each origin the fit learns from */
} backtest_config;

/* Results [G][O][H][M] (cases) for the geographies scored (one for a council's records). */
typedef struct backtest {
    backtest_config cfg;
    int G, O, H, M, Y;
    char source[32];                 /* "published statistics" or "records" */
    char (*code)[16], (*name)[96];   /* [G] LA code and name of each geography */
    char measure[BT_MAX_MEASURES][48]; /* [M] measure names ("cla_at_31_march", ...) */
    char title[BT_MAX_MEASURES][128];  /* [M] what each measure counts, for charts */
    int *years;        /* [Y] years ending 31 March of the history */
    double *history;   /* [G][M][Y] published or observed value, NaN when unknown */
    double *actual;    /* [G][O][H][M] value at origin + h, NaN when not published */
    double *quantile;  /* [G][O][H][M][BT_NQ] */
    double *mean;      /* [G][O][H][M] */
    double *last;      /* [G][O][H][M] naive: last value up to the origin */
    double *trend;     /* [G][O][H][M] naive: line through the last 3 years */
    int ninputs;
    char inputs[32][512]; /* the files read, in order */
    /* published statistics only (NULL otherwise) */
    const aggdata *data;
    int *geo;          /* [G] index into data->geo */
    double *params;     /* [G][O][L][BT_NPARAMS] log entry rate, its variance, log hazard,
                           its variance, their covariance */
    double *pool;       /* [O][L][BT_NPOOL] q and eps of entry rate, of hazard, cross */
    double *projection; /* [O][L][4][AGGMODEL_MAX_AHEAD] damping, common change, widths */
    /* records only (NULL otherwise) */
    model **fitted;    /* [O] the model fitted at each origin */
    double seconds;
} backtest;

/* Public API */

/* A backtest of G geographies, M measures and Y history years with its case arrays
 * (history NaN); NULL when out of memory. */
backtest *backtest_alloc(const backtest_config *cfg, int G, int M, int Y);

/* Fits, projects and scores every case of published statistics; NULL when out of memory. */
backtest *backtest_compute(const aggdata *data, const backtest_config *cfg);
void backtest_free(backtest *bt);

/* Name of measure m of published statistics ("cla_at_31_march", ...). */
const char *backtest_measure_name(int m);

/* Index of case (g, o, h, m) in the [G][O][H][M] arrays. */
size_t backtest_case(const backtest *bt, int g, int o, int h, int m);

/* Fills the published outcome and both naive forecasts of every case from bt->history. */
void backtest_set_outcomes(backtest *bt);

/* Sorts the R draws of case i and keeps their mean and quantiles. */
void backtest_set_forecast(backtest *bt, size_t i, double *draws, int R);

/* Summary of measure m (-1: every measure pooled) at horizon h (1-based; 0 = all
 * horizons) over every scored case:
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
