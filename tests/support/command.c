/* command.c -- see command.h. */
#include "support/command.h"

int command_run(int (*fn)(int, char **), char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    return fn(argc, argv);
}
