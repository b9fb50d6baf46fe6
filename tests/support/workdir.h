/* workdir.h -- what the tests that run the binary or write files share: where the binary
 * under test and the source folder are, a temporary folder of their own, running the
 * binary there with its output captured, and reading the peer model's output files. */
#ifndef CC_TEST_WORKDIR_H
#define CC_TEST_WORKDIR_H

#include <stdbool.h>

#define WORKDIR_CAPTURE 65536

typedef struct workdir {
    char home[4096]; /* CARECAST_HOME, else the current folder */
    char bin[4200];  /* CARECAST_BIN, else HOME/build/carecast */
    char dir[4096];  /* TMPDIR/carecast-test-TAG-XXXXXX (TMPDIR defaults to /tmp) */
} workdir;

/* What one run of the binary did. */
typedef struct workdir_run {
    int status;
    char out[WORKDIR_CAPTURE], err[WORKDIR_CAPTURE];
} workdir_run;

/* Finds the source folder and (when `need_bin`) the binary, and makes the temporary
 * folder; 0, or -1 with a message on stderr. */
int workdir_make(workdir *w, const char *tag, bool need_bin);

/* Removes the temporary folder and everything in it; 0 on success. */
int workdir_remove(workdir *w);

/* Runs the binary in the temporary folder with the NULL-terminated arguments after
 * "carecast" into r, failing the test if it could not run or was killed. */
void workdir_carecast(const workdir *w, workdir_run *r, const char *arg, ...);

/* Column `column` (0-based) of the row dated `date` (YYYY-MM-DD) of a file of the peer
 * model's outputs in HOME/tests/fixtures/ssda903-d2i, failing the test if there is none. */
double workdir_peer_value(const char *home, const char *file, const char *date, int column);

#endif
