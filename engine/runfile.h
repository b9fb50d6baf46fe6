/* runfile.h -- the run file (HDF5): layout, writing and reading.
 *
 * One place knows the layout (documented in README.md, "Run file"):
 *   /                 provenance attributes (format, versions, command line, seed,
 *                     replicates, threads, start_date, horizon_months, model_file)
 *   /parameters       the effective parameters as text, defaults filled in
 *   /model/...        the model tables the run projected from
 *   /months/...       month-end dates and month start day numbers
 *   /cohorts          cohort names: the states, then CLA (all looked-after states)
 *   /age_groups       the model's age bands, then "all"
 *   /scenario_names   the scenarios in run order; the first is the baseline
 *   /financial_years  financial years (April to March) of the year/ tables, and the
 *                     months of the run each holds (/financial_year_months)
 *   /LAYER/groups     groups of a layer (workforce: teams; placements: needs; finance:
 *                     cost lines), each followed by the total, and group_labels
 *   /history/...      observed month-end stock by cohort before the start
 *   /scenarios/NAME/  per-replicate arrays [replicate][month][state or flow], starts
 *                     [replicate][month][age band], summary/MEASURE [month][cohort][stat]
 *                     quantile tables, the scenario's parameters, and (every scenario
 *                     but the baseline) difference/: per-replicate differences from the
 *                     baseline [replicate][month][cohort] with their summaries; and,
 *                     for each layer the scenario projects (workforce with a
 *                     [workforce] section; placements and finance with [placements]),
 *                     LAYER/MEASURE [replicate][month][group] and LAYER/year/MEASURE
 *                     [replicate][financial year][group], each with summary/ (and
 *                     difference/summary/ when the baseline projects the layer too);
 *                     workforce/target_caseload; finance/budget and
 *                     finance/p_overspend [financial year][line]
 */
#ifndef CC_RUNFILE_H
#define CC_RUNFILE_H

#include <stdint.h>

#include "error.h"
#include "model.h"
#include "layer.h"
#include "workforce.h"

#define RUNFILE_NSTATS    8 /* mean, p5, p10, p25, p50, p75, p90, p95 */
#define RUNFILE_NMEASURES 5
#define RUNFILE_MAX_AGES  17 /* age groups: up to MD_MAX_BANDS bands and "all" */

/* Measures summarised per cohort, in the order of runfile_measures[]. */
extern const char *const runfile_measures[RUNFILE_NMEASURES];
/* Statistic names, in column order of every summary table. */
extern const char *const runfile_stats[RUNFILE_NSTATS];
/* Percentiles of the stat columns 1..7 (column 0 is the mean). */
extern const double runfile_percentiles[RUNFILE_NSTATS - 1];

/* The layers computed from a scenario's children (layer.h), in file order. */
enum runfile_layer_id { RUNFILE_WORKFORCE, RUNFILE_PLACEMENTS, RUNFILE_FINANCE, RUNFILE_NLAYERS };
extern const char *const runfile_layers[RUNFILE_NLAYERS]; /* "workforce", ... */

/* One layer of a scenario as written; G == 0 when the scenario does not project it. */
typedef struct runfile_layer {
    const layer_measure *measures;
    int K, G;
    float *month; /* [K][R][M][G] */
    float *year;  /* [K][R][Y][G] by financial year */
} runfile_layer;

/* Everything a run produces for one scenario, as written. */
typedef struct runfile_scenario {
    const char *name;
    int32_t *stock, *inflow, *outflow, *arrivals; /* [R][M][S] */
    int32_t *flows;                               /* [R][M][F] */
    int nflows;                                   /* F */
    const int *flow_from, *flow_to;               /* [F] state, target of each flow */
    double *person_days;                          /* [R][M][S] */
    const int32_t *initial_stock;                 /* [S] */
    int32_t *starts;          /* [R][M][nage] starts in care by age band (sim_ledger) */
    const char *file;         /* scenario file ("" for the built-in baseline) */
    const char *description;
    const char *parameters;   /* the scenario's keys, values and where they came from */
    runfile_layer layer[RUNFILE_NLAYERS];
    const workforce *wf;      /* the workforce (for its targets), or NULL */
    const double *budget;     /* [Y][L] budget per financial year and cost line, pounds
                               * (NAN: none), or NULL */
} runfile_scenario;

/* What a run writes besides its scenarios. */
typedef struct runfile_header {
    const model *model;
    const char *model_path;
    const char *parameters; /* effective parameters as text */
    const char *command_line;
    uint64_t seed;
    int replicates, threads, months;
    int start_day;
    const int *month_start; /* [M+1] */
    int history_months;
    const int *history_end; /* [H] month-end day numbers */
    const double *history;  /* [H][C] observed stock by cohort */
    const layer_years *years; /* financial years of the months */
    /* groups of each layer (the same for every scenario that projects it) */
    int ngroups[RUNFILE_NLAYERS];
    const char *const *group_names[RUNFILE_NLAYERS];
    const char *const *group_labels[RUNFILE_NLAYERS];
} runfile_header;

/* The groups of one layer as read. */
typedef struct runfile_axis {
    int G; /* 0 when no scenario projects the layer */
    char (*names)[32];
    char (*labels)[160];
} runfile_axis;

/* A run file opened for reading. */
typedef struct runfile {
    long long h5; /* the HDF5 file id */
    char path[4096];
    int S, T, C, M, R, H, nscen;
    char (*cohorts)[32];     /* [C] */
    char (*labels)[160];     /* [C] state labels; "Looked-after children (all)" for CLA */
    char (*month_end)[11];   /* [M] ISO dates */
    char (*history_end)[11]; /* [H] */
    double *history;         /* [H][C] */
    char (*scenarios)[64];   /* [nscen], in run order: scenarios[0] is the baseline */
    int A;                   /* age groups: the model's bands, then all ages */
    char (*age_groups)[16];  /* [A] labels such as "10-15", "25+", "all" */
    runfile_axis layer[RUNFILE_NLAYERS]; /* groups of each layer */
    int Y;                   /* financial years */
    char (*years)[8];        /* [Y] "2025-26" */
    int *year_months;        /* [Y] months of the run in each */
    char version[64], revision[64], command_line[4096], start[11], model_file[4096];
    char model_source[512];
    long long seed, threads;
} runfile;

/* Public API */

/* Number of cohorts for S states: the states and CLA. */
int runfile_ncohorts(const modeldef *def);

/* Per-replicate cohort totals of a [R][M][S] array: out[R][M][C] (CLA = sum of the
 * looked_after states, computed inside each replicate). */
void runfile_cohort_totals(const modeldef *def, const int32_t *in, const double *din, int R, int M,
                           double *out);

/* Quantile table [M][C][RUNFILE_NSTATS] over replicates of a [R][M][C] array, using
 * up to `threads` threads (the result does not depend on it). */
int runfile_summarise(const double *per_rep, int R, int M, int C, int threads, double *out);

/* Writes a run file atomically (CC_EEXIST if it exists and !force). */
int runfile_write(const char *path, bool force, const runfile_header *h,
                  const runfile_scenario *scen, int nscen, cc_err *err);

/* Opens a run file, checking its format; NULL with *status on failure. */
runfile *runfile_open(const char *path, cc_err *err, int *status);
void runfile_close(runfile *rf);

/* Reads summary/MEASURE of scenario `scen` into out [M][C][RUNFILE_NSTATS]. */
int runfile_read_summary(const runfile *rf, const char *scen, const char *measure, double *out,
                         cc_err *err);

/* Reads difference/summary/MEASURE of scenario `scen` (not the baseline), the
 * quantiles of its per-replicate difference from the baseline: out [M][C][8]. */
int runfile_read_difference(const runfile *rf, const char *scen, const char *measure, double *out,
                            cc_err *err);

/* Reads a scenario's starts in care by age group. `what` is "summary/starts" (monthly
 * starts) or "difference/summary/starts_cumulative" (cumulative difference from the
 * baseline since the start): out [M][A][8]. */
int runfile_read_starts(const runfile *rf, const char *scen, const char *what, double *out,
                        cc_err *err);

/* Reads a per-replicate int array (stock, entries, exits, arrivals): out [R][M][S]. */
int runfile_read_replicates(const runfile *rf, const char *scen, const char *name, int32_t *out,
                            cc_err *err);

/* True if scenario `scen` projects layer `layer` (RUNFILE_WORKFORCE, ...). */
bool runfile_has_layer(const runfile *rf, const char *scen, int layer);

/* Reads scenarios/SCEN/LAYER/PATH, a quantile table of a layer's measure: PATH is
 * summary/MEASURE or difference/summary/MEASURE ([M][G][8]), or year/summary/MEASURE or
 * year/difference/summary/MEASURE ([Y][G][8]). */
int runfile_read_layer(const runfile *rf, const char *scen, int layer, const char *path,
                       double *out, cc_err *err);

/* Reads scenarios/SCEN/LAYER/[year/]MEASURE, a measure in every replicate: out
 * [R][M][G] (year false) or [R][Y][G]. */
int runfile_read_layer_replicates(const runfile *rf, const char *scen, int layer,
                                  const char *measure, bool year, double *out, cc_err *err);

/* Reads a scenario's budget and probability of overspending it by financial year and
 * cost line: budget [Y][L] (NAN where none), p [Y][L] (NAN where no budget). */
int runfile_read_budget(const runfile *rf, const char *scen, double *budget, double *p,
                        cc_err *err);

/* Reads a scenario's target caseload by workforce group: out [G]. */
int runfile_read_targets(const runfile *rf, const char *scen, double *out, cc_err *err);

/* Index of a cohort by name, or -1. */
int runfile_cohort(const runfile *rf, const char *name);

/* False for a cohort with no child observed and none projected (a state a partial
 * model does not cover, such as REF/CIN/CP in a model fitted from SSDA903 alone);
 * `summary` is a scenario's stock summary [M][C][8]. Charts and tables skip it. */
bool runfile_cohort_used(const runfile *rf, const double *summary, int c);

#endif
