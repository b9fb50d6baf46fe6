/* command.h -- calls a carecast command's main function from a test, as the command line
 * would (argv[0] is the command name). */
#ifndef CC_TEST_COMMAND_H
#define CC_TEST_COMMAND_H

/* Runs fn with the NULL-terminated argv; returns its status code. */
int command_run(int (*fn)(int, char **), char **argv);

#endif
