/* error.c -- status codes, message buffers and the GSL error handler. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

static const struct {
    const char *text;
    int exit;
} status_table[] = {
#define CC_TABLE_ENTRY(name, exit, text) {text, exit},
    CC_ERROR_LIST(CC_TABLE_ENTRY)
#undef CC_TABLE_ENTRY
};

const char *cc_strerror(int status)
{
    if (status < 0 || status >= CC_NSTATUS)
        return "unknown status";
    return status_table[status].text;
}

int cc_exit_status(int status)
{
    if (status < 0 || status >= CC_NSTATUS)
        return 1;
    return status_table[status].exit;
}

int cc_fail(cc_err *err, int status, const char *fmt, ...)
{
    if (err == NULL)
        return status;
    size_t used = strlen(err->msg);
    size_t room = sizeof err->msg - used;
    if (room > 2) {
        if (used > 0) {
            err->msg[used++] = '\n';
            err->msg[used] = '\0';
            room--;
        }
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg + used, room, fmt, ap);
        va_end(ap);
    }
    err->count++;
    return status;
}

void cc_err_clear(cc_err *err)
{
    if (err) {
        err->msg[0] = '\0';
        err->count = 0;
    }
}

/* GSL's default handler calls abort(). Numerical failures inside carecast are bugs or
 * impossible parameters; report where GSL saw them and let the caller's status decide. */
static void gsl_handler(const char *reason, const char *file, int line, int gsl_errno)
{
    fprintf(stderr, "carecast: GSL error %d (%s) at %s:%d: %s\n", gsl_errno,
            gsl_strerror(gsl_errno), file, line, reason);
}

void cc_install_gsl_handler(void)
{
    gsl_set_error_handler(gsl_handler);
}
