/* aggregate.h -- published yearly statistics: stocks at 31 March and flows per year, by
 * council.
 *
 * A council that has no record-level extract, or an analyst who wants to test carecast
 * on every council in England, has only the DfE's published tables. This module reads
 * them into one table of values by geography, measure and year:
 *
 *   - the DfE "Explore education statistics" underlying-data CSVs as published (columns
 *     time_period, geographic_level, old_la_code, la_name, then measure columns such as
 *     At31_episodes or CPP_start, or a label column population_count with a `number`);
 *   - the older wide SFR tables (2010-2017: one row per area, geog_l, geog_c, geog_n and
 *     columns such as CLA_Mar2016 or CLA_started2016, whose names change between years);
 *   - a simple long format: geography, year, measure, value (optional code, source_file).
 *
 * Suppressed or unavailable values (x, c, z, u, `:`, `..`, low, blank) are kept as missing
 * and counted by code, so the user learns how much was suppressed. Anything else that is
 * not a number is an error naming file, line, column and value. Years are years ending
 * 31 March; the ONS mid-year population of year Y is filed under Y+1, the denominator the
 * DfE uses for that year. Councils are keyed by their three-digit (old) LA code, which
 * every DfE file carries and which survives renamed councils; England is "E92000001".
 * Regions are not read.
 */
#ifndef CC_AGGREGATE_H
#define CC_AGGREGATE_H

#include <stdbool.h>

#include "problems.h"

/* The measures carecast uses. Never renumber: backtest files index by them. */
typedef enum agg_measure {
    AGG_CLA_STOCK,   /* children looked after at 31 March */
    AGG_CLA_STARTED, /* children who started to be looked after in the year */
    AGG_CLA_CEASED,  /* children who ceased to be looked after in the year */
    AGG_CIN_STOCK,   /* children in need at 31 March (DfE count: includes CP and CLA) */
    AGG_CIN_STARTED, /* CIN episodes started in the year */
    AGG_CP_STOCK,    /* children on a child protection plan at 31 March */
    AGG_CP_STARTED,  /* children who became the subject of a CP plan in the year */
    AGG_REFERRALS,   /* referrals in the year */
    AGG_POPULATION,  /* children aged 0-17 (ONS mid-year estimate of the previous year) */
    AGG_NMEASURES
} agg_measure;

/* Suppression and availability codes of DfE tables. */
enum { AGG_CODE_X, AGG_CODE_C, AGG_CODE_Z, AGG_CODE_U, AGG_CODE_COLON, AGG_CODE_DOTS,
       AGG_CODE_LOW, AGG_CODE_BLANK, AGG_NCODES };

#define AGG_YEAR0  1990 /* first year ending 31 March the table holds */
#define AGG_NYEARS 61   /* 1990-2050 */

typedef enum agg_level { AGG_NATIONAL, AGG_LA } agg_level;

typedef struct agg_geo {
    char code[16];  /* old LA code ("301"), "E92000001" for England, or "name:..." */
    char name[96];  /* as published, from the newest year read */
    agg_level level;
    int name_year;  /* year the name was taken from */
} agg_geo;

typedef struct aggdata {
    int ngeo, cap;
    agg_geo *geo;
    double *value;         /* [geo][measure][year - AGG_YEAR0]; NaN when missing */
    long suppressed[AGG_NCODES]; /* values found suppressed or unavailable, by code */
    long values;           /* numbers read */
    long replaced;         /* numbers that replaced one read earlier (a newer file) */
    long skipped_regions;  /* regional rows not read */
    int nfiles;
    char files[32][512];   /* the files read, in order (provenance) */
} aggdata;

/* Public API */

/* An empty table; NULL when out of memory. */
aggdata *aggdata_alloc(void);
void aggdata_free(aggdata *a);

/* Reads one file, recognising its layout from the header. Values of the measures above
 * are stored; a later file's value replaces an earlier one (newer vintages revise older).
 * Problems (unreadable numbers, a header of no known layout, a wide file without a year)
 * go to `p` as errors naming file, line and column; a column whose name says another
 * year than the file's name is a warning. */
void aggdata_read(aggdata *a, const char *path, problems *p);

/* The value of measure m for geography g in year y (year ending 31 March); NaN if
 * missing or out of range. */
double aggdata_get(const aggdata *a, int g, agg_measure m, int year);

/* Index of a geography by code, name (case and punctuation ignored) or -1. */
int aggdata_find(const aggdata *a, const char *code_or_name);

/* Short name of a measure ("cla_at_31_march", ...), as in the long format. */
const char *aggdata_measure_name(agg_measure m);

/* Name of a suppression code ("x", "c", ...). */
const char *aggdata_code_name(int code);

/* Prints one line per suppression code found, and the counts of values read and
 * replaced, to `f`. */
void aggdata_summary(const aggdata *a, FILE *f);

#endif
