/* btrecords.h -- the backtest on a council's own records.
 *
 * Where `backtest` on published statistics fits the coarse aggregate model, this one runs
 * the pipeline a council runs: for each origin (31 March of an origin year) the records
 * are cut at the origin as if extracted that day (episodes starting later are dropped,
 * episodes ending later are open), `fit` estimates hazards and entry rates on a window of
 * the years before the origin, and `run`'s kernel projects the children open on the
 * origin plus new arrivals, each replicate with its own parameter draw. The projection is
 * compared with what the full records show on each later 31 March: every recorded state,
 * the looked-after children together, and the children starting to be looked after in
 * the year. The same two naive forecasts as for published statistics are scored: the last
 * observed value, and the line through the last three years.
 *
 * Only data up to the origin inform the forecast: the population table is cut to the
 * mid-year estimates before the origin year (held flat after), as a council would have
 * had it. The model fitted at each origin is kept for the backtest file.
 */
#ifndef CC_BTRECORDS_H
#define CC_BTRECORDS_H

#include "backtest.h"
#include "error.h"
#include "model.h"

/* Public API */

/* Origins a council's records allow by default: the first year whose 31 March has
 * `window_years` of complete records before it (at least one), to the last whose 31
 * March is at least a year before the extract date. False when there is none. */
bool btrecords_default_origins(const model *records, int window_years, int *first, int *last);

/* Backtests the records held by `records` (a model with history and population, no rates:
 * fit_read_records). `name` labels them in the file and charts; `inputs` are the paths
 * read. NULL with *status set when an origin falls outside the records (CC_EINPUT, the
 * message names the dates) or memory runs out. */
backtest *btrecords_compute(const model *records, const backtest_config *cfg, const char *name,
                            const char *const *inputs, int ninputs, cc_err *err, int *status);

#endif
