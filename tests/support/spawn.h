/* spawn.h -- runs a program from a test and captures what it prints. */
#ifndef CC_TEST_SPAWN_H
#define CC_TEST_SPAWN_H

#include <stddef.h>

/* Runs `exe` with the NULL-terminated argv in folder `dir` (stdin from /dev/null) and
 * waits for it. Its stdout and stderr go to DIR/capture.stdout and DIR/capture.stderr,
 * which are read into out and err (each NUL-terminated, cut at size - 1 bytes; either may
 * be NULL) and removed. Returns the exit status: 126 if the child could not set itself
 * up, 127 if `exe` could not be run, -1 - SIGNAL if it was killed, -1000 if fork failed. */
int spawn_capture(const char *exe, char *const *argv, const char *dir, char *out, size_t out_size,
                  char *err, size_t err_size);

#endif
