/* test_modeldef.c -- reading and checking model definitions (engine/modeldef.c).
 *
 * Build and run one program from the repository root:
 *   make carecast build/tests/test_modeldef && CARECAST_HOME=$PWD build/tests/test_modeldef
 *
 * Needs CARECAST_HOME (the source folder holding models/standard.ini).
 *
 * Where the expected values come from: the states, exits, band edges and code maps below
 * were read by hand from models/standard.ini (the file is the specification; these tests
 * check that the reader delivers what it says). Line numbers in the messages for the
 * small bad definitions are counted by line_of() in this file, from the test's own text.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "modeldef.h"

/* ---- helpers -------------------------------------------------------------------------- */

static const char *home(void)
{
    const char *h = getenv("CARECAST_HOME");
    if (!h || !*h)
        fail_msg("CARECAST_HOME is not set: run with CARECAST_HOME=/path/to/source "
                 "(the folder holding models/standard.ini)");
    return h;
}

static void standard_path(char *buf, size_t size)
{
    snprintf(buf, size, "%s/models/standard.ini", home());
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    assert_int_equal(got, (size_t)n);
    buf[n] = '\0';
    return buf;
}

/* 1-based line number of the first line of `text` that contains `needle`. */
static int line_of(const char *text, const char *needle)
{
    const char *at = strstr(text, needle);
    if (!at)
        fail_msg("test bug: '%s' is not in the test text", needle);
    int line = 1;
    for (const char *p = text; p < at; p++)
        if (*p == '\n')
            line++;
    return line;
}

/* Fails unless err.msg contains `needle`. */
#define assert_msg_has(err, needle)                                                        \
    do {                                                                                   \
        if (!strstr((err).msg, (needle)))                                                  \
            fail_msg("message does not contain \"%s\":\n%s", (needle), (err).msg);         \
    } while (0)

/* Fails unless err.msg contains "ORIGIN:LINE:". */
static void assert_msg_at(const cc_err *err, const char *origin, int line)
{
    char where[256];
    snprintf(where, sizeof where, "%s:%d:", origin, line);
    if (!strstr(err->msg, where))
        fail_msg("message does not name %s:\n%s", where, err->msg);
}

/* Fails unless, after "did you mean" in err.msg, the suggestion `want` follows. */
static void assert_suggests(const cc_err *err, const char *want)
{
    const char *dym = strstr(err->msg, "did you mean");
    if (!dym)
        fail_msg("message has no \"did you mean\":\n%s", err->msg);
    const char *nl = strchr(dym, '\n');
    size_t span = nl ? (size_t)(nl - dym) : strlen(dym);
    const char *s = strstr(dym, want);
    if (!s || (size_t)(s - dym) >= span)
        fail_msg("\"did you mean\" does not suggest %s:\n%s", want, err->msg);
}

/* Expects modeldef_alloc_text to refuse `text` with CC_EINPUT and a message. */
static void expect_refused(const char *text, const char *origin, cc_err *err)
{
    int status = -12345;
    cc_err_clear(err);
    modeldef *def = modeldef_alloc_text(text, origin, err, &status);
    if (def) {
        modeldef_free(def);
        fail_msg("%s: a bad definition was accepted", origin);
    }
    assert_int_equal(status, CC_EINPUT);
    assert_true(err->count >= 1);
    assert_true(err->msg[0] != '\0');
}

/* A small valid definition; each bad case below changes one thing in it. */
static const char BASE[] =
    "[model]\n"
    "name = tiny\n"
    "\n"
    "[bands]\n"
    "age = -1, 0, 18\n"
    "duration = 0, 30, 365\n"
    "\n"
    "[state.CARE]\n"
    "label = In care\n"
    "looked_after = yes\n"
    "max_age = 18\n"
    "at_max_age = left\n"
    "\n"
    "[state.HOME]\n"
    "label = At home with a plan\n"
    "\n"
    "[state.CLOSED]\n"
    "label = Closed\n"
    "in_history = no\n"
    "\n"
    "[exit.left]\n"
    "label = Left care\n"
    "then = OUT\n"
    "\n"
    "[exit.closed]\n"
    "then = CLOSED\n"
    "\n"
    "[ssda903.place]\n"
    "P1 = CARE\n"
    "\n"
    "[ssda903.rec]\n"
    "X1 = move\n"
    "E1 = left\n";

/* Returns a malloc'd copy of BASE with the first `from` replaced by `to`. */
static char *base_with(const char *from, const char *to)
{
    const char *at = strstr(BASE, from);
    if (!at)
        fail_msg("test bug: '%s' is not in BASE", from);
    size_t pre = (size_t)(at - BASE), n = strlen(BASE) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    memcpy(out, BASE, pre);
    strcpy(out + pre, to);
    strcat(out, at + strlen(from));
    return out;
}

/* ---- the standard definition ---------------------------------------------------------- */

static int setup_standard(void **state)
{
    char path[4096];
    standard_path(path, sizeof path);
    cc_err err = {{0}, 0};
    int status = -12345;
    modeldef *def = modeldef_alloc(path, &err, &status);
    if (!def) {
        print_error("modeldef_alloc(%s) failed (status %d):\n%s\n", path, status, err.msg);
        return -1;
    }
    if (status != CC_OK || err.count != 0) {
        print_error("modeldef_alloc(%s): status %d, %d messages:\n%s\n", path, status,
                    err.count, err.msg);
        modeldef_free(def);
        return -1;
    }
    *state = def;
    return 0;
}

static int teardown_standard(void **state)
{
    modeldef_free(*state);
    return 0;
}

static void test_standard_states(void **state)
{
    const modeldef *def = *state;
    static const char *const names[] = {"REF",     "CIN",     "CP",      "CLA_KIN",
                                        "CLA_FOS", "CLA_RES", "CLA_SUP", "CLA_PWP",
                                        "CLA_ADO", "CLA_OTH", "CL",      "CLOSED"};
    assert_int_equal(def->nstates, 12);
    for (int i = 0; i < 12; i++) {
        assert_string_equal(def->states[i].name, names[i]);
        assert_int_equal(modeldef_state_index(def, names[i]), i);
    }
    assert_int_equal(modeldef_state_index(def, "CLA"), -1);
    assert_int_equal(modeldef_state_index(def, "closed"), -1);
    assert_string_equal(def->name, "standard");
    assert_string_equal(def->states[4].label,
                        "Looked after: other foster care (in-house or IFA)");
}

static void test_standard_looked_after(void **state)
{
    const modeldef *def = *state;
    int n = 0;
    for (int i = 0; i < def->nstates; i++) {
        bool cla = strncmp(def->states[i].name, "CLA_", 4) == 0;
        if (def->states[i].looked_after != cla)
            fail_msg("state %s: looked_after = %d, expected %d", def->states[i].name,
                     def->states[i].looked_after, cla);
        n += def->states[i].looked_after;
    }
    assert_int_equal(n, 7);
}

static void test_standard_bands(void **state)
{
    const modeldef *def = *state;
    static const double age[] = {-1, 0, 1, 5, 10, 16, 18, 21, 25};
    static const double dur[] = {0, 14, 91, 182, 365, 730, 1461};
    assert_int_equal(def->nage, 9);
    assert_int_equal(def->ndur, 7);
    for (int i = 0; i < 9; i++)
        assert_true(def->age_edges[i] == age[i]);
    for (int i = 0; i < 7; i++)
        assert_true(def->dur_edges[i] == dur[i]);
}

/* The state a PLACE code maps to (by name), or fails. */
static const char *place_state(const modeldef *def, const char *code)
{
    for (int i = 0; i < def->nplace; i++)
        if (!strcmp(def->place[i].code, code)) {
            int v = def->place[i].value;
            if (v < 0 || v >= def->nstates)
                fail_msg("PLACE %s maps to %d, not a state index", code, v);
            return def->states[v].name;
        }
    fail_msg("PLACE %s is not in the definition", code);
    return NULL;
}

/* The value a REC code maps to, or fails. */
static int rec_value(const modeldef *def, const char *code)
{
    for (int i = 0; i < def->nrec; i++)
        if (!strcmp(def->rec[i].code, code))
            return def->rec[i].value;
    fail_msg("REC %s is not in the definition", code);
    return 0;
}

static void test_standard_codes(void **state)
{
    const modeldef *def = *state;
    assert_int_equal(def->nplace, 28); /* counted by hand in [ssda903.place] */
    assert_int_equal(def->nrec, 24);   /* counted by hand in [ssda903.rec] */
    assert_string_equal(place_state(def, "U1"), "CLA_KIN");
    assert_string_equal(place_state(def, "U4"), "CLA_FOS");
    assert_string_equal(place_state(def, "K2"), "CLA_RES");
    assert_string_equal(place_state(def, "H5"), "CLA_SUP");
    assert_string_equal(place_state(def, "P1"), "CLA_PWP");
    assert_string_equal(place_state(def, "A3"), "CLA_ADO");
    assert_string_equal(place_state(def, "Z1"), "CLA_OTH");
    assert_int_equal(rec_value(def, "X1"), MD_MOVE);
    int e11 = rec_value(def, "E11"), e4a = rec_value(def, "E4A"), e17 = rec_value(def, "E17");
    assert_in_range(e11, 0, def->nexits - 1);
    assert_in_range(e4a, 0, def->nexits - 1);
    assert_in_range(e17, 0, def->nexits - 1);
    assert_string_equal(def->exits[e11].name, "adopted");
    assert_string_equal(def->exits[e4a].name, "returned_home");
    assert_string_equal(def->exits[e17].name, "aged_out");
}

static void test_standard_exits(void **state)
{
    const modeldef *def = *state;
    static const char *const names[] = {"nfa",      "case_closed", "returned_home", "adopted",
                                        "sgo",      "cao",         "independent",   "other",
                                        "aged_out", "turned_18",   "support_ended",
                                        "not_rereferred"};
    assert_int_equal(def->nexits, 12);
    for (int i = 0; i < 12; i++) {
        assert_string_equal(def->exits[i].name, names[i]);
        assert_int_equal(modeldef_exit_index(def, names[i]), i);
    }
    assert_int_equal(modeldef_exit_index(def, "move"), -1);
    /* then: aged_out -> CL (state 10), nfa -> CLOSED (11), adopted -> OUT */
    assert_int_equal(def->exits[8].then, 10);
    assert_string_equal(def->states[def->exits[8].then].name, "CL");
    assert_int_equal(def->exits[0].then, 11);
    assert_string_equal(def->states[def->exits[0].then].name, "CLOSED");
    assert_int_equal(def->exits[3].then, MD_OUT);
    assert_int_equal(def->exits[1].then, 11);    /* case_closed -> CLOSED */
    assert_int_equal(def->exits[2].then, 11);    /* returned_home -> CLOSED */
    assert_int_equal(def->exits[11].then, MD_OUT); /* not_rereferred -> OUT */
}

static void test_standard_targets(void **state)
{
    const modeldef *def = *state;
    assert_int_equal(modeldef_ntargets(def), 24);
    assert_string_equal(modeldef_target_name(def, 0), "REF");
    assert_string_equal(modeldef_target_name(def, 11), "CLOSED");
    assert_string_equal(modeldef_target_name(def, 12), "nfa");
    assert_string_equal(modeldef_target_name(def, 20), "aged_out");
    assert_string_equal(modeldef_target_name(def, 23), "not_rereferred");
}

static void test_standard_limits(void **state)
{
    const modeldef *def = *state;
    const md_state *fos = &def->states[4], *cl = &def->states[10], *closed = &def->states[11];
    assert_string_equal(fos->name, "CLA_FOS");
    assert_true(fos->max_age == 18);
    assert_in_range(fos->at_max_age, 0, def->nexits - 1);
    assert_string_equal(def->exits[fos->at_max_age].name, "aged_out");
    assert_true(fos->max_days == 0);
    assert_int_equal(fos->at_max_days, MD_NONE);
    assert_true(fos->in_history);

    assert_string_equal(cl->name, "CL");
    assert_true(cl->max_age == 25);
    assert_string_equal(def->exits[cl->at_max_age].name, "support_ended");

    assert_string_equal(closed->name, "CLOSED");
    assert_true(closed->max_days == 730);
    assert_in_range(closed->at_max_days, 0, def->nexits - 1);
    assert_string_equal(def->exits[closed->at_max_days].name, "not_rereferred");
    assert_true(closed->max_age == 18);
    assert_string_equal(def->exits[closed->at_max_age].name, "turned_18");
    assert_false(closed->in_history);
    for (int i = 0; i < 11; i++)
        if (!def->states[i].in_history)
            fail_msg("state %s: in_history should be yes", def->states[i].name);
}

static void test_standard_age_band(void **state)
{
    const modeldef *def = *state;
    /* edges -1, 0, 1, 5, 10, 16, 18, 21, 25: band i is [edge i, edge i+1) */
    assert_int_equal(modeldef_age_band(def, -1.0), 0);
    assert_int_equal(modeldef_age_band(def, -0.5), 0);
    assert_int_equal(modeldef_age_band(def, 0.0), 1);
    assert_int_equal(modeldef_age_band(def, 0.999), 1);
    assert_int_equal(modeldef_age_band(def, 1.0), 2);
    assert_int_equal(modeldef_age_band(def, 4.99), 2);
    assert_int_equal(modeldef_age_band(def, 5.0), 3);
    assert_int_equal(modeldef_age_band(def, 12.3), 4);
    assert_int_equal(modeldef_age_band(def, 16.0), 5);
    assert_int_equal(modeldef_age_band(def, 17.999), 5);
    assert_int_equal(modeldef_age_band(def, 18.0), 6);
    assert_int_equal(modeldef_age_band(def, 20.5), 6);
    assert_int_equal(modeldef_age_band(def, 21.0), 7);
    assert_int_equal(modeldef_age_band(def, 24.99), 7);
    assert_int_equal(modeldef_age_band(def, 25.0), 8);
    assert_int_equal(modeldef_age_band(def, 80.0), 8); /* the last band is open */
}

static void test_standard_dur_band(void **state)
{
    const modeldef *def = *state;
    /* edges 0, 14, 91, 182, 365, 730, 1461 days */
    assert_int_equal(modeldef_dur_band(def, 0.0), 0);
    assert_int_equal(modeldef_dur_band(def, 13.99), 0);
    assert_int_equal(modeldef_dur_band(def, 14.0), 1);
    assert_int_equal(modeldef_dur_band(def, 90.5), 1);
    assert_int_equal(modeldef_dur_band(def, 91.0), 2);
    assert_int_equal(modeldef_dur_band(def, 181.9), 2);
    assert_int_equal(modeldef_dur_band(def, 182.0), 3);
    assert_int_equal(modeldef_dur_band(def, 364.0), 3);
    assert_int_equal(modeldef_dur_band(def, 365.0), 4);
    assert_int_equal(modeldef_dur_band(def, 729.99), 4);
    assert_int_equal(modeldef_dur_band(def, 730.0), 5);
    assert_int_equal(modeldef_dur_band(def, 1460.9), 5);
    assert_int_equal(modeldef_dur_band(def, 1461.0), 6);
    assert_int_equal(modeldef_dur_band(def, 100000.0), 6);
}

/* The definition keeps its INI text exactly as read. */
static void test_standard_text_kept(void **state)
{
    const modeldef *def = *state;
    char path[4096];
    standard_path(path, sizeof path);
    char *text = read_all(path);
    assert_non_null(def->text);
    assert_string_equal(def->text, text);
    free(text);
}

/* A 13th state added in text only is accepted, counted and mapped. */
static void test_new_state_in_text(void **state)
{
    (void)state;
    char path[4096];
    standard_path(path, sizeof path);
    char *text = read_all(path);
    static const char extra[] = "\n[state.CLA_SEC]\n"
                                "label = Looked after: secure children's home\n"
                                "looked_after = yes\n"
                                "max_age = 18\n"
                                "at_max_age = aged_out\n"
                                "\n[ssda903.place]\n"
                                "Q9 = CLA_SEC\n";
    size_t n = strlen(text) + sizeof extra + 1;
    char *more = malloc(n);
    assert_non_null(more);
    snprintf(more, n, "%s%s", text, extra);
    cc_err err = {{0}, 0};
    int status = -12345;
    modeldef *def = modeldef_alloc_text(more, "standard+CLA_SEC.ini", &err, &status);
    if (!def)
        fail_msg("13-state definition refused (status %d):\n%s", status, err.msg);
    assert_int_equal(status, CC_OK);
    assert_int_equal(def->nstates, 13);
    assert_string_equal(def->states[12].name, "CLA_SEC");
    assert_true(def->states[12].looked_after);
    assert_string_equal(def->exits[def->states[12].at_max_age].name, "aged_out");
    assert_int_equal(modeldef_state_index(def, "CLA_SEC"), 12);
    assert_int_equal(modeldef_ntargets(def), 25);
    assert_string_equal(modeldef_target_name(def, 12), "CLA_SEC");
    assert_string_equal(modeldef_target_name(def, 13), "nfa");
    assert_int_equal(def->nplace, 29);
    assert_string_equal(place_state(def, "Q9"), "CLA_SEC");
    int la = 0;
    for (int i = 0; i < def->nstates; i++)
        la += def->states[i].looked_after;
    assert_int_equal(la, 8);
    modeldef_free(def);
    free(more);
    free(text);
}

/* ---- bad definitions ------------------------------------------------------------------ */

/* The base text used by the bad cases is itself valid, so each refusal below is due to
 * the one change made. */
static void test_base_is_valid(void **state)
{
    (void)state;
    cc_err err = {{0}, 0};
    int status = -12345;
    modeldef *def = modeldef_alloc_text(BASE, "tiny.ini", &err, &status);
    if (!def)
        fail_msg("the base definition was refused:\n%s", err.msg);
    assert_int_equal(status, CC_OK);
    assert_int_equal(def->nstates, 3);
    assert_int_equal(def->nexits, 2);
    assert_int_equal(def->nage, 3);
    assert_int_equal(def->ndur, 3);
    assert_int_equal(def->exits[1].then, 2);
    assert_int_equal(def->exits[0].then, MD_OUT);
    modeldef_free(def);
}

static void test_missing_file(void **state)
{
    (void)state;
    cc_err err = {{0}, 0};
    int status = -12345;
    modeldef *def = modeldef_alloc("/nonexistent-carecast-dir/nothere.ini", &err, &status);
    assert_null(def);
    assert_int_equal(status, CC_EINPUT);
    assert_msg_has(err, "/nonexistent-carecast-dir/nothere.ini");
}

static void test_unknown_key_suggests(void **state)
{
    (void)state;
    cc_err err;
    char *text = base_with("label = In care\n", "lable = x\n");
    expect_refused(text, "lable.ini", &err);
    assert_msg_at(&err, "lable.ini", line_of(text, "lable = x"));
    assert_msg_has(err, "lable");
    assert_suggests(&err, "label");
    free(text);

    /* in [model] and [bands] too */
    text = base_with("name = tiny\n", "nmae = tiny\n");
    expect_refused(text, "nmae.ini", &err);
    assert_msg_at(&err, "nmae.ini", line_of(text, "nmae = tiny"));
    assert_msg_has(err, "nmae");
    assert_suggests(&err, "name");
    free(text);

    text = base_with("duration = 0, 30, 365\n", "duraton = 0, 30, 365\n");
    expect_refused(text, "duraton.ini", &err);
    assert_msg_at(&err, "duraton.ini", line_of(text, "duraton ="));
    assert_msg_has(err, "duraton");
    assert_suggests(&err, "duration");
    free(text);

    /* an exit key */
    text = base_with("then = OUT\n", "thne = OUT\n");
    expect_refused(text, "thne.ini", &err);
    assert_msg_at(&err, "thne.ini", line_of(text, "thne = OUT"));
    assert_msg_has(err, "thne");
    assert_suggests(&err, "then");
    free(text);
}

static void test_duplicate_key(void **state)
{
    (void)state;
    cc_err err;
    char *text = base_with("label = In care\n", "label = In care\nlabel = Looked after\n");
    expect_refused(text, "dup.ini", &err);
    assert_msg_at(&err, "dup.ini", line_of(text, "label = Looked after"));
    assert_msg_has(err, "duplicate");
    assert_msg_has(err, "label");
    free(text);
}

static void test_then_misspelt(void **state)
{
    (void)state;
    cc_err err;
    char *text = base_with("then = CLOSED\n", "then = CLSOED\n");
    expect_refused(text, "then.ini", &err);
    assert_msg_at(&err, "then.ini", line_of(text, "then = CLSOED"));
    assert_msg_has(err, "CLSOED");
    assert_suggests(&err, "CLOSED");
    free(text);

    /* at_max_age naming an exit that does not exist */
    text = base_with("at_max_age = left\n", "at_max_age = lfet\n");
    expect_refused(text, "atmax.ini", &err);
    assert_msg_at(&err, "atmax.ini", line_of(text, "at_max_age = lfet"));
    assert_msg_has(err, "lfet");
    assert_suggests(&err, "left");
    free(text);

    /* a REC code naming an exit that does not exist */
    text = base_with("E1 = left\n", "E1 = lef\n");
    expect_refused(text, "rec.ini", &err);
    assert_msg_at(&err, "rec.ini", line_of(text, "E1 = lef"));
    assert_msg_has(err, "lef");
    assert_suggests(&err, "left");
    free(text);
}

static void test_place_not_looked_after(void **state)
{
    (void)state;
    cc_err err;
    char *text = base_with("P1 = CARE\n", "P1 = CARE\nP2 = HOME\n");
    expect_refused(text, "place.ini", &err);
    assert_msg_at(&err, "place.ini", line_of(text, "P2 = HOME"));
    assert_msg_has(err, "P2");
    assert_msg_has(err, "HOME");
    assert_msg_has(err, "looked_after");
    free(text);
}

static void test_band_edges_must_increase(void **state)
{
    (void)state;
    cc_err err;
    char *text = base_with("age = -1, 0, 18\n", "age = -1, 18, 10\n");
    expect_refused(text, "age.ini", &err);
    assert_msg_at(&err, "age.ini", line_of(text, "age = -1, 18, 10"));
    assert_msg_has(err, "age");
    assert_msg_has(err, "-1, 18, 10");
    free(text);

    /* equal edges do not increase either */
    text = base_with("duration = 0, 30, 365\n", "duration = 0, 30, 30\n");
    expect_refused(text, "dur.ini", &err);
    assert_msg_at(&err, "dur.ini", line_of(text, "duration = 0, 30, 30"));
    assert_msg_has(err, "duration");
    assert_msg_has(err, "0, 30, 30");
    free(text);

    /* not numbers */
    text = base_with("age = -1, 0, 18\n", "age = -1, zero, 18\n");
    expect_refused(text, "nan.ini", &err);
    assert_msg_at(&err, "nan.ini", line_of(text, "age = -1, zero, 18"));
    assert_msg_has(err, "zero");
    free(text);
}

static void test_missing_bands(void **state)
{
    (void)state;
    cc_err err;
    char *text = base_with("[bands]\nage = -1, 0, 18\nduration = 0, 30, 365\n", "");
    expect_refused(text, "nobands.ini", &err);
    /* No line holds the problem, so only the origin and what is missing are checked. */
    assert_msg_has(err, "nobands.ini");
    assert_msg_has(err, "[bands]");
    assert_msg_has(err, "age");
    assert_msg_has(err, "duration");
    assert_true(err.count >= 2);
    free(text);

    /* only duration missing */
    text = base_with("duration = 0, 30, 365\n", "");
    expect_refused(text, "nodur.ini", &err);
    assert_msg_has(err, "nodur.ini");
    assert_msg_has(err, "duration");
    assert_int_equal(err.count, 1);
    free(text);
}

static void test_several_problems_reported(void **state)
{
    (void)state;
    cc_err err;
    char *a = base_with("label = In care\n", "lable = In care\n");
    /* three problems: unknown key, duplicate key, bad yes/no */
    static const char tail[] = "[state.EXTRA]\n"
                               "looked_after = perhaps\n"
                               "label = one\n"
                               "label = two\n";
    size_t n = strlen(a) + sizeof tail + 1;
    char *text = malloc(n);
    assert_non_null(text);
    snprintf(text, n, "%s%s", a, tail);
    expect_refused(text, "many.ini", &err);
    assert_true(err.count >= 3);
    assert_msg_at(&err, "many.ini", line_of(text, "lable = In care"));
    assert_msg_at(&err, "many.ini", line_of(text, "looked_after = perhaps"));
    assert_msg_at(&err, "many.ini", line_of(text, "label = two"));
    assert_msg_has(err, "lable");
    assert_msg_has(err, "perhaps");
    assert_msg_has(err, "duplicate");
    free(text);
    free(a);
}

static void test_other_bad_values(void **state)
{
    (void)state;
    cc_err err;
    char *text = base_with("max_age = 18\n", "max_age = -3\n");
    expect_refused(text, "neg.ini", &err);
    assert_msg_at(&err, "neg.ini", line_of(text, "max_age = -3"));
    assert_msg_has(err, "max_age");
    assert_msg_has(err, "-3");
    free(text);

    text = base_with("[state.HOME]\n", "[stat.HOME]\n");
    expect_refused(text, "section.ini", &err);
    assert_msg_at(&err, "section.ini", line_of(text, "label = At home"));
    assert_msg_has(err, "stat.HOME");
    free(text);
}

#define STD(f) cmocka_unit_test_setup_teardown(f, setup_standard, teardown_standard)

int main(void)
{
    if (!getenv("CARECAST_HOME") || !*getenv("CARECAST_HOME")) {
        fprintf(stderr, "test_modeldef: CARECAST_HOME is not set; run with "
                        "CARECAST_HOME=/path/to/source (the folder holding models/)\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        STD(test_standard_states),
        STD(test_standard_looked_after),
        STD(test_standard_bands),
        STD(test_standard_codes),
        STD(test_standard_exits),
        STD(test_standard_targets),
        STD(test_standard_limits),
        STD(test_standard_age_band),
        STD(test_standard_dur_band),
        STD(test_standard_text_kept),
        cmocka_unit_test(test_new_state_in_text),
        cmocka_unit_test(test_base_is_valid),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_unknown_key_suggests),
        cmocka_unit_test(test_duplicate_key),
        cmocka_unit_test(test_then_misspelt),
        cmocka_unit_test(test_place_not_looked_after),
        cmocka_unit_test(test_band_edges_must_increase),
        cmocka_unit_test(test_missing_bands),
        cmocka_unit_test(test_several_problems_reported),
        cmocka_unit_test(test_other_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
