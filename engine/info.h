/* info.h -- `carecast info`: what a model or run file holds. */
#ifndef CC_INFO_H
#define CC_INFO_H

#include "cli.h"

/* Public API */

/* Options of `carecast info`. */
extern const cli_spec info_options[];

/* Runs `carecast info FILE.h5 [--csv]`; returns a status code. */
int info_main(int argc, char **argv);

#endif
