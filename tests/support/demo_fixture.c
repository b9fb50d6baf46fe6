/* demo_fixture.c -- see demo_fixture.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "support/demo_fixture.h"

#include "date.h"
#include "fit.h"
#include "h5io.h"
#include "problems.h"
#include "synth.h"
#include "support/command.h"

int demo_fixture_make(demo_fixture *fx, const char *tag)
{
    if (!getenv("CARECAST_HOME")) {
        fprintf(stderr, "set CARECAST_HOME (make test does)\n");
        return -1;
    }
    h5io_init();
    snprintf(fx->dir, sizeof fx->dir, "/tmp/carecast-test-%s-XXXXXX", tag);
    if (!mkdtemp(fx->dir))
        return -1;
    char eps[300], pop[300];
    snprintf(fx->fitted, sizeof fx->fitted, "%s/fit.h5", fx->dir);
    snprintf(eps, sizeof eps, "%s/episodes.csv", fx->dir);
    snprintf(pop, sizeof pop, "%s/population.csv", fx->dir);
    char *synth[] = {"synth", "--out", fx->dir, "--seed", "1", NULL};
    char *fit[] = {"fit",
                   "--episodes",
                   eps,
                   "--population",
                   pop,
                   "--window",
                   "2018-04-01:2025-03-31",
                   "--extract",
                   "2025-03-31",
                   "--entry-trend",
                   "--check-replicates",
                   "0",
                   "--out",
                   fx->fitted,
                   NULL};
    if (command_run(synth_main, synth) != CC_OK || command_run(fit_main, fit) != CC_OK)
        return -1;
    cc_err err = {{0}, 0};
    int status;
    fx->model = model_read(fx->fitted, &err, &status);
    fx->start = date_from_ymd(2025, 4, 1);
    if (!fx->model)
        fprintf(stderr, "%s\n", err.msg);
    return fx->model ? 0 : -1;
}

int demo_fixture_remove(demo_fixture *fx)
{
    model_free(fx->model);
    fx->model = NULL;
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fx->dir);
    return system(cmd) == 0 ? 0 : -1;
}

const char *demo_fixture_write(const demo_fixture *fx, const char *name, const char *text)
{
    static char paths[8][320];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 320, "%s/%s", fx->dir, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return p;
}

scenario *demo_fixture_read_ok(const demo_fixture *fx, const char *path)
{
    problems *p = problems_alloc(20);
    scenario *sc = scenario_read(path, fx->model, fx->start, p);
    if (!sc)
        problems_print(p, stderr);
    problems_free(p);
    assert_non_null(sc);
    return sc;
}
