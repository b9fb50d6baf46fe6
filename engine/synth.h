/* synth.h -- `carecast synth`: the synthetic council used as demo and ground truth. */
#ifndef CC_SYNTH_H
#define CC_SYNTH_H

#include "cli.h"

/* Public API */

/* Options of `carecast synth`. */
extern const cli_spec synth_options[];

/* Runs `carecast synth` with its arguments (argv[0] is "synth"); returns a status code. */
int synth_main(int argc, char **argv);

#endif
