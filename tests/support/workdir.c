/* workdir.c -- see workdir.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support/spawn.h"
#include "support/workdir.h"

int workdir_make(workdir *w, const char *tag, bool need_bin)
{
    const char *h = getenv("CARECAST_HOME"), *b = getenv("CARECAST_BIN");
    if (h && *h)
        snprintf(w->home, sizeof w->home, "%s", h);
    else if (!getcwd(w->home, sizeof w->home))
        snprintf(w->home, sizeof w->home, ".");
    if (b && *b)
        snprintf(w->bin, sizeof w->bin, "%s", b);
    else
        snprintf(w->bin, sizeof w->bin, "%s/build/carecast", w->home);
    if (need_bin && access(w->bin, X_OK) != 0) {
        fprintf(stderr, "%s is not an executable (build it, or set CARECAST_BIN)\n", w->bin);
        return -1;
    }
    const char *tmpdir = getenv("TMPDIR");
    snprintf(w->dir, sizeof w->dir, "%s/carecast-test-%s-XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp", tag);
    if (!mkdtemp(w->dir)) {
        fprintf(stderr, "mkdtemp(%s) failed: %s\n", w->dir, strerror(errno));
        w->dir[0] = '\0';
        return -1;
    }
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int workdir_remove(workdir *w)
{
    if (w->dir[0] && nftw(w->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        return -1;
    w->dir[0] = '\0';
    return 0;
}

void workdir_carecast(const workdir *w, workdir_run *r, const char *arg, ...)
{
    char *argv[40];
    int n = 0;
    argv[n++] = "carecast";
    va_list ap;
    va_start(ap, arg);
    for (const char *s = arg; s && n < 38; s = va_arg(ap, const char *))
        argv[n++] = (char *)s;
    va_end(ap);
    argv[n] = NULL;
    r->status = spawn_capture(w->bin, argv, w->dir, r->out, sizeof r->out, r->err, sizeof r->err);
    if (r->status == -1000 || r->status == 126 || r->status == 127)
        fail_msg("could not run %s (status %d)", w->bin, r->status);
    if (r->status < 0)
        fail_msg("%s was killed by signal %d\nstderr:\n%s", w->bin, -1 - r->status, r->err);
}

double workdir_peer_value(const char *home, const char *file, const char *date, int column)
{
    char path[8400], line[512];
    snprintf(path, sizeof path, "%s/tests/fixtures/ssda903-d2i/%s", home, file);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s", path);
    double v = NAN;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, date, 10)) {
            char *p = line;
            for (int i = 0; i < column && p; i++)
                if ((p = strchr(p, ',')))
                    p++;
            v = p ? atof(p) : NAN;
        }
    fclose(f);
    if (isnan(v))
        fail_msg("%s has no row dated %s with a column %d", path, date, column);
    return v;
}
