/* test_history.c -- the cleaning rules of engine/history.c, worked by hand.
 *
 * Build and run one program from the repository root:
 *   make carecast build/tests/test_history && CARECAST_HOME=$PWD build/tests/test_history
 *
 * Needs CARECAST_HOME (the source folder holding models/standard.ini).
 *
 * Each case writes a few small CSV files into a fresh mkdtemp folder, reads them with the
 * library (history_read_ssda903 / history_read_episodes / history_read_population),
 * calls history_finish() and compares h->episodes, one by one, with the episodes worked
 * out by hand in the comment above the case. The code maps come from
 * models/standard.ini: U1-U3 = CLA_KIN, U4-U6 = CLA_FOS, K2/R1 = CLA_RES, H5 = CLA_SUP,
 * P1 = CLA_PWP; X1 = move, E11 = adopted, E13 = returned_home, E17 = aged_out; looked-after
 * states end at the 18th birthday by `aged_out` (then CL), CL at the 25th by
 * `support_ended`. Dates in the expectations are calendar dates; a 18th or 25th birthday
 * is the same day and month 18 or 25 years on (none of the children here is born on
 * 29 February).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "error.h"
#include "history.h"
#include "model.h"
#include "modeldef.h"
#include "problems.h"

/* ---- the world of one case ------------------------------------------------------------ */

typedef struct world {
    char dir[256]; /* the temporary folder */
    modeldef *def;
    problems *p;
    history *h;
} world;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static int setup(void **state)
{
    const char *home = getenv("CARECAST_HOME");
    if (!home || !*home)
        return -1;
    world *w = calloc(1, sizeof *w);
    if (!w)
        return -1;
    snprintf(w->dir, sizeof w->dir, "/tmp/test_history.XXXXXX");
    if (!mkdtemp(w->dir)) {
        free(w);
        return -1;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/models/standard.ini", home);
    cc_err err = {{0}, 0};
    int status = 0;
    w->def = modeldef_alloc(path, &err, &status);
    if (!w->def) {
        fprintf(stderr, "test_history: %s\n", err.msg);
        free(w);
        return -1;
    }
    w->p = problems_alloc(100);
    w->h = history_alloc(w->def);
    if (!w->p || !w->h)
        return -1;
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    world *w = *state;
    if (!w)
        return 0;
    history_free(w->h);
    problems_free(w->p);
    modeldef_free(w->def);
    nftw(w->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(w);
    return 0;
}

/* A fresh history and problem list over the same definition (for several runs in one
 * case). */
static void renew(world *w)
{
    history_free(w->h);
    problems_free(w->p);
    w->p = problems_alloc(100);
    w->h = history_alloc(w->def);
    assert_non_null(w->p);
    assert_non_null(w->h);
}

/* DIR/rel into buf. */
static const char *at(const world *w, const char *rel, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", w->dir, rel);
    return buf;
}

/* Writes `text` to DIR/rel, making the folders on the way. */
static void put(const world *w, const char *rel, const char *text)
{
    char path[4096];
    at(w, rel, path, sizeof path);
    for (char *s = path + strlen(w->dir) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(path, 0700);
            *s = '/';
        }
    FILE *f = fopen(path, "w");
    if (!f)
        fail_msg("cannot write %s", path);
    fputs(text, f);
    fclose(f);
}

static void read_903(world *w, const char *rel)
{
    char path[4096];
    assert_int_equal(history_read_ssda903(w->h, at(w, rel, path, sizeof path), w->p), CC_OK);
}

static void read_canonical(world *w, const char *rel)
{
    char path[4096];
    assert_int_equal(history_read_episodes(w->h, at(w, rel, path, sizeof path), w->p), CC_OK);
}

/* All problems printed, for messages and for failure reports. */
static char *problem_text(const world *w)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    assert_non_null(f);
    problems_print(w->p, f);
    fclose(f);
    return buf;
}

static void finish(world *w, int extract)
{
    assert_int_equal(history_finish(w->h, extract, w->p), CC_OK);
}

/* Fails unless the numbers of errors and warnings are as expected. */
static void expect_problems(const world *w, long errors, long warnings)
{
    if (problems_errors(w->p) != errors || problems_warnings(w->p) != warnings) {
        char *text = problem_text(w);
        fail_msg("expected %ld errors and %ld warnings, got %ld and %ld:\n%s", errors, warnings,
                 problems_errors(w->p), problems_warnings(w->p), text);
    }
}

/* Fails unless some problem line contains every one of the (NULL-ended) needles. */
static void expect_problem_with(const world *w, const char *needle, ...)
{
    char *text = problem_text(w);
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        va_list ap;
        va_start(ap, needle);
        int ok = 1;
        for (const char *n = needle; n; n = va_arg(ap, const char *))
            ok &= strstr(line, n) != NULL;
        va_end(ap);
        if (ok) {
            free(text);
            return;
        }
    }
    char *again = problem_text(w);
    fail_msg("no problem contains \"%s\" (and the other words):\n%s", needle, again);
}

/* Day number of "YYYY-MM-DD". */
static int day(const char *iso)
{
    int y, m, d;
    if (sscanf(iso, "%4d-%2d-%2d", &y, &m, &d) != 3)
        fail_msg("test bug: bad date %s", iso);
    return date_from_ymd(y, m, d);
}

/* A reason as named in the expectations: "move", "open" or an exit name. */
static int reason_of(const modeldef *d, const char *name)
{
    if (!strcmp(name, "move"))
        return MODEL_REASON_MOVE;
    if (!strcmp(name, "open"))
        return MODEL_REASON_OPEN;
    int e = modeldef_exit_index(d, name);
    if (e < 0)
        fail_msg("test bug: no exit %s", name);
    return e;
}

static const char *reason_name(const modeldef *d, int r)
{
    return r == MODEL_REASON_MOVE ? "move" : r == MODEL_REASON_OPEN ? "open" : d->exits[r].name;
}

/* Every episode, for failure reports. */
static void dump(const world *w)
{
    const history *h = w->h;
    for (int64_t i = 0; i < h->nepisodes; i++) {
        const model_episode *e = &h->episodes[i];
        char b[11], s[11], x[11] = "open";
        date_format(e->dob, b);
        date_format(e->start, s);
        if (e->end != MODEL_OPEN_END)
            date_format(e->end, x);
        fprintf(stderr, "  episode %lld: child %lld born %s %s [%s, %s) %s\n", (long long)i,
                (long long)e->child, b, w->def->states[e->state].name, s, x,
                e->reason >= 0 || e->reason == MODEL_REASON_MOVE ||
                        e->reason == MODEL_REASON_OPEN
                    ? reason_name(w->def, e->reason)
                    : "?");
    }
}

/* Fails unless episode i is child `child` in `state` on [start, end) ended by `reason`
 * (end NULL = open at the extract date). */
static void expect_episode(const world *w, int64_t i, int64_t child, const char *state,
                           const char *start, const char *end, const char *reason)
{
    const history *h = w->h;
    if (i >= h->nepisodes) {
        dump(w);
        fail_msg("expected an episode %lld, there are %lld", (long long)i,
                 (long long)h->nepisodes);
    }
    const model_episode *e = &h->episodes[i];
    int s = modeldef_state_index(w->def, state);
    if (s < 0)
        fail_msg("test bug: no state %s", state);
    int want_end = end ? day(end) : MODEL_OPEN_END;
    int want_reason = reason_of(w->def, reason);
    if (e->child != child || e->state != s || e->start != day(start) || e->end != want_end ||
        e->reason != want_reason) {
        dump(w);
        fail_msg("episode %lld: expected child %lld %s [%s, %s) %s", (long long)i,
                 (long long)child, state, start, end ? end : "open", reason);
    }
}

static void expect_count(const world *w, int64_t episodes, int64_t children)
{
    if (w->h->nepisodes != episodes || w->h->nchildren != children) {
        dump(w);
        fail_msg("expected %lld episodes of %lld children, got %lld of %lld",
                 (long long)episodes, (long long)children, (long long)w->h->nepisodes,
                 (long long)w->h->nchildren);
    }
}

static void expect_date(int got, const char *want)
{
    char g[11];
    date_format(got, g);
    if (got != day(want))
        fail_msg("expected %s, got %s", want, g);
}

#define EPISODES_HEAD "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC\n"
#define HEADER_HEAD   "CHILD,SEX,DOB\n"
#define CANON_HEAD    "child_id,date_of_birth,state,start_date,end_date,end_reason\n"

/* ---- SSDA903 rules -------------------------------------------------------------------- */

/* The same CHILD and DECOM in two returns: open in the 2019 return, closed in the 2020
 * one (the usual case: an episode open on 31 March 2019 that ended later). The closed one
 * is kept: CLA_FOS [2018-06-01, 2019-12-01) returned_home (E13), born 2010-01-01. The
 * latest date is the DEC 2019-12-01, so the extract date is 2020-03-31. One warning (the
 * count of repeated episodes). The returns are in one folder per year (2019/, 2020/). */
static void test_same_decom_keeps_closed(void **state)
{
    world *w = *state;
    put(w, "903/2019/header.csv", HEADER_HEAD "C1,1,01/01/2010\n");
    put(w, "903/2019/episodes.csv", EPISODES_HEAD "C1,01/06/2018,S,C2,N1,U4,PR1,,\n");
    put(w, "903/2020/header.csv", HEADER_HEAD "C1,1,01/01/2010\n");
    put(w, "903/2020/episodes.csv", EPISODES_HEAD "C1,01/06/2018,S,C2,N1,U4,PR1,01/12/2019,E13\n");
    read_903(w, "903");
    finish(w, INT32_MIN);
    expect_problems(w, 0, 1);
    expect_problem_with(w, "same CHILD and DECOM", NULL);
    expect_count(w, 1, 1);
    expect_episode(w, 0, 0, "CLA_FOS", "2018-06-01", "2019-12-01", "returned_home");
    expect_date(w->h->episodes[0].dob, "2010-01-01");
    expect_date(w->h->extract_date, "2020-03-31");
}

/* The same CHILD and DEC twice: U4 from 2018-05-01 and R1 from 2018-07-01, both ending
 * 2018-10-01 (E13). The longer (earlier DECOM) is kept: CLA_FOS [2018-05-01, 2018-10-01)
 * returned_home; the R1 row is dropped (had it been kept, the U4 episode would have been
 * cut at 2018-07-01 as a move). One warning. */
static void test_same_dec_keeps_longer(void **state)
{
    world *w = *state;
    put(w, "903/2019-header.csv", HEADER_HEAD "C2,2,2011-02-03\n");
    put(w, "903/2019-episodes.csv", EPISODES_HEAD "C2,01/05/2018,S,C2,N1,U4,PR1,01/10/2018,E13\n"
                                                  "C2,01/07/2018,S,C2,N1,R1,PR1,01/10/2018,E13\n");
    read_903(w, "903");
    finish(w, INT32_MIN);
    expect_problems(w, 0, 1);
    expect_problem_with(w, "shared CHILD and DEC", "longer", NULL);
    expect_count(w, 1, 1);
    expect_episode(w, 0, 0, "CLA_FOS", "2018-05-01", "2018-10-01", "returned_home");
}

/* DEC after the next DECOM: U4 [2018-05-01, 2018-09-01) E13 overlaps K2 from 2018-08-01
 * (open). The first ends when the next starts, as a move:
 *   CLA_FOS [2018-05-01, 2018-08-01) move; CLA_RES [2018-08-01, open).
 * One warning at the first row (line 2, column DEC). Extract: the latest date is
 * 2018-09-01, so 2019-03-31. */
static void test_dec_after_next_decom(void **state)
{
    world *w = *state;
    put(w, "903/2019-header.csv", HEADER_HEAD "C3,1,09/09/2009\n");
    put(w, "903/2019-episodes.csv", EPISODES_HEAD "C3,01/05/2018,S,C2,N1,U4,PR1,01/09/2018,E13\n"
                                                  "C3,01/08/2018,S,C2,N1,K2,PR1,,\n");
    read_903(w, "903");
    finish(w, INT32_MIN);
    expect_problems(w, 0, 1);
    expect_problem_with(w, "2019-episodes.csv:2:", "column DEC", "2018-08-01", NULL);
    expect_count(w, 2, 1);
    expect_episode(w, 0, 0, "CLA_FOS", "2018-05-01", "2018-08-01", "move");
    expect_episode(w, 1, 0, "CLA_RES", "2018-08-01", NULL, "open");
    expect_date(w->h->extract_date, "2019-03-31");
}

/* An episode followed the same day by another is a move, even with an E code:
 *   U4 [2018-05-01, 2018-09-01) E13, then R1 [2018-09-01, 2018-12-01) E13 give
 *   CLA_FOS [2018-05-01, 2018-09-01) move; CLA_RES [2018-09-01, 2018-12-01) returned_home.
 * No problems. */
static void test_same_day_e_code_is_move(void **state)
{
    world *w = *state;
    put(w, "903/2019-header.csv", HEADER_HEAD "C4,1,01/03/2008\n");
    put(w, "903/2019-episodes.csv", EPISODES_HEAD "C4,01/05/2018,S,C2,N1,U4,PR1,01/09/2018,E13\n"
                                                  "C4,01/09/2018,P,C2,N1,R1,PR1,01/12/2018,E13\n");
    read_903(w, "903");
    finish(w, INT32_MIN);
    expect_problems(w, 0, 0);
    expect_count(w, 2, 1);
    expect_episode(w, 0, 0, "CLA_FOS", "2018-05-01", "2018-09-01", "move");
    expect_episode(w, 1, 0, "CLA_RES", "2018-09-01", "2018-12-01", "returned_home");
}

/* U4 -> U5 the same day (X1): both are CLA_FOS, so one episode with the second's end and
 * reason: CLA_FOS [2018-05-01, 2018-12-01) returned_home (E13). No problems. */
static void test_u4_u5_merge(void **state)
{
    world *w = *state;
    put(w, "903/2019-header.csv", HEADER_HEAD "C5,2,01/03/2008\n");
    put(w, "903/2019-episodes.csv", EPISODES_HEAD "C5,01/05/2018,S,C2,N1,U4,PR1,01/09/2018,X1\n"
                                                  "C5,01/09/2018,P,C2,N1,U5,PR1,01/12/2018,E13\n");
    read_903(w, "903");
    finish(w, INT32_MIN);
    expect_problems(w, 0, 0);
    expect_count(w, 1, 1);
    expect_episode(w, 0, 0, "CLA_FOS", "2018-05-01", "2018-12-01", "returned_home");
}

/* X1 but the next episode starts later (2018-08-01 -> 2018-09-15): the first episode
 * leaves care by the exit `other`, with a warning on its REC:
 *   CLA_FOS [2018-05-01, 2018-08-01) other; CLA_RES [2018-09-15, open). */
static void test_x1_with_gap_is_other(void **state)
{
    world *w = *state;
    put(w, "903/2019-header.csv", HEADER_HEAD "C6,1,12/12/2010\n");
    put(w, "903/2019-episodes.csv", EPISODES_HEAD "C6,01/05/2018,S,C2,N1,U4,PR1,01/08/2018,X1\n"
                                                  "C6,15/09/2018,S,C2,N1,K2,PR1,,\n");
    read_903(w, "903");
    finish(w, INT32_MIN);
    expect_problems(w, 0, 1);
    expect_problem_with(w, "2019-episodes.csv:2:", "column REC", "warning", "2018-08-01", NULL);
    expect_count(w, 2, 1);
    expect_episode(w, 0, 0, "CLA_FOS", "2018-05-01", "2018-08-01", "other");
    expect_episode(w, 1, 0, "CLA_RES", "2018-09-15", NULL, "open");
}

/* Ageing out of care while still open. Born 2001-09-15, so 18 on 2019-09-15 and 25 on
 * 2026-09-15. U4 from 2018-05-01, still open; extract date given as 2021-03-31:
 *   CLA_FOS [2018-05-01, 2019-09-15) aged_out; CL [2019-09-15, open) (25th birthday after
 *   the extract). One warning (open past the 18th birthday). */
static void test_aged_out_open(void **state)
{
    world *w = *state;
    put(w, "903/2019-header.csv", HEADER_HEAD "C7,1,15/09/2001\n");
    put(w, "903/2019-episodes.csv", EPISODES_HEAD "C7,01/05/2018,S,C2,N1,U4,PR1,,\n");
    read_903(w, "903");
    finish(w, day("2021-03-31"));
    expect_problems(w, 0, 1);
    expect_problem_with(w, "18", "2019-09-15", NULL);
    expect_count(w, 2, 1);
    expect_episode(w, 0, 0, "CLA_FOS", "2018-05-01", "2019-09-15", "aged_out");
    expect_episode(w, 1, 0, "CL", "2019-09-15", NULL, "open");
}

/* The same when the 25th birthday is before the extract date. Born 1996-06-10: 18 on
 * 2014-06-10, 25 on 2021-06-10. U4 from 2013-05-01, still open; extract 2022-03-31:
 *   CLA_FOS [2013-05-01, 2014-06-10) aged_out; CL [2014-06-10, 2021-06-10) support_ended.
 * One warning (open past the 18th birthday). */
static void test_aged_out_and_past_25(void **state)
{
    world *w = *state;
    put(w, "903/2014-header.csv", HEADER_HEAD "C8,2,10/06/1996\n");
    put(w, "903/2014-episodes.csv", EPISODES_HEAD "C8,01/05/2013,S,C2,N1,U4,PR1,,\n");
    read_903(w, "903");
    finish(w, day("2022-03-31"));
    expect_problems(w, 0, 1);
    expect_count(w, 2, 1);
    expect_episode(w, 0, 0, "CLA_FOS", "2013-05-01", "2014-06-10", "aged_out");
    expect_episode(w, 1, 0, "CL", "2014-06-10", "2021-06-10", "support_ended");
}

/* A closed episode whose DEC (2020-01-01, E13) is after the 18th birthday (born
 * 2001-09-15: 2019-09-15) is ended at the birthday by aged_out, and a CL episode starts
 * then. Default extract: latest date 2020-01-01 -> 2020-03-31, so CL is open.
 *   CLA_RES [2019-01-10, 2019-09-15) aged_out; CL [2019-09-15, open). One warning. */
static void test_aged_out_closed_later(void **state)
{
    world *w = *state;
    put(w, "903/2020-header.csv", HEADER_HEAD "C9,1,2001-09-15\n");
    put(w, "903/2020-episodes.csv", EPISODES_HEAD "C9,10/01/2019,S,C2,N1,R1,PR1,01/01/2020,E13\n");
    read_903(w, "903");
    finish(w, INT32_MIN);
    expect_problems(w, 0, 1);
    expect_problem_with(w, "column DEC", "2019-09-15", NULL);
    expect_count(w, 2, 1);
    expect_episode(w, 0, 0, "CLA_RES", "2019-01-10", "2019-09-15", "aged_out");
    expect_episode(w, 1, 0, "CL", "2019-09-15", NULL, "open");
    expect_date(w->h->extract_date, "2020-03-31");
}

/* The default extract date for SSDA903 is the 31 March on or after the latest DECOM or
 * DEC:
 *   latest DEC 2019-04-01 (just after a 31 March)  -> 2020-03-31
 *   latest DECOM 2019-03-31 (open; on a 31 March)   -> 2019-03-31
 *   latest DEC 2019-01-15 (January)                 -> 2019-03-31
 *   latest DEC 2019-12-31                           -> 2020-03-31
 * An extract date given explicitly is used as it is (2019-06-30). */
static void test_default_extract_date(void **state)
{
    world *w = *state;
    static const struct {
        const char *rows, *want;
    } cases[] = {
        {"E1,01/05/2018,S,C2,N1,U4,PR1,01/04/2019,E13\n", "2020-03-31"},
        {"E1,01/05/2018,S,C2,N1,U4,PR1,01/02/2019,X1\n"
         "E1,01/02/2019,S,C2,N1,U5,PR1,01/03/2019,X1\n"
         "E1,01/03/2019,S,C2,N1,K2,PR1,31/03/2019,X1\n"
         "E1,31/03/2019,S,C2,N1,H5,PR1,,\n",
         "2019-03-31"},
        {"E1,01/05/2018,S,C2,N1,U4,PR1,15/01/2019,E13\n", "2019-03-31"},
        {"E1,01/05/2018,S,C2,N1,U4,PR1,31/12/2019,E13\n", "2020-03-31"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char dir[64], rel[128], text[1024];
        snprintf(dir, sizeof dir, "case%zu", i);
        snprintf(rel, sizeof rel, "%s/2019-header.csv", dir);
        put(w, rel, HEADER_HEAD "E1,1,01/01/2010\n");
        snprintf(rel, sizeof rel, "%s/2019-episodes.csv", dir);
        snprintf(text, sizeof text, EPISODES_HEAD "%s", cases[i].rows);
        put(w, rel, text);
        renew(w);
        read_903(w, dir);
        finish(w, INT32_MIN);
        expect_problems(w, 0, 0);
        expect_date(w->h->extract_date, cases[i].want);
    }
    renew(w);
    read_903(w, "case0");
    finish(w, day("2019-06-30"));
    expect_date(w->h->extract_date, "2019-06-30");
}

/* Both date forms (DD/MM/YYYY and YYYY-MM-DD, mixed in one file) and a YEAR column in
 * files whose names carry no year. The header has the child twice: 2019 says born
 * 2010-01-01, 2020 says 2010-02-02; the latest return wins (2010-02-02), with a warning.
 * The episode is open in the 2019 rows and closed in the 2020 rows (same DECOM, one in
 * each date form): CLA_FOS [2018-06-01, 2019-11-30) returned_home. Two warnings (the DOB,
 * the repeated episode). Extract 2020-03-31. */
static void test_date_forms_and_year_column(void **state)
{
    world *w = *state;
    put(w, "yearcol/header.csv", "YEAR,CHILD,SEX,DOB\n"
                                 "2020,Y1,1,2010-02-02\n"
                                 "2019,Y1,1,01/01/2010\n");
    put(w, "yearcol/episodes.csv", "YEAR,CHILD,DECOM,DEC,PLACE,REC\n"
                                   "2019,Y1,01/06/2018,,U4,\n"
                                   "2020,Y1,2018-06-01,2019-11-30,U4,E13\n");
    read_903(w, "yearcol");
    finish(w, INT32_MIN);
    expect_problems(w, 0, 2);
    expect_problem_with(w, "header.csv:3:", "column DOB", "2010-01-01", "2010-02-02", NULL);
    expect_count(w, 1, 1);
    expect_episode(w, 0, 0, "CLA_FOS", "2018-06-01", "2019-11-30", "returned_home");
    expect_date(w->h->episodes[0].dob, "2010-02-02");
    expect_date(w->h->extract_date, "2020-03-31");
}

/* ---- population ----------------------------------------------------------------------- */

/* Years 2018 and 2019, ages 0-17, children = 100 * age + (year - 2018), except 2019
 * age 5 = 1234.5. So pop_year0 = 2018, pop_nyears = 2, population[1][5] = 1234.5 and
 * population[0][17] = 1700. */
static void test_population(void **state)
{
    world *w = *state;
    char text[4096] = "year,age,children\n";
    for (int y = 2018; y <= 2019; y++)
        for (int a = 0; a < 18; a++) {
            char row[64];
            if (y == 2019 && a == 5)
                snprintf(row, sizeof row, "%d,%d,1234.5\n", y, a);
            else
                snprintf(row, sizeof row, "%d,%d,%d\n", y, a, 100 * a + (y - 2018));
            strcat(text, row);
        }
    put(w, "population.csv", text);
    char path[4096];
    assert_int_equal(
        history_read_population(w->h, at(w, "population.csv", path, sizeof path), w->p), CC_OK);
    expect_problems(w, 0, 0);
    assert_int_equal(w->h->pop_year0, 2018);
    assert_int_equal(w->h->pop_nyears, 2);
    assert_non_null(w->h->population);
    assert_true(w->h->population[1 * MODEL_POP_AGES + 5] == 1234.5);
    assert_true(w->h->population[0 * MODEL_POP_AGES + 17] == 1700.0);
}

/* ---- canonical and SSDA903 together --------------------------------------------------- */

/* Child 77 (born 2012-01-01): canonical CIN [2019-01-01, 2019-12-31) case_closed; SSDA903
 * CLA U4 [2019-06-01, 2019-09-01) E13. SSDA903 is the record of care and the child is
 * counted at the highest level, so the CIN episode is cut around the CLA one:
 *   CIN [2019-01-01, 2019-06-01) move; CLA_FOS [2019-06-01, 2019-09-01) move (the CIN
 *   piece starts that day); CIN [2019-09-01, 2019-12-31) case_closed.
 * No problems. */
static void test_canonical_cut_around_ssda903(void **state)
{
    world *w = *state;
    put(w, "episodes.csv", CANON_HEAD "77,2012-01-01,CIN,2019-01-01,2019-12-31,case_closed\n");
    put(w, "903/2020-header.csv", HEADER_HEAD "77,1,01/01/2012\n");
    put(w, "903/2020-episodes.csv", EPISODES_HEAD "77,01/06/2019,S,C2,N1,U4,PR1,01/09/2019,E13\n");
    read_canonical(w, "episodes.csv");
    read_903(w, "903");
    finish(w, INT32_MIN);
    expect_problems(w, 0, 0);
    expect_count(w, 3, 1);
    expect_episode(w, 0, 0, "CIN", "2019-01-01", "2019-06-01", "move");
    expect_episode(w, 1, 0, "CLA_FOS", "2019-06-01", "2019-09-01", "move");
    expect_episode(w, 2, 0, "CIN", "2019-09-01", "2019-12-31", "case_closed");
}

/* history.h: "When both the canonical file and SSDA903 are given for the same children,
 * the SSDA903 looked-after episodes take precedence". Child 5 has no SSDA903 record at
 * all, so its canonical episodes stand as they are:
 *   child 5 (index 0): CIN [2019-01-01, 2019-03-01) move; CLA_FOS [2019-03-01,
 *   2019-10-01) returned_home.
 * Child 6 (index 1) has only SSDA903: CLA_FOS [2019-06-01, open). No errors. */
static void test_canonical_care_kept_without_ssda903(void **state)
{
    world *w = *state;
    put(w, "episodes.csv", CANON_HEAD "5,2012-01-01,CIN,2019-01-01,2019-03-01,moved\n"
                                      "5,2012-01-01,CLA_FOS,2019-03-01,2019-10-01,returned_home\n");
    put(w, "903/2020-header.csv", HEADER_HEAD "6,1,01/01/2012\n");
    put(w, "903/2020-episodes.csv", EPISODES_HEAD "6,01/06/2019,S,C2,N1,U4,PR1,,\n");
    read_canonical(w, "episodes.csv");
    read_903(w, "903");
    finish(w, INT32_MIN);
    if (problems_errors(w->p) != 0) {
        char *text = problem_text(w);
        fail_msg("expected no errors, got:\n%s", text);
    }
    expect_count(w, 3, 2);
    expect_episode(w, 0, 0, "CIN", "2019-01-01", "2019-03-01", "move");
    expect_episode(w, 1, 0, "CLA_FOS", "2019-03-01", "2019-10-01", "returned_home");
    expect_episode(w, 2, 1, "CLA_FOS", "2019-06-01", NULL, "open");
}

/* ---- canonical rules ------------------------------------------------------------------ */

/* Canonical episodes (extract date given: 2020-01-01):
 *   child "1" (index 0): REF [2019-01-10, 2019-02-01) says nfa but CIN starts the same
 *     day, so it is a move; CIN [2019-02-01, 2019-06-01) case_closed.
 *   child "2" (index 1), born 2001-03-15, 18 on 2019-03-15: CLA_FOS [2018-04-01,
 *     2019-03-15) says moved, but it reaches the 18th birthday, so it ends there by the
 *     state's forced exit, aged_out; CL [2019-03-15, open) (25 in 2026).
 *   child "3" (index 2), born 2001-02-01, 18 on 2019-02-01: CIN from 2018-06-01, still
 *     open at the extract date, is ended at the birthday by turned_18, with a warning on
 *     its row (line 6, column end_date).
 */
static void test_canonical_moves_and_ages(void **state)
{
    world *w = *state;
    put(w, "episodes.csv", CANON_HEAD "1,2010-05-01,REF,2019-01-10,2019-02-01,nfa\n"
                                      "1,2010-05-01,CIN,2019-02-01,2019-06-01,case_closed\n"
                                      "2,2001-03-15,CLA_FOS,2018-04-01,2019-03-15,moved\n"
                                      "2,2001-03-15,CL,2019-03-15,,\n"
                                      "3,2001-02-01,CIN,2018-06-01,,\n");
    read_canonical(w, "episodes.csv");
    finish(w, day("2020-01-01"));
    expect_problems(w, 0, 1);
    expect_problem_with(w, "episodes.csv:6:", "column end_date", "2019-02-01", NULL);
    expect_count(w, 5, 3);
    expect_episode(w, 0, 0, "REF", "2019-01-10", "2019-02-01", "move");
    expect_episode(w, 1, 0, "CIN", "2019-02-01", "2019-06-01", "case_closed");
    expect_episode(w, 2, 1, "CLA_FOS", "2018-04-01", "2019-03-15", "aged_out");
    expect_episode(w, 3, 1, "CL", "2019-03-15", NULL, "open");
    expect_episode(w, 4, 2, "CIN", "2018-06-01", "2019-02-01", "turned_18");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    if (!getenv("CARECAST_HOME") || !*getenv("CARECAST_HOME")) {
        fprintf(stderr, "test_history: CARECAST_HOME is not set; run with "
                        "CARECAST_HOME=/path/to/source (the folder holding models/)\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        T(test_same_decom_keeps_closed),
        T(test_same_dec_keeps_longer),
        T(test_dec_after_next_decom),
        T(test_same_day_e_code_is_move),
        T(test_u4_u5_merge),
        T(test_x1_with_gap_is_other),
        T(test_aged_out_open),
        T(test_aged_out_and_past_25),
        T(test_aged_out_closed_later),
        T(test_default_extract_date),
        T(test_date_forms_and_year_column),
        T(test_population),
        T(test_canonical_cut_around_ssda903),
        T(test_canonical_care_kept_without_ssda903),
        T(test_canonical_moves_and_ages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
