/* error.h -- the single list of carecast status codes, and how they reach the user.
 *
 * Every engine function that can fail returns one of the codes below and, where the
 * caller passed a cc_err, a message that names the file, line, key or value at fault.
 * Codes are listed once (an X-macro), which expands both into the enum and into the
 * table behind cc_strerror() and cc_exit_status(), so a new code cannot be half-added.
 *
 * Exit statuses follow the command-line contract: 0 success, 2 for a usage or input
 * error (the user can fix it), 1 for a failure while running.
 */
#ifndef CC_ERROR_H
#define CC_ERROR_H

#include <stddef.h>

/*      name          exit  meaning */
#define CC_ERROR_LIST(X)                                                                           \
    X(CC_OK, 0, "success")                                                                         \
    X(CC_EUSAGE, 2, "usage error (bad command line)")                                              \
    X(CC_EINPUT, 2, "input error (a file or value is not what was expected)")                      \
    X(CC_EEXIST, 2, "output exists (use --force to replace it)")                                   \
    X(CC_ENOMEM, 1, "out of memory")                                                               \
    X(CC_EIO, 1, "input/output failure")                                                           \
    X(CC_EHDF5, 1, "HDF5 library failure")                                                         \
    X(CC_EEXTERNAL, 1, "an external program failed")                                               \
    X(CC_EINTERNAL, 1, "internal error (a bug: please report it)")

enum cc_status {
#define CC_ENUM_ENTRY(name, exit, text) name,
    CC_ERROR_LIST(CC_ENUM_ENTRY)
#undef CC_ENUM_ENTRY
        CC_NSTATUS
};

/* A message buffer filled by failing functions. Messages accumulate line by line,
 * so a checker can report several problems at once; `count` says how many. */
typedef struct cc_err {
    char msg[8192];
    int count;
} cc_err;

/* Public API */

/* Short text for a status code. */
const char *cc_strerror(int status);

/* Process exit status for a code: 0, 1 or 2 as in the command-line contract. */
int cc_exit_status(int status);

/* Appends one formatted line to `err` (which may be NULL) and returns `status`,
 * so a failing function can write `return cc_fail(err, CC_EINPUT, "...", ...)`. */
int cc_fail(cc_err *err, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Clears a message buffer. */
void cc_err_clear(cc_err *err);

/* Routes GSL's error handler through carecast's messages instead of abort(). */
void cc_install_gsl_handler(void);

#endif
