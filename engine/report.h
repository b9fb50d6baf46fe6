/* report.h -- `carecast report`: CSV tables from a run file for a finance officer's
 * spreadsheet.
 *
 * Writes into DIR (created if needed; an existing table is replaced only with --force):
 *   cost_by_year.csv         cost by scenario, financial year and line: mean, P10, P50,
 *                            P90 in pounds, the budget and the probability of
 *                            overspending it, and each scenario's difference from the
 *                            baseline (same replicates) with its P10-P90
 *   sufficiency_by_year.csv  placements by scenario, financial year and need: demand,
 *                            in-house / block / spot placements, beds, free beds and the
 *                            gap (means over the year's month ends), placements started
 *                            and overflow to spot (sums over the year)
 *   cohorts_31_march.csv     children in each cohort on each 31 March of the horizon
 *   workforce_by_year.csv    (runs with a workforce) each workforce measure by year and team
 *   README.txt               what every column means, with units and intervals
 * Every figure is a statistic over replicates of a quantity totalled inside each
 * replicate first (P10-P90 is an 80% interval). Each table is written to a temporary
 * name and renamed when complete.
 */
#ifndef CC_REPORT_H
#define CC_REPORT_H

#include "cli.h"

/* Public API */

/* Options of `carecast report`. */
extern const cli_spec report_options[];

/* Runs `carecast report` with its arguments (argv[0] is "report"); returns a status. */
int report_main(int argc, char **argv);

#endif
