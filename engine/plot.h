/* plot.h -- `carecast plot`: fan charts of a run file, drawn by gnuplot. */
#ifndef CC_PLOT_H
#define CC_PLOT_H

#include "cli.h"

/* Public API */

/* Options of `carecast plot`. */
extern const cli_spec plot_options[];

/* Runs `carecast plot RUN.h5 --out DIR [--format png|svg|pdf] [--force]`. */
int plot_main(int argc, char **argv);

#endif
