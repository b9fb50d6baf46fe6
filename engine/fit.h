/* fit.h -- `carecast fit` and `carecast check`: from a council's records to a model.
 *
 * fit reads the history (history.h), then for a reference window [START, END]:
 *   - hazards h(from -> target | age band, duration band) = events / person-days at risk,
 *     counting exposure only inside the window (left truncation) and up to the extract
 *     date (right censoring); each cell is shrunk toward its transition's main-effects
 *     rate (age effect x duration effect, fitted to all the transition's cells) by a
 *     Gamma prior worth `prior_events` events; the Gamma posterior is stored so `run`
 *     can draw each replicate's rates;
 *   - entries of new children by entry state and age band, per child in the population
 *     (or per day without one), by Poisson regression with optional log-linear trend
 *     and month-of-year seasonality, with the coefficients' covariance;
 *   - a check: replicates simulated from the window start with the fitted rates,
 *     against the observed month-end stock.
 * check reads the same inputs and lists every problem without fitting.
 */
#ifndef CC_FIT_H
#define CC_FIT_H

#include "cli.h"
#include "model.h"

#define FIT_PRIOR_EVENTS 1.0 /* default strength of the hazard shrinkage, in events */

/* Settings of a fit (defaults in fit.c). */
typedef struct fit_config {
    int window_start, window_end; /* days, inclusive */
    double prior_events;          /* prior strength of the shrinkage, in events */
    bool trend, seasonality;      /* entry regression terms */
    int check_replicates;         /* replicates for the fitted-vs-observed check (0: none) */
    uint64_t seed;
} fit_config;

/* Where a council's records are: any of the three inputs (NULL when not given). */
typedef struct fit_inputs {
    const char *episodes, *ssda903, *population;
    const char *definition; /* NULL: models/standard.ini */
    int extract;            /* last day the records cover, or INT32_MIN for the default */
} fit_inputs;

/* Public API */

/* Options of `carecast fit` and `carecast check`. */
extern const cli_spec fit_options[];
extern const cli_spec check_options[];

/* Runs `carecast fit` / `carecast check` (argv[0] is the command); returns a status. */
int fit_main(int argc, char **argv);
int check_main(int argc, char **argv);

/* Reads and cleans a council's records into a model holding the history and population
 * but no rates yet (what `fit` and `backtest` start from). Problems are printed to stderr
 * under `command`'s name; NULL with *status set on failure. */
model *fit_read_records(const fit_inputs *in, const char *command, cc_err *err, int *status);

/* Estimates hazards, entries and the check for model `m`, whose definition, history and
 * population are already set. */
int fit_estimate(model *m, const fit_config *cfg, cc_err *err);

#endif
