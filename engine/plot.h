/* plot.h -- `carecast plot`: fan charts of a run file, drawn by gnuplot. */
#ifndef CC_PLOT_H
#define CC_PLOT_H

#include <stdbool.h>
#include <stddef.h>

#include "cli.h"

/* Public API */

/* Options of `carecast plot`. */
extern const cli_spec plot_options[];

/* Runs `carecast plot RUN.h5 --out DIR [--format png|svg|pdf] [--force]`. */
int plot_main(int argc, char **argv);

/* Helpers shared with other chart makers (backtest.c). */

/* Runs plots/SCRIPT with the gnuplot variables `vars`, drawing into `tmp` and renaming
 * it to `final` when gnuplot succeeds. */
int plot_gnuplot(const char *script_name, const char *vars, const char *final, const char *tmp,
                 cc_err *err);

/* A chart's final and temporary paths: DIR/PREFIXNAME.FMT and DIR/.PREFIXNAME.tmp.FMT. */
void plot_paths(const char *dir, const char *prefix, const char *name, const char *fmt,
                char *final, char *tmp, size_t size);

/* Doubles apostrophes so a value can sit inside a single-quoted gnuplot string. */
void plot_quote(char *dst, size_t size, const char *src);

/* CC_EEXIST (nothing written) if DIR/NAME.FMT exists and !force. */
int plot_check_free(const char *dir, const char *name, const char *fmt, bool force, cc_err *err);

#endif
