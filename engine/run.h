/* run.h -- `carecast run`: parallel Monte Carlo projection into a run file.
 *
 * A run projects one or more scenarios (scenario.h); the first is the baseline. Each
 * replicate runs every scenario on the same random streams, and the run file keeps
 * each scenario's arrays and its per-replicate differences from the baseline. */
#ifndef CC_RUN_H
#define CC_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "error.h"

#define RUN_MAX_SCENARIOS 16

/* What to run; every field has the default named in run_options. */
typedef struct run_config {
    const char *model_path;
    const char *out;
    int replicates; /* >= 1 */
    int threads;    /* >= 1 */
    uint64_t seed;
    int start_day; /* day number, or INT32_MIN for the day after the extract date */
    int horizon;   /* months, >= 1 */
    bool force;
    bool progress; /* show a progress line (only on a terminal) */
    bool fixed_parameters; /* point estimates in every replicate (no parameter draws) */
    int nscenarios;        /* scenario files; 0 runs the model as it is ("baseline") */
    const char *const *scenarios; /* [nscenarios]; the first is the baseline */
} run_config;

/* Measured while running (for `make bench`). */
typedef struct run_stats {
    int64_t events;          /* events simulated over all replicates */
    int64_t initial;         /* children open on the start date */
    double seconds_simulate; /* wall time of the replicate loop */
    double seconds_total;    /* wall time including reading and writing */
} run_stats;

/* Public API */

/* Options of `carecast run`. */
extern const cli_spec run_options[];

/* Runs `carecast run` with its arguments (argv[0] is "run"); returns a status code. */
int run_main(int argc, char **argv);

/* Runs a projection as configured and writes the run file; stats may be NULL. */
int run_execute(const run_config *cfg, run_stats *stats, cc_err *err);

#endif
