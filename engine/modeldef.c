/* modeldef.c -- reads a model definition (INI, parsed by libinih) and checks it.
 *
 * Parsing happens in two passes. The first stores what each section says, recording the
 * line of every key; names that refer to other sections (at_max_age, then, the SSDA903
 * maps) are kept as text. The second pass resolves those names once every section is
 * known, so sections may come in any order. All problems are collected (up to the
 * cc_err buffer) rather than stopping at the first one.
 */
#include "modeldef.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "util.h"

/* Names kept as text until the second pass, with the line they came from. */
typedef struct pending {
    char text[MD_NAME];
    int line;
} pending;

/* A list kept as text until the second pass (team states and weights). */
typedef struct pending_list {
    char text[512];
    int line;
} pending_list;

typedef struct parser {
    modeldef *def;
    const char *origin;
    cc_err *err;
    int errors;
    const char *next; /* reader position in the text */
    int line;         /* line number of the text line last handed to inih */
    pending state_at_age[MD_MAX], state_at_days[MD_MAX], exit_then[MD_MAX];
    pending place[MD_MAX_CODES], rec[MD_MAX_CODES];
    pending_list team_states[MD_MAX_TEAMS], team_weights[MD_MAX_TEAMS];
    int team_line[MD_MAX_TEAMS]; /* header line of each team section */
    char seen[256][2 * MD_NAME + 2]; /* "section/key" already set, for duplicates */
    int nseen;
} parser;

static const char *const model_keys[] = {"name", "version", "description"};
static const char *const band_keys[] = {"age", "duration"};
static const char *const state_keys[] = {"label",    "looked_after", "max_age",    "at_max_age",
                                         "max_days", "at_max_days",  "in_history", "need"};
static const char *const exit_keys[] = {"label", "then"};
static const char *const team_keys[] = {"label", "states", "weights", "target_caseload"};
#define NKEYS(a) ((int)(sizeof(a) / sizeof(a[0])))

static void problem(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(parser *p, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (p->line > 0)
        cc_fail(p->err, CC_EINPUT, "%s:%d: %s", p->origin, p->line, msg);
    else
        cc_fail(p->err, CC_EINPUT, "%s: %s", p->origin, msg);
    p->errors++;
}

static void unknown_key(parser *p, const char *section, const char *key, const char *const *valid,
                        int n)
{
    int k = util_nearest(key, valid, n);
    problem(p, "unknown key '%s' in [%s]; did you mean '%s'?", key, section, valid[k]);
}

static bool parse_bool(parser *p, const char *key, const char *value, bool *out)
{
    if (!strcmp(value, "yes") || !strcmp(value, "true") || !strcmp(value, "1")) {
        *out = true;
        return true;
    }
    if (!strcmp(value, "no") || !strcmp(value, "false") || !strcmp(value, "0")) {
        *out = false;
        return true;
    }
    problem(p, "%s = '%s': expected yes or no", key, value);
    return false;
}

static bool parse_nonneg(parser *p, const char *key, const char *value, double *out)
{
    if (util_parse_double(value, out) && *out >= 0)
        return true;
    problem(p, "%s = '%s': expected a number >= 0", key, value);
    return false;
}

static void keep_name(parser *p, pending *slot, const char *key, const char *value)
{
    if (strlen(value) >= MD_NAME) {
        problem(p, "%s = '%s': names are at most 31 characters", key, value);
        return;
    }
    util_copy(slot->text, value, MD_NAME);
    slot->line = p->line;
}

/* Finds or creates the state / exit named after the dot in "state.NAME". */
static int section_item(parser *p, const char *section, bool is_state)
{
    const char *name = strchr(section, '.') + 1;
    int n = is_state ? p->def->nstates : p->def->nexits;
    for (int i = 0; i < n; i++) {
        const char *have = is_state ? p->def->states[i].name : p->def->exits[i].name;
        if (!strcmp(have, name))
            return i;
    }
    if (n >= MD_MAX || strlen(name) == 0 || strlen(name) >= MD_NAME) {
        problem(p, "[%s]: too many entries or a bad name (at most 48, names of 1-31 characters)",
                section);
        return -1;
    }
    if (is_state) {
        md_state *s = &p->def->states[p->def->nstates++];
        memset(s, 0, sizeof *s);
        util_copy(s->name, name, MD_NAME);
        util_copy(s->label, name, MD_LABEL);
        s->in_history = true;
        s->at_max_age = s->at_max_days = MD_NONE;
    } else {
        md_exit *e = &p->def->exits[p->def->nexits++];
        memset(e, 0, sizeof *e);
        util_copy(e->name, name, MD_NAME);
        util_copy(e->label, name, MD_LABEL);
    }
    return n;
}

/* Finds or creates the team named after the dot in "team.NAME". */
static int team_item(parser *p, const char *section)
{
    const char *name = strchr(section, '.') + 1;
    int i = modeldef_team_index(p->def, name);
    if (i >= 0)
        return i;
    if (p->def->nteams >= MD_MAX_TEAMS || strlen(name) == 0 || strlen(name) >= MD_NAME) {
        problem(p, "[%s]: too many teams or a bad name (at most %d, names of 1-31 characters)",
                section, MD_MAX_TEAMS);
        return -1;
    }
    i = p->def->nteams++;
    md_team *t = &p->def->teams[i];
    memset(t, 0, sizeof *t);
    util_copy(t->name, name, MD_NAME);
    util_copy(t->label, name, MD_LABEL);
    for (int s = 0; s < MD_MAX; s++)
        t->weight[s] = 1;
    p->team_line[i] = p->line;
    return i;
}

static void keep_list(parser *p, pending_list *slot, const char *key, const char *value)
{
    if (strlen(value) >= sizeof slot->text) {
        problem(p, "%s: the list is longer than %zu characters", key, sizeof slot->text - 1);
        return;
    }
    util_copy(slot->text, value, sizeof slot->text);
    slot->line = p->line;
}

static bool duplicate(parser *p, const char *section, const char *key)
{
    char id[2 * MD_NAME + 2];
    snprintf(id, sizeof id, "%.*s/%.*s", MD_NAME, section, MD_NAME, key);
    for (int i = 0; i < p->nseen; i++)
        if (!strcmp(p->seen[i], id)) {
            problem(p, "duplicate key '%s' in [%s]", key, section);
            return true;
        }
    if (p->nseen < 256)
        util_copy(p->seen[p->nseen++], id, sizeof id);
    return false;
}

static void parse_bands(parser *p, const char *key, const char *value)
{
    bool age = !strcmp(key, "age");
    double *edges = age ? p->def->age_edges : p->def->dur_edges;
    char bad[64];
    int n = util_parse_list(value, edges, MD_MAX_BANDS, bad);
    if (n < 1) {
        problem(p, "%s = '%s': expected up to 16 comma-separated numbers, found '%s'", key, value,
                bad);
        return;
    }
    for (int i = 1; i < n; i++)
        if (edges[i] <= edges[i - 1]) {
            problem(p, "%s = '%s': band edges must increase", key, value);
            return;
        }
    if (!age && edges[0] != 0)
        problem(p, "%s = '%s': the first duration edge must be 0", key, value);
    if (age)
        p->def->nage = n;
    else
        p->def->ndur = n;
}

static void parse_code(parser *p, const char *section, const char *key, const char *value)
{
    bool place = !strcmp(section, "ssda903.place");
    int *n = place ? &p->def->nplace : &p->def->nrec;
    if (*n >= MD_MAX_CODES || strlen(key) >= MD_NAME) {
        problem(p, "[%s] %s: too many codes or code too long", section, key);
        return;
    }
    md_code *c = place ? &p->def->place[*n] : &p->def->rec[*n];
    pending *slot = place ? &p->place[*n] : &p->rec[*n];
    util_copy(c->code, key, MD_NAME);
    keep_name(p, slot, key, value);
    (*n)++;
}

static int handler(void *user, const char *section, const char *key, const char *value)
{
    parser *p = user;
    modeldef *d = p->def;
    if (duplicate(p, section, key))
        return 1;
    if (!strcmp(section, "model")) {
        if (!strcmp(key, "name"))
            util_copy(d->name, value, MD_NAME);
        else if (!strcmp(key, "description"))
            util_copy(d->description, value, MD_LABEL);
        else if (strcmp(key, "version"))
            unknown_key(p, section, key, model_keys, NKEYS(model_keys));
    } else if (!strcmp(section, "bands")) {
        if (!strcmp(key, "age") || !strcmp(key, "duration"))
            parse_bands(p, key, value);
        else
            unknown_key(p, section, key, band_keys, NKEYS(band_keys));
    } else if (!strncmp(section, "state.", 6)) {
        int i = section_item(p, section, true);
        if (i < 0)
            return 1;
        md_state *s = &d->states[i];
        if (!strcmp(key, "label"))
            util_copy(s->label, value, MD_LABEL);
        else if (!strcmp(key, "looked_after"))
            parse_bool(p, key, value, &s->looked_after);
        else if (!strcmp(key, "in_history"))
            parse_bool(p, key, value, &s->in_history);
        else if (!strcmp(key, "max_age"))
            parse_nonneg(p, key, value, &s->max_age);
        else if (!strcmp(key, "max_days"))
            parse_nonneg(p, key, value, &s->max_days);
        else if (!strcmp(key, "at_max_age"))
            keep_name(p, &p->state_at_age[i], key, value);
        else if (!strcmp(key, "at_max_days"))
            keep_name(p, &p->state_at_days[i], key, value);
        else if (!strcmp(key, "need"))
            util_copy(s->need, value, MD_NAME);
        else
            unknown_key(p, section, key, state_keys, NKEYS(state_keys));
    } else if (!strncmp(section, "exit.", 5)) {
        int i = section_item(p, section, false);
        if (i < 0)
            return 1;
        if (!strcmp(key, "label"))
            util_copy(d->exits[i].label, value, MD_LABEL);
        else if (!strcmp(key, "then"))
            keep_name(p, &p->exit_then[i], key, value);
        else
            unknown_key(p, section, key, exit_keys, NKEYS(exit_keys));
    } else if (!strncmp(section, "team.", 5)) {
        int i = team_item(p, section);
        if (i < 0)
            return 1;
        md_team *t = &d->teams[i];
        if (!strcmp(key, "label"))
            util_copy(t->label, value, MD_LABEL);
        else if (!strcmp(key, "states"))
            keep_list(p, &p->team_states[i], key, value);
        else if (!strcmp(key, "weights"))
            keep_list(p, &p->team_weights[i], key, value);
        else if (!strcmp(key, "target_caseload")) {
            if (!util_parse_double(value, &t->target_caseload) || !(t->target_caseload > 0) ||
                t->target_caseload > 1000) {
                problem(p, "%s = '%s': expected a number of weighted cases per FTE above 0 (at "
                        "most 1000)", key, value);
                t->target_caseload = 0;
            }
        } else
            unknown_key(p, section, key, team_keys, NKEYS(team_keys));
    } else if (!strcmp(section, "ssda903.place") || !strcmp(section, "ssda903.rec")) {
        parse_code(p, section, key, value);
    } else {
        static const char *const sections[] = {"model",         "bands",      "state.NAME",
                                               "exit.NAME",     "team.NAME",  "ssda903.place",
                                               "ssda903.rec"};
        int k = util_nearest(section, sections, NKEYS(sections));
        problem(p, "unknown section [%s]; did you mean [%s]?", section, sections[k]);
    }
    return 1;
}

/* inih reader that hands over one line at a time and counts lines. */
static char *reader(char *str, int num, void *stream)
{
    parser *p = stream;
    if (*p->next == '\0')
        return NULL;
    const char *nl = strchr(p->next, '\n');
    size_t len = nl ? (size_t)(nl - p->next + 1) : strlen(p->next);
    if (len >= (size_t)num)
        len = (size_t)num - 1;
    memcpy(str, p->next, len);
    str[len] = '\0';
    p->next += len;
    p->line++;
    /* inih calls the handler only for keys, so a section without keys ([state.X] with
     * every value left at its default) is declared here, when its header is read. */
    const char *h = str;
    while (*h == ' ' || *h == '\t')
        h++;
    const char *close = strchr(h, ']');
    if (*h == '[' && close) {
        char section[2 * MD_NAME];
        size_t n = (size_t)(close - h - 1);
        util_copy(section, h + 1, n + 1 < sizeof section ? n + 1 : sizeof section);
        if (!strncmp(section, "state.", 6) || !strncmp(section, "exit.", 5))
            section_item(p, section, section[0] == 's');
        else if (!strncmp(section, "team.", 5))
            team_item(p, section);
    }
    return str;
}

/* Resolves a pending name to a state (or OUT when allowed) / exit (or move when allowed). */
static int resolve(parser *p, const pending *slot, const char *what, bool to_state, bool special)
{
    modeldef *d = p->def;
    if (to_state) {
        if (special && !strcmp(slot->text, "OUT"))
            return MD_OUT;
        int i = modeldef_state_index(d, slot->text);
        if (i >= 0)
            return i;
    } else {
        if (special && !strcmp(slot->text, "move"))
            return MD_MOVE;
        int i = modeldef_exit_index(d, slot->text);
        if (i >= 0)
            return i;
    }
    const char *cands[MD_MAX + 1];
    int n = 0;
    if (to_state) {
        for (int i = 0; i < d->nstates; i++)
            cands[n++] = d->states[i].name;
        if (special)
            cands[n++] = "OUT";
    } else {
        for (int i = 0; i < d->nexits; i++)
            cands[n++] = d->exits[i].name;
        if (special)
            cands[n++] = "move";
    }
    int k = util_nearest(slot->text, cands, n);
    p->line = slot->line;
    problem(p, "%s '%s' is not defined; did you mean '%s'?", what, slot->text,
            k >= 0 ? cands[k] : "(none)");
    return MD_NONE;
}

/* Nearest state name to `name` (or CLA), for messages. */
static const char *nearest_state(const modeldef *d, const char *name)
{
    const char *cands[MD_MAX + 1];
    int n = 0;
    for (int s = 0; s < d->nstates; s++)
        cands[n++] = d->states[s].name;
    cands[n++] = "CLA";
    return cands[util_nearest(name, cands, n)];
}

/* Team states (CLA = every looked-after state), weights and targets; a state's cases
 * are held by at most one team, so no case is counted twice. */
static void resolve_teams(parser *p)
{
    modeldef *d = p->def;
    int owner[MD_MAX];
    for (int s = 0; s < MD_MAX; s++)
        owner[s] = -1;
    for (int i = 0; i < d->nteams; i++) {
        md_team *t = &d->teams[i];
        p->line = p->team_line[i];
        if (!p->team_states[i].text[0]) {
            problem(p, "[team.%s]: 'states' is missing (the states whose cases the team holds, "
                    "e.g. states = CIN, CP)", t->name);
            continue;
        }
        if (t->target_caseload == 0)
            problem(p, "[team.%s]: 'target_caseload' is missing (weighted cases per FTE aimed "
                    "for, e.g. 15)", t->name);
        char buf[512];
        util_copy(buf, p->team_states[i].text, sizeof buf);
        p->line = p->team_states[i].line;
        for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
             tok = strtok_r(NULL, ",", &save)) {
            tok = util_trim(tok);
            bool cla = !strcmp(tok, "CLA");
            int k = modeldef_state_index(d, tok);
            if (!cla && k < 0) {
                problem(p, "states = '%s': '%s' is not a state; did you mean '%s'?",
                        p->team_states[i].text, tok, nearest_state(d, tok));
                continue;
            }
            for (int s = 0; s < d->nstates; s++) {
                if (!(cla ? d->states[s].looked_after : s == k))
                    continue;
                if (owner[s] >= 0 && owner[s] != i)
                    problem(p, "states = '%s': %s cases are already held by team %s (a state "
                            "belongs to one team)", p->team_states[i].text, d->states[s].name,
                            d->teams[owner[s]].name);
                owner[s] = i;
                t->holds[s] = true;
            }
        }
        if (p->team_weights[i].text[0]) {
            char why[256];
            p->line = p->team_weights[i].line;
            if (!modeldef_parse_weights(d, i, p->team_weights[i].text, t->weight, why, sizeof why))
                problem(p, "weights = '%s': %s", p->team_weights[i].text, why);
        }
    }
}

static void second_pass(parser *p)
{
    modeldef *d = p->def;
    p->line = 0;
    if (d->nstates == 0)
        problem(p, "no [state.NAME] sections: a model needs at least one state");
    if (d->nage == 0)
        problem(p, "[bands] age is missing");
    if (d->ndur == 0)
        problem(p, "[bands] duration is missing");
    for (int i = 0; i < d->nstates; i++) {
        md_state *s = &d->states[i];
        if (!strcmp(s->name, "CLA") || !strcmp(s->name, "OUT"))
            problem(p, "[state.%s]: '%s' is reserved (a cohort or exit name)", s->name, s->name);
        if (p->state_at_age[i].text[0])
            s->at_max_age = resolve(p, &p->state_at_age[i], "exit reason", false, false);
        if (p->state_at_days[i].text[0])
            s->at_max_days = resolve(p, &p->state_at_days[i], "exit reason", false, false);
        if (s->max_age > 0 && s->at_max_age == MD_NONE && !p->state_at_age[i].text[0])
            problem(p, "[state.%s]: max_age is set but at_max_age is missing", s->name);
        if (s->max_days > 0 && s->at_max_days == MD_NONE && !p->state_at_days[i].text[0])
            problem(p, "[state.%s]: max_days is set but at_max_days is missing", s->name);
        if (s->need[0] && !s->looked_after)
            problem(p, "[state.%s]: need = %s, but only looked_after states are placement needs",
                    s->name, s->need);
        if (s->looked_after && !s->need[0]) /* the need defaults to the state's own name */
            util_copy(s->need, s->name, MD_NAME);
        for (int j = 0; j < i && s->need[0]; j++)
            if (!strcmp(d->states[j].need, s->need) || !strcmp(d->states[j].name, s->need))
                problem(p, "[state.%s]: need = %s is already the need or name of state %s (each "
                        "looked-after state is its own placement need)",
                        s->name, s->need, d->states[j].name);
    }
    for (int i = 0; i < d->nexits; i++) {
        if (!p->exit_then[i].text[0]) {
            problem(p, "[exit.%s]: 'then' is missing (a state name or OUT)", d->exits[i].name);
            continue;
        }
        d->exits[i].then = resolve(p, &p->exit_then[i], "state", true, true);
    }
    for (int i = 0; i < d->nplace; i++) {
        d->place[i].value = resolve(p, &p->place[i], "state", true, false);
        if (d->place[i].value >= 0 && !d->states[d->place[i].value].looked_after) {
            p->line = p->place[i].line;
            problem(p, "PLACE %s maps to %s, which is not a looked_after state", d->place[i].code,
                    d->states[d->place[i].value].name);
        }
    }
    for (int i = 0; i < d->nrec; i++)
        d->rec[i].value = resolve(p, &p->rec[i], "exit reason", false, true);
    resolve_teams(p);
}

modeldef *modeldef_alloc_text(const char *text, const char *origin, cc_err *err, int *status)
{
    modeldef *def = calloc(1, sizeof *def);
    parser *p = calloc(1, sizeof *p);
    if (!def || !p || !(def->text = strdup(text))) {
        if (def)
            free(def->text);
        free(def);
        free(p);
        *status = cc_fail(err, CC_ENOMEM, "%s: out of memory reading the model definition", origin);
        return NULL;
    }
    p->def = def;
    p->origin = origin;
    p->err = err;
    p->next = text;
    int rc = ini_parse_stream(reader, p, handler, p);
    if (rc > 0) {
        p->line = rc;
        problem(p, "not valid INI syntax (expected [section] or key = value)");
    }
    second_pass(p); /* even after errors, so names that do not resolve are reported too */
    int errors = p->errors;
    free(p);
    if (errors) {
        *status = CC_EINPUT;
        modeldef_free(def);
        return NULL;
    }
    *status = CC_OK;
    return def;
}

modeldef *modeldef_alloc(const char *path, cc_err *err, int *status)
{
    char *text = util_read_file(path);
    if (!text) {
        *status = cc_fail(err, CC_EINPUT, "%s: cannot read the model definition file", path);
        return NULL;
    }
    modeldef *def = modeldef_alloc_text(text, path, err, status);
    free(text);
    return def;
}

void modeldef_free(modeldef *def)
{
    if (!def)
        return;
    free(def->text);
    free(def);
}

int modeldef_ntargets(const modeldef *def)
{
    return def->nstates + def->nexits;
}

const char *modeldef_target_name(const modeldef *def, int t)
{
    return t < def->nstates ? def->states[t].name : def->exits[t - def->nstates].name;
}

int modeldef_state_index(const modeldef *def, const char *name)
{
    for (int i = 0; i < def->nstates; i++)
        if (!strcmp(def->states[i].name, name))
            return i;
    return -1;
}

int modeldef_need_state(const modeldef *def, const char *name)
{
    for (int i = 0; i < def->nstates; i++)
        if (def->states[i].looked_after &&
            (!strcasecmp(def->states[i].need, name) || !strcmp(def->states[i].name, name)))
            return i;
    return -1;
}

int modeldef_team_index(const modeldef *def, const char *name)
{
    for (int i = 0; i < def->nteams; i++)
        if (!strcmp(def->teams[i].name, name))
            return i;
    return -1;
}

bool modeldef_parse_weights(const modeldef *def, int team, const char *text, double *weight,
                            char *why, size_t size)
{
    char buf[512];
    util_copy(buf, text, sizeof buf);
    const md_team *t = &def->teams[team];
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        tok = util_trim(tok);
        char *colon = strchr(tok, ':');
        double w = 0;
        if (!colon || !util_parse_double(util_trim(colon + 1), &w) || !(w > 0) || w > 100) {
            snprintf(why, size, "'%s': expected STATE:WEIGHT with a weight above 0 (at most 100), "
                     "e.g. CP:1.5", tok);
            return false;
        }
        *colon = '\0';
        char *name = util_trim(tok);
        int s = modeldef_state_index(def, name);
        if (s < 0) {
            snprintf(why, size, "'%s' is not a state; did you mean '%s'?", name,
                     nearest_state(def, name));
            return false;
        }
        if (!t->holds[s]) {
            snprintf(why, size, "team %s does not hold %s cases (its states decide which "
                     "cases it holds)", t->name, name);
            return false;
        }
        weight[s] = w;
    }
    return true;
}

int modeldef_exit_index(const modeldef *def, const char *name)
{
    for (int i = 0; i < def->nexits; i++)
        if (!strcmp(def->exits[i].name, name))
            return i;
    return -1;
}

static int band_of(const double *edges, int n, double x)
{
    int b = 0;
    while (b + 1 < n && x >= edges[b + 1])
        b++;
    return b;
}

int modeldef_age_band(const modeldef *def, double age_years)
{
    return band_of(def->age_edges, def->nage, age_years);
}

void modeldef_age_label(const modeldef *def, int band, char *buf, size_t size)
{
    double a = def->age_edges[band];
    double b = band + 1 < def->nage ? def->age_edges[band + 1] : INFINITY;
    bool whole = a == floor(a) && (isinf(b) || b == floor(b));
    if (isinf(b))
        snprintf(buf, size, "%g+", a);
    else if (!whole)
        snprintf(buf, size, "%g-%g", a, b);
    else if (a < 0 && b <= 0)
        snprintf(buf, size, "unborn");
    else if (b - a == 1)
        snprintf(buf, size, "%g", a);
    else
        snprintf(buf, size, "%g-%g", a, b - 1);
}

int modeldef_dur_band(const modeldef *def, double days)
{
    return band_of(def->dur_edges, def->ndur, days);
}

static const md_code *find_code(const md_code *codes, int n, const char *code)
{
    for (int i = 0; i < n; i++)
        if (strcasecmp(codes[i].code, code) == 0)
            return &codes[i];
    return NULL;
}

int modeldef_place_state(const modeldef *def, const char *place, const char *provider)
{
    if (provider && *provider) {
        char both[2 * MD_NAME + 2];
        snprintf(both, sizeof both, "%s/%s", place, provider);
        const md_code *c = find_code(def->place, def->nplace, both);
        if (c)
            return c->value;
    }
    const md_code *c = find_code(def->place, def->nplace, place);
    return c ? c->value : -1;
}

int modeldef_rec_exit(const modeldef *def, const char *rec)
{
    const md_code *c = find_code(def->rec, def->nrec, rec);
    return c ? c->value : MD_NONE;
}
