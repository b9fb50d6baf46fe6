/* cli.h -- command-line options declared once per command, in a table.
 *
 * Each command declares its options as a cli_spec table; the same table drives
 * parsing, the checks on values (numbers, dates), `carecast help COMMAND`, and the
 * message for an unknown option (which names the nearest valid one).
 */
#ifndef CC_CLI_H
#define CC_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"

#define CLI_MAX_OPTS 32
#define CLI_MAX_POS  64

typedef enum cli_type { CLI_FLAG, CLI_TEXT, CLI_LONG, CLI_DOUBLE, CLI_DATE } cli_type;

typedef struct cli_spec {
    const char *name; /* without the leading "--"; NULL ends a table */
    cli_type type;
    const char *metavar; /* shown in help, e.g. "N" or "FILE" */
    const char *help;
} cli_spec;

typedef struct cli_opts {
    const cli_spec *spec;
    const char *value[CLI_MAX_OPTS];
    long lval[CLI_MAX_OPTS];
    double dval[CLI_MAX_OPTS];
    int npos;
    const char *pos[CLI_MAX_POS]; /* arguments that are not options, in order */
    bool force;                   /* --force was given */
} cli_opts;

/* A command: its name, synopsis, one-paragraph description and option table. */
typedef struct cli_command {
    const char *name;
    const char *synopsis;
    const char *summary;
    const cli_spec *options;
    int (*main)(int argc, char **argv);
} cli_command;

/* Public API */

/* Parses argv[1..] (argv[0] is the command name) against `spec`. Every problem is
 * reported into err; returns CC_OK or CC_EUSAGE. */
int cli_parse(int argc, char **argv, const cli_spec *spec, cli_opts *o, cc_err *err);

/* Values of options (the default when the option was not given). */
const char *cli_text(const cli_opts *o, const char *name, const char *def);
long cli_long(const cli_opts *o, const char *name, long def);
double cli_double(const cli_opts *o, const char *name, double def);
int cli_date(const cli_opts *o, const char *name, int def);
bool cli_given(const cli_opts *o, const char *name);

/* Prints the messages in err to stderr (each line prefixed "carecast: ") and returns
 * status, so a command can end with `return cli_report(status, &err)`. */
int cli_report(int status, const cc_err *err);

/* Prints a command's usage and options. */
void cli_usage(FILE *f, const cli_command *cmd);

/* Folder holding models/ and plots/: $CARECAST_HOME, else the folder of the binary. */
const char *cli_home(void);

/* Path of models/standard.ini under cli_home(). */
const char *cli_default_definition(void);

/* Creates a folder (and its parents) if missing. */
int cli_make_dir(const char *dir, cc_err *err);

/* The command line as one string (for provenance). */
const char *cli_command_line(void);
void cli_set_command_line(int argc, char **argv);

#endif
