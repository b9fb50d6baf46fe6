/* scenario.c -- reads scenario files through the key table, and answers the simulation's
 * questions about them (see scenario.h).
 *
 * Reading has three steps. (1) Each file is parsed by libinih into raw sections: the text
 * of every key with the file and line it came from; unknown sections and keys, duplicates
 * and lines that are neither are reported here. (2) `base = FILE` chains are followed and
 * merged: a file's sections override the same sections of its base key by key, and add
 * new ones; the scenario's own name and description are never inherited. (3) Every
 * section is turned into typed levers, names are resolved against the model, and the
 * parameter dump is written: each key with its value and where it came from.
 */
#include "scenario.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <ini.h>

#include "date.h"
#include "history.h"
#include "util.h"

/* ---- the key table ---------------------------------------------------------------- */

typedef enum {
    T_TEXT,    /* free text */
    T_NAME,    /* letters, digits, - and _ */
    T_FILE,    /* a path, relative to the scenario file */
    T_BOOL,    /* yes or no */
    T_REAL,    /* a number within [min, max] */
    T_INT,     /* a whole number within [min, max] */
    T_DATE,    /* YYYY-MM-DD */
    T_AGES,    /* all, A, A-B or A+ (whole years) */
    T_STATES,  /* comma-separated states; CLA = every looked-after state; all */
    T_TARGETS, /* comma-separated states or exit reasons; CLA; all */
    T_STATE    /* one state */
} key_type;

static const char *const type_names[] = {"text",  "name", "file", "yes/no", "number", "integer",
                                         "date",  "ages", "states", "targets", "state"};

/* Section kinds. Lever sections may be named ([hazard.edge_of_care]) so a file can hold
 * several of a kind and a file inheriting from it can override one of them by name. */
enum {
    K_TOP = 1 << 0,
    K_ENTRIES = 1 << 1,
    K_HAZARD = 1 << 2,
    K_REREFERRAL = 1 << 3,
    K_POPULATION = 1 << 4,
    K_EXTRA = 1 << 5,
    K_CARE_LEAVERS = 1 << 6,
    K_WORKFORCE = 1 << 7,
    K_TEAM = 1 << 8,
    K_WF_CHANGE = 1 << 9,
    K_PLACEMENTS = 1 << 10,
    K_CAP_CHANGE = 1 << 11,
    K_COST_CHANGE = 1 << 12,
    K_SERVICE = 1 << 13
};
#define K_STAFF  (K_WORKFORCE | K_TEAM | K_WF_CHANGE)
#define K_PLACE  (K_PLACEMENTS | K_CAP_CHANGE | K_COST_CHANGE | K_SERVICE)
#define K_LEVERS (K_ENTRIES | K_HAZARD | K_REREFERRAL | K_POPULATION | K_EXTRA | K_CARE_LEAVERS | K_STAFF | K_PLACE)
#define K_DATED  (K_LEVERS & ~(K_WORKFORCE | K_TEAM | K_PLACEMENTS))
#define K_ENDS   (K_TIMED | K_WF_CHANGE | K_CAP_CHANGE | K_COST_CHANGE | K_SERVICE)
#define K_TIMED  (K_ENTRIES | K_HAZARD | K_REREFERRAL | K_EXTRA)

static const struct {
    const char *name;
    unsigned bit;
    const char *help;
} kinds[] = {
    {"", K_TOP, "keys before any section: the scenario itself"},
    {"entries", K_ENTRIES,
     "multiply expected new children (referrals and direct entries), overall or by entry "
     "state and age: early help, a threshold change"},
    {"hazard", K_HAZARD,
     "multiply, or add to, the rate of transitions from states to states or exit reasons, "
     "optionally by age: an edge-of-care service (CP -> CLA x 0.8 for ages 10-17), faster "
     "step-down or reunification"},
    {"rereferral", K_REREFERRAL,
     "multiply the rate at which closed cases are referred again (transitions out of the "
     "states derived from gaps, such as CLOSED)"},
    {"population", K_POPULATION,
     "change the child population behind entry rates: an annual growth rate by age, or a "
     "projection CSV (year,age,children)"},
    {"extra", K_EXTRA,
     "a fixed number of extra arrivals a month into a state, by age: unaccompanied "
     "asylum-seeking children under a national transfer scheme"},
    {"care_leavers", K_CARE_LEAVERS,
     "the age to which care leavers are supported (the state's forced leaving age)"},
    {"workforce", K_WORKFORCE,
     "case-holding social workers on the start date and the policies that move them each "
     "month: turnover, recruitment, newly qualified intake, agency cover, establishment, "
     "pay; a scenario without it has no workforce projection"},
    {"team", K_TEAM,
     "one team of the model definition ([team.NAME]): its target caseload and case "
     "weights, and optionally its own starting staff and turnover"},
    {"workforce_change", K_WF_CHANGE,
     "workforce values replaced between two dates: a recruitment freeze, higher turnover, "
     "an agency conversion drive (values not given are unchanged)"},
    {"placements", K_PLACEMENTS,
     "placement capacity by need and provider, unit costs and budgets (CSV files a "
     "commissioner or finance officer edits); a scenario without it has no placement or "
     "finance projection"},
    {"capacity_change", K_CAP_CHANGE,
     "capacity added (or removed) between two dates: a new children's home, a block "
     "contract, more foster carers recruited a year"},
    {"cost_change", K_COST_CHANGE,
     "unit costs of a need (or state) multiplied between two dates: a residential price "
     "rise"},
    {"service", K_SERVICE,
     "the running cost of a service the scenario pays for: an edge-of-care team at a "
     "yearly cost"},
};
#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))

typedef struct key_def {
    const char *name;
    unsigned kinds;
    key_type type;
    const char *def; /* default as written in a file; NULL: required */
    double min, max;
    const char *help;
} key_def;

/* Every key, declared once. */
static const key_def keys[] = {
    {"base", K_TOP, T_FILE, "", 0, 0,
     "scenario file this one inherits from (relative to this file); its sections apply "
     "unless this file overrides them key by key"},
    {"name", K_TOP, T_NAME, "(file name without .ini)", 0, 0,
     "scenario name used in the run file, tables and charts"},
    {"description", K_TOP, T_TEXT, "", 0, 0, "what the scenario represents, in a sentence"},
    {"enabled", K_LEVERS, T_BOOL, "yes", 0, 0, "no switches the lever off (e.g. one inherited)"},
    {"start", K_DATED, T_DATE, "(the run's start date)", 0, 0,
     "first day the lever acts (YYYY-MM-DD)"},
    {"end", K_ENDS, T_DATE, "(never)", 0, 0, "first day the lever no longer acts"},
    {"ramp_months", K_TIMED, T_INT, "0", 0, 120,
     "months over which the effect ramps in, in equal monthly steps: 1/R in the first "
     "month from the start, 2/R in the second, full from the R-th (0: full at once)"},
    {"multiplier", K_ENTRIES | K_HAZARD | K_REREFERRAL | K_COST_CHANGE, T_REAL, "1", 0, 100,
     "factor on the rate (for cost_change: the unit cost) at full effect (0.9 = 10% "
     "fewer; 0 = none)"},
    {"add", K_HAZARD, T_REAL, "0", -100, 100,
     "rate added at full effect, per child per year (negative lowers it; a rate never "
     "goes below 0)"},
    {"states", K_ENTRIES, T_STATES, "all", 0, 0,
     "entry states affected: state names, CLA (every looked-after state) or all"},
    {"from", K_HAZARD, T_STATES, NULL, 0, 0,
     "states the transitions leave: state names, CLA (every looked-after state) or all"},
    {"to", K_HAZARD, T_TARGETS, NULL, 0, 0,
     "where they lead: state names, exit reasons, CLA or all"},
    {"ages", K_ENTRIES | K_HAZARD | K_REREFERRAL | K_POPULATION | K_EXTRA, T_AGES, "all", -1, 120,
     "ages in whole years: all, 16, 10-17 or 18+ (for hazards the range must start and "
     "end on the model's age bands; arrivals are by single year -1 (unborn) to 17)"},
    {"growth", K_POPULATION, T_REAL, "0", -0.2, 0.2,
     "annual growth of the child population, compounded from the start (0.01 = 1% a year)"},
    {"file", K_POPULATION, T_FILE, "", 0, 0,
     "population projection CSV (year,age,children; relative to this file) replacing the "
     "model's population; years beyond it use its nearest year"},
    {"per_month", K_EXTRA, T_REAL, NULL, 0, 10000,
     "extra arrivals a month at full effect (fractions accumulate: 0.5 = one every 2 months)"},
    {"state", K_EXTRA | K_CARE_LEAVERS, T_STATE, NULL, 0, 0,
     "the state: where extra children arrive (their placement need), or the care-leaver "
     "state whose leaving age changes"},
    {"support_to_age", K_CARE_LEAVERS, T_REAL, NULL, 1, 30,
     "age in years at which support ends (children leave the state on that birthday)"},
    /* workforce: council values, then a team's own, then a dated change's */
    {"establishment", K_WORKFORCE, T_NAME, "fixed", 0, 0,
     "fixed: funded posts stay at permanent + vacant FTE on the start date; demand: posts "
     "follow the FTE needed to hold every team at its target caseload"},
    {"permanent_fte", K_WORKFORCE, T_REAL, NULL, 0, 100000,
     "case-holding permanent social workers in post on the start date, FTE (teams without "
     "their own figure share it in proportion to the FTE they need)"},
    {"agency_fte", K_WORKFORCE, T_REAL, "0", 0, 100000,
     "case-holding agency social workers on the start date, FTE (shared like permanent_fte)"},
    {"vacancy_fte", K_WORKFORCE, T_REAL, "0", 0, 100000,
     "vacant case-holding posts on the start date, FTE (posts not filled by permanent "
     "staff, covered by agency or not; shared like permanent_fte)"},
    {"turnover", K_WORKFORCE, T_REAL, "0.139", 0, 1,
     "share of permanent FTE leaving in a year (0.139: England, year to 30 September 2024); "
     "drawn monthly, so a share r leaves in a year on average"},
    {"absence_rate", K_WORKFORCE, T_REAL, "0.034", 0, 0.5,
     "share of working time lost to sickness absence (0.034: England 2024)"},
    {"recruitment_lag_months", K_WORKFORCE, T_INT, "3", 0, 24,
     "months from advertising a vacant post to the recruit starting"},
    {"recruitment_per_month", K_WORKFORCE, T_REAL, "(no limit)", 0, 10000,
     "most permanent posts the council can advertise a month, FTE (fractions accumulate; "
     "each post goes to the team with the largest share of its posts open)"},
    {"recruitment_fill", K_WORKFORCE, T_REAL, "1", 0, 1,
     "share of advertised posts that are filled (the rest are advertised again)"},
    {"nq_intake", K_WORKFORCE, T_REAL, "0", 0, 10000,
     "newly qualified social workers joining each year, FTE (shared between teams in "
     "proportion to their posts)"},
    {"nq_month", K_WORKFORCE, T_INT, "9", 1, 12,
     "month of the year the newly qualified intake starts (9: September)"},
    {"nq_caseload", K_WORKFORCE, T_REAL, "0.8", 0.1, 1,
     "share of a full caseload a newly qualified worker carries in the first year"},
    {"agency_cover", K_WORKFORCE, T_REAL, "1", 0, 1,
     "share of vacant posts filled by agency social workers"},
    {"agency_cap", K_WORKFORCE, T_REAL, "1", 0, 1,
     "most agency FTE may be as a share of FTE in post (1: no cap)"},
    {"agency_conversion", K_WORKFORCE, T_REAL, "0", 0, 1,
     "share of agency FTE recruited into permanent posts in a year (drawn monthly; only "
     "into posts left vacant)"},
    {"turnover_threshold", K_WORKFORCE, T_REAL, "0", 0, 1000,
     "caseload per FTE above which turnover rises (0: never)"},
    {"turnover_elasticity", K_WORKFORCE, T_REAL, "0", 0, 20,
     "relative rise in turnover per relative excess of caseload over the threshold "
     "(1: caseload 10% over the threshold raises turnover by 10%)"},
    {"salary", K_WORKFORCE, T_REAL, "42000", 0, 1e6,
     "annual salary of a permanent social worker, pounds (illustrative: enter your own)"},
    {"nq_salary", K_WORKFORCE, T_REAL, "36000", 0, 1e6,
     "annual salary in the first year after qualifying, pounds (illustrative)"},
    {"oncost", K_WORKFORCE, T_REAL, "0.3", 0, 2,
     "employer's on-costs (pension, national insurance) as a share of salary"},
    {"agency_day_rate", K_WORKFORCE, T_REAL, "350", 0, 1e5,
     "cost of an agency social worker per working day (Monday to Friday), pounds "
     "(illustrative)"},
    {"pay_inflation", K_WORKFORCE, T_REAL, "0", -0.5, 0.5,
     "annual rise of salaries and agency rates, applied each 1 April after the start"},
    {"target_caseload", K_TEAM, T_REAL, "(the model's)", 0.1, 1000,
     "weighted cases per available FTE the team aims for"},
    {"weights", K_TEAM, T_TEXT, "(the model's)", 0, 0,
     "case weights STATE:WEIGHT, e.g. CP:1.5 (states of the team not named keep theirs)"},
    {"permanent_fte", K_TEAM, T_REAL, "(a share of the council's)", 0, 100000,
     "the team's own permanent FTE on the start date"},
    {"agency_fte", K_TEAM, T_REAL, "(a share of the council's)", 0, 100000,
     "the team's own agency FTE on the start date"},
    {"vacancy_fte", K_TEAM, T_REAL, "(a share of the council's)", 0, 100000,
     "the team's own vacant posts on the start date, FTE"},
    {"turnover", K_TEAM, T_REAL, "(the council's)", 0, 1,
     "the team's own annual turnover (e.g. higher at the front door)"},
    {"turnover", K_WF_CHANGE, T_REAL, "(unchanged)", 0, 1,
     "annual turnover of every team while the change acts"},
    {"recruitment_per_month", K_WF_CHANGE, T_REAL, "(unchanged)", 0, 10000,
     "recruitment capacity while the change acts (0: a recruitment freeze)"},
    {"agency_cap", K_WF_CHANGE, T_REAL, "(unchanged)", 0, 1,
     "agency cap while the change acts"},
    {"agency_conversion", K_WF_CHANGE, T_REAL, "(unchanged)", 0, 1,
     "annual share of agency FTE recruited into permanent posts while the change acts"},
    /* placements and finance */
    {"capacity", K_PLACEMENTS, T_FILE, NULL, 0, 0,
     "capacity CSV (relative to this file): need, provider (in_house or block), name, from, "
     "to, beds (or unlimited), households, beds_per_household, recruitment_per_year, "
     "deregistration_rate, occupied; see README, Placements"},
    {"costs", K_PLACEMENTS, T_FILE, "", 0, 0,
     "unit-cost CSV (relative to this file): item (a need or state), provider, from, "
     "weekly_cost, inflation, source; without it there is no finance projection"},
    {"budget", K_PLACEMENTS, T_FILE, "", 0, 0,
     "budget CSV (relative to this file): year (2025-26), line (total or a cost line), "
     "budget in pounds; gives the probability of overspending each"},
    {"step_down", K_PLACEMENTS, T_BOOL, "no", 0, 0,
     "yes: at each month start, children in spot placements move into in-house or block "
     "beds of their need that are free (longest-placed first)"},
    {"need", K_CAP_CHANGE, T_NAME, NULL, 0, 0,
     "placement need (a looked-after state's need in the model definition: foster, "
     "residential, ...)"},
    {"provider", K_CAP_CHANGE, T_NAME, "in_house", 0, 0, "in_house or block"},
    {"beds", K_CAP_CHANGE, T_REAL, "0", -10000, 10000, "beds added (negative: closed)"},
    {"households", K_CAP_CHANGE, T_REAL, "0", -10000, 10000,
     "in-house foster households added on the start date"},
    {"recruitment_per_year", K_CAP_CHANGE, T_REAL, "0", -10000, 10000,
     "extra in-house foster households recruited a year (drawn each month, Poisson)"},
    {"item", K_COST_CHANGE, T_NAME, NULL, 0, 0,
     "what the unit cost is for: a placement need (foster, residential, ...) or a state "
     "(CL for care leavers)"},
    {"provider", K_COST_CHANGE, T_NAME, "all", 0, 0, "in_house, block, external or all"},
    {"label", K_SERVICE, T_TEXT, "(the section's name)", 0, 0, "name shown in tables"},
    {"annual_cost", K_SERVICE, T_REAL, NULL, 0, 1e10,
     "cost a year in pounds at the prices of the run's start (paid by the day)"},
    {"inflation", K_SERVICE, T_REAL, "0", -0.5, 0.5,
     "annual rise of the cost, applied each 1 April (0.03 = 3%)"},
};
#define NKEYS ((int)(sizeof keys / sizeof keys[0]))

static int key_index(const char *name, unsigned kind)
{
    for (int k = 0; k < NKEYS; k++)
        if ((keys[k].kinds & kind) && !strcmp(keys[k].name, name))
            return k;
    return -1;
}

void scenario_help(FILE *f)
{
    fprintf(f,
            "Scenario files: INI text, one per scenario; `carecast run --model M.h5 "
            "baseline.ini a.ini ... --out RUN.h5`.\n"
            "Keys before any section describe the scenario; each lever is a section, which "
            "may be named\n([hazard.edge_of_care]) so a file can hold several and a file "
            "inheriting from it can override one.\n");
    for (int s = 0; s < NKINDS; s++) {
        fprintf(f, "\n%s\n  %s\n", s ? kinds[s].name : "(top of the file)", kinds[s].help);
        if (kinds[s].bit == K_WORKFORCE || kinds[s].bit == K_PLACEMENTS)
            fprintf(f, "  section: [%s]\n", kinds[s].name);
        else if (kinds[s].bit == K_TEAM)
            fprintf(f, "  section: [team.NAME], NAME a team of the model definition\n");
        else if (s)
            fprintf(f, "  section: [%s] or [%s.NAME]\n", kinds[s].name, kinds[s].name);
        for (int k = 0; k < NKEYS; k++) {
            if (!(keys[k].kinds & kinds[s].bit))
                continue;
            char range[64] = "";
            if (keys[k].type == T_REAL || keys[k].type == T_INT)
                snprintf(range, sizeof range, ", %g to %g", keys[k].min, keys[k].max);
            fprintf(f, "  %-15s %s%s; %s%s\n      %s\n", keys[k].name, type_names[keys[k].type],
                    range, keys[k].def ? "default " : "required",
                    keys[k].def ? (*keys[k].def ? keys[k].def : "(none)") : "", keys[k].help);
        }
    }
}

/* ---- step 1: raw sections ----------------------------------------------------------- */

typedef struct raw_value {
    char *text; /* NULL when not set */
    const char *file;
    int line;
} raw_value;

typedef struct raw_section {
    char header[96]; /* "" for the top, else the text inside [...] */
    unsigned kind;   /* 0 for an unknown section (its keys are ignored) */
    const char *file;
    int line;
    raw_value v[NKEYS];
} raw_section;

typedef struct raw {
    raw_section *sec;
    int n, cap;
} raw;

/* Paths of every file read, owned here so raw values can point at them. */
typedef struct reading {
    problems *p;
    char *files[16];
    int nfiles;
} reading;

typedef struct parse_ctx {
    reading *rd;
    raw *out;
    const char *file;
    const char *next; /* reader position */
    int line;
    int current; /* section receiving keys */
} parse_ctx;

static void raw_free(raw *r)
{
    for (int i = 0; i < r->n; i++)
        for (int k = 0; k < NKEYS; k++)
            free(r->sec[i].v[k].text);
    free(r->sec);
    r->sec = NULL;
    r->n = r->cap = 0;
}

static int raw_section_find(const raw *r, const char *header)
{
    for (int i = 0; i < r->n; i++)
        if (!strcmp(r->sec[i].header, header))
            return i;
    return -1;
}

/* Adds an empty section; -1 when out of memory. */
static int raw_section_add(raw *r, const char *header, unsigned kind, const char *file, int line)
{
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 8;
        raw_section *grown = realloc(r->sec, sizeof *grown * (size_t)cap);
        if (!grown)
            return -1;
        r->sec = grown;
        r->cap = cap;
    }
    raw_section *s = &r->sec[r->n];
    memset(s, 0, sizeof *s);
    util_copy(s->header, header, sizeof s->header);
    s->kind = kind;
    s->file = file;
    s->line = line;
    return r->n++;
}

/* Kind of a section header ("hazard.edge" -> K_HAZARD); 0 if unknown or badly named. */
static unsigned header_kind(parse_ctx *c, const char *header)
{
    char kind[96];
    util_copy(kind, header, sizeof kind);
    char *dot = strchr(kind, '.');
    if (dot)
        *dot = '\0';
    for (int s = 1; s < NKINDS; s++)
        if (!strcmp(kinds[s].name, kind)) {
            if (dot && !scenario_name_ok(dot + 1)) {
                problems_add(c->rd->p, PROBLEM_ERROR, c->file, c->line, NULL,
                             "section [%s]: the name after '.' must be 1-63 letters, digits, "
                             "'-' or '_'",
                             header);
                return 0;
            }
            if ((kinds[s].bit == K_WORKFORCE || kinds[s].bit == K_PLACEMENTS) && dot) {
                problems_add(c->rd->p, PROBLEM_ERROR, c->file, c->line, NULL,
                             "section [%s]: a scenario has one [%s] section, without a name",
                             header, kinds[s].name);
                return 0;
            }
            if (kinds[s].bit == K_TEAM && !dot) {
                problems_add(c->rd->p, PROBLEM_ERROR, c->file, c->line, NULL,
                             "section [team] needs the team's name: [team.NAME], NAME a team of "
                             "the model definition");
                return 0;
            }
            return kinds[s].bit;
        }
    const char *cands[NKINDS];
    for (int s = 1; s < NKINDS; s++)
        cands[s - 1] = kinds[s].name;
    problems_add(c->rd->p, PROBLEM_ERROR, c->file, c->line, NULL,
                 "unknown section [%s]; did you mean [%s]? (sections: entries, hazard, "
                 "rereferral, population, extra, care_leavers, workforce, team.NAME, "
                 "workforce_change, placements, capacity_change, cost_change, service; see "
                 "carecast help scenario)",
                 header, cands[util_nearest(kind, cands, NKINDS - 1)]);
    return 0;
}

/* inih reader: hands over one line at a time, counts lines, opens sections as their
 * headers go by (so an empty section still exists and has a line) and reports lines
 * that are neither a comment, a section, nor key = value. */
static char *reader(char *str, int num, void *stream)
{
    parse_ctx *c = stream;
    if (*c->next == '\0')
        return NULL;
    const char *nl = strchr(c->next, '\n');
    size_t len = nl ? (size_t)(nl - c->next + 1) : strlen(c->next);
    c->line++;
    if (c->line == 1 && len >= 3 && !memcmp(c->next, "\xEF\xBB\xBF", 3)) { /* UTF-8 BOM */
        c->next += 3;
        len -= 3;
    }
    /* leading blanks go, so an indented key is a key (not inih's continuation line) */
    while (len > 1 && (*c->next == ' ' || *c->next == '\t')) {
        c->next++;
        len--;
    }
    if (len >= (size_t)num) { /* the whole line is skipped, so later lines keep their numbers */
        problems_add(c->rd->p, PROBLEM_ERROR, c->file, c->line, NULL,
                     "line longer than %d characters (the line is ignored)", num - 2);
        c->next += len;
        snprintf(str, (size_t)num, "\n");
        return str;
    }
    memcpy(str, c->next, len);
    str[len] = '\0';
    c->next += len;
    const char *h = str;
    if (*h == '\0' || *h == '\n' || *h == '\r' || *h == ';' || *h == '#')
        return str;
    if (*h == '[') {
        const char *close = strchr(h, ']');
        if (!close) {
            problems_add(c->rd->p, PROBLEM_ERROR, c->file, c->line, NULL,
                         "'%.*s': section header without ']'", (int)strcspn(h, "\r\n"), h);
            c->current = -1;
            return str;
        }
        char header[96];
        size_t n = (size_t)(close - h - 1);
        util_copy(header, h + 1, n + 1 < sizeof header ? n + 1 : sizeof header);
        unsigned kind = header_kind(c, header);
        int i = raw_section_find(c->out, header);
        if (i < 0)
            i = raw_section_add(c->out, header, kind, c->file, c->line);
        c->current = i;
        return str;
    }
    if (!strchr(h, '=') && !strchr(h, ':'))
        problems_add(c->rd->p, PROBLEM_ERROR, c->file, c->line, NULL,
                     "'%.*s': expected 'key = value', a [section] or a comment", (int)strcspn(h, "\r\n"),
                     h);
    return str;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    (void)section;
    parse_ctx *c = user;
    if (c->current < 0)
        return 1;
    raw_section *s = &c->out->sec[c->current];
    if (s->kind == 0)
        return 1; /* unknown section: reported once, at its header */
    int k = key_index(name, s->kind);
    if (k < 0) {
        const char *cands[NKEYS];
        int n = 0;
        for (int j = 0; j < NKEYS; j++)
            if (keys[j].kinds & s->kind)
                cands[n++] = keys[j].name;
        problems_add(c->rd->p, PROBLEM_ERROR, c->file, c->line, name,
                     "unknown key '%s' in %s%s%s; did you mean '%s'?", name,
                     *s->header ? "[" : "the top of the file", s->header, *s->header ? "]" : "",
                     cands[util_nearest(name, cands, n)]);
        return 1;
    }
    if (s->v[k].text) {
        problems_add(c->rd->p, PROBLEM_ERROR, c->file, c->line, name,
                     "duplicate key '%s' in %s%s%s (first set on line %d)", name,
                     *s->header ? "[" : "the top of the file", s->header, *s->header ? "]" : "",
                     s->v[k].line);
        return 1;
    }
    s->v[k].text = strdup(value);
    s->v[k].file = c->file;
    s->v[k].line = c->line;
    return s->v[k].text ? 1 : 0;
}

/* Parses one file into `out` (which gets the top section first). */
static int parse_file(reading *rd, const char *path, raw *out)
{
    if (rd->nfiles == (int)(sizeof rd->files / sizeof rd->files[0])) {
        problems_add(rd->p, PROBLEM_ERROR, path, 0, NULL,
                     "more than 16 files in the base chain (does it loop?)");
        return CC_EINPUT;
    }
    char *text = util_read_file(path);
    if (!text) {
        problems_add(rd->p, PROBLEM_ERROR, path, 0, NULL, "cannot read the scenario file");
        return CC_EINPUT;
    }
    char *kept = strdup(path);
    if (!kept) {
        free(text);
        return CC_ENOMEM;
    }
    rd->files[rd->nfiles++] = kept;
    if (raw_section_add(out, "", K_TOP, kept, 0) < 0) {
        free(text);
        return CC_ENOMEM;
    }
    parse_ctx c = {rd, out, kept, text, 0, 0};
    int rc = ini_parse_stream(reader, &c, handler, &c);
    free(text);
    return rc == -2 ? CC_ENOMEM : CC_OK; /* syntax problems were reported by the reader */
}

/* ---- step 2: inheritance ------------------------------------------------------------ */

/* Folder part of a path, with its trailing '/', or "" (into dst of `size` bytes). */
static void folder_of(const char *path, char *dst, size_t size)
{
    const char *slash = strrchr(path, '/');
    size_t n = slash ? (size_t)(slash - path + 1) : 0;
    util_copy(dst, path, n + 1 < size ? n + 1 : size);
}

/* A path written in `file` (relative to its folder unless absolute). */
static void relative_to(const char *file, const char *written, char *dst, size_t size)
{
    if (written[0] == '/') {
        util_copy(dst, written, size);
        return;
    }
    char dir[1024];
    folder_of(file, dir, sizeof dir);
    snprintf(dst, size, "%s%s", dir, written);
}

/* True if two paths name the same file. */
static bool same_file(const char *a, const char *b)
{
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Reads `path` and its base chain into `out`, the file's keys overriding its base's. */
static int load(reading *rd, const char *path, raw *out)
{
    raw mine = {NULL, 0, 0};
    int rc = parse_file(rd, path, &mine);
    int kb = key_index("base", K_TOP);
    const raw_value *base = rc == CC_OK ? &mine.sec[0].v[kb] : NULL;
    if (rc != CC_OK || !base->text || !*base->text) {
        if (rc == CC_OK) {
            *out = mine;
            return CC_OK;
        }
        raw_free(&mine);
        return rc;
    }
    char base_path[2048];
    relative_to(path, base->text, base_path, sizeof base_path);
    for (int i = 0; i < rd->nfiles; i++)
        if (same_file(rd->files[i], base_path)) {
            problems_add(rd->p, PROBLEM_ERROR, base->file, base->line, "base",
                         "base = %s: %s is already in this file's base chain (a loop)",
                         base->text, base_path);
            *out = mine; /* the file's own keys are still checked */
            return CC_OK;
        }
    if (!util_exists(base_path)) {
        problems_add(rd->p, PROBLEM_ERROR, base->file, base->line, "base",
                     "base = %s: no such file (%s)", base->text, base_path);
        *out = mine;
        return CC_OK;
    }
    raw merged = {NULL, 0, 0};
    rc = load(rd, base_path, &merged);
    if (rc != CC_OK) {
        raw_free(&mine);
        raw_free(&merged);
        return rc;
    }
    /* the scenario's own name, description and base are never inherited */
    const char *own[] = {"base", "name", "description"};
    for (int j = 0; j < 3; j++) {
        raw_value *v = &merged.sec[0].v[key_index(own[j], K_TOP)];
        free(v->text);
        v->text = NULL;
    }
    for (int i = 0; i < mine.n && rc == CC_OK; i++) {
        raw_section *s = &mine.sec[i];
        int j = raw_section_find(&merged, s->header);
        if (j < 0) {
            j = raw_section_add(&merged, s->header, s->kind, s->file, s->line);
            if (j < 0) {
                rc = CC_ENOMEM;
                break;
            }
        }
        raw_section *d = &merged.sec[j];
        for (int k = 0; k < NKEYS; k++)
            if (s->v[k].text) {
                free(d->v[k].text);
                d->v[k] = s->v[k];
                s->v[k].text = NULL;
            }
    }
    raw_free(&mine);
    *out = merged;
    return rc;
}

/* ---- step 3: typed levers ----------------------------------------------------------- */

typedef struct compile_ctx {
    reading *rd;
    const model *m;
    scenario *sc;
    const raw_section *s;
    FILE *dump;
    int errors;
} compile_ctx;

static void fail(compile_ctx *c, const raw_value *v, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reports a problem with a value (at its file:line) or with its section. */
static void fail(compile_ctx *c, const raw_value *v, const char *key, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (v && v->text)
        problems_add(c->rd->p, PROBLEM_ERROR, v->file, v->line, key, "%s", msg);
    else
        problems_add(c->rd->p, PROBLEM_ERROR, c->s->file, c->s->line, key, "%s", msg);
    c->errors++;
}

/* The text of key `name` in the current section (its default if unset, NULL if it is
 * required and missing, which is reported), recording it in the dump. A default that
 * is computed ("(the run's start date)") gives NULL and is recorded by the caller, with
 * the value it resolves to, through computed(). */
static const char *value(compile_ctx *c, const char *name, const raw_value **where)
{
    int k = key_index(name, c->s->kind);
    const raw_value *v = &c->s->v[k];
    *where = v;
    if (v->text) {
        fprintf(c->dump, "%s = %s    ; %s:%d\n", name, v->text, v->file, v->line);
        return v->text;
    }
    if (!keys[k].def) {
        fail(c, NULL, name, "[%s] needs '%s' (%s; see carecast help scenario)", c->s->header,
             name, keys[k].help);
        return NULL;
    }
    if (keys[k].def[0] == '(')
        return NULL;
    fprintf(c->dump, "%s = %s    ; default\n", name, keys[k].def);
    return keys[k].def;
}

/* Records a computed default in the dump: its value, and the rule it came from. */
static void computed(compile_ctx *c, const char *name, const char *resolved)
{
    int k = key_index(name, c->s->kind);
    fprintf(c->dump, "%s = %s    ; default %s\n", name, resolved, keys[k].def);
}

static double real_value(compile_ctx *c, const char *name)
{
    const raw_value *v;
    const char *text = value(c, name, &v);
    int k = key_index(name, c->s->kind);
    double x = 0;
    if (!text)
        return NAN;
    if (!util_parse_double(text, &x) || !isfinite(x) || x < keys[k].min || x > keys[k].max) {
        fail(c, v, name, "%s = '%s': expected a %s from %g to %g", name, text,
             keys[k].type == T_INT ? "whole number" : "number", keys[k].min, keys[k].max);
        return NAN;
    }
    if (keys[k].type == T_INT && x != floor(x)) {
        fail(c, v, name, "%s = '%s': expected a whole number", name, text);
        return NAN;
    }
    return x;
}

static bool bool_value(compile_ctx *c, const char *name)
{
    const raw_value *v;
    const char *text = value(c, name, &v);
    if (!text || !strcmp(text, "yes") || !strcmp(text, "true") || !strcmp(text, "1"))
        return true;
    if (!strcmp(text, "no") || !strcmp(text, "false") || !strcmp(text, "0"))
        return false;
    fail(c, v, name, "%s = '%s': expected yes or no", name, text);
    return true;
}

/* A date key; `def` when it takes its computed default. */
static int date_value(compile_ctx *c, const char *name, int def)
{
    const raw_value *v;
    const char *text = value(c, name, &v);
    int day = def;
    if (text && !date_parse(text, &day))
        fail(c, v, name, "%s = '%s': expected a date YYYY-MM-DD (or DD/MM/YYYY)", name, text);
    if (!text && !v->text) {
        char iso[11] = "never";
        if (def != SCN_NEVER)
            date_format(def, iso);
        computed(c, name, iso);
    }
    return day;
}

/* Ages: all, A, A-B or A+ as the whole-year range [*lo, *hi] (hi 1000 for open). */
static bool ages_value(compile_ctx *c, int *lo, int *hi)
{
    const raw_value *v;
    const char *text = value(c, "ages", &v);
    *lo = -1000;
    *hi = 1000;
    if (!text || !strcmp(text, "all"))
        return true;
    char buf[64];
    util_copy(buf, text, sizeof buf);
    size_t n = strlen(buf);
    long a = 0, b = 0;
    bool ok;
    char *dash = strchr(buf + 1, '-'); /* a leading '-' is the sign of -1 */
    if (n > 1 && buf[n - 1] == '+') {
        buf[n - 1] = '\0';
        ok = util_parse_long(buf, &a);
        b = 1000;
    } else if (dash) {
        *dash = '\0';
        ok = util_parse_long(buf, &a) && util_parse_long(dash + 1, &b);
    } else {
        ok = util_parse_long(buf, &a);
        b = a;
    }
    if (!ok || a < -1 || b > 1000 || a > b || (b != 1000 && b > 120)) {
        fail(c, v, "ages",
             "ages = '%s': expected all, an age (16), a range (10-17) or an open range (18+) "
             "in whole years from -1 (unborn)",
             text);
        return false;
    }
    *lo = (int)a;
    *hi = (int)b;
    return true;
}

/* Marks the single years of age -1..17 inside [lo, hi]. */
static void mark_years(bool age[SCN_AGES], int lo, int hi)
{
    for (int a = -1; a < SCN_AGES - 1; a++)
        age[a + 1] = a >= lo && a <= hi;
}

/* Marks the model's age bands inside [lo, hi + 1); a band cut by the range is an error. */
static bool mark_bands(compile_ctx *c, int lo, int hi, bool band[MD_MAX_BANDS])
{
    const modeldef *d = c->m->def;
    double top = hi >= 1000 ? INFINITY : hi + 1.0;
    bool any = false;
    for (int b = 0; b < d->nage; b++) {
        double a = d->age_edges[b], z = b + 1 < d->nage ? d->age_edges[b + 1] : INFINITY;
        band[b] = a >= lo && z <= top;
        any |= band[b];
        if (!band[b] && a < top && z > lo) {
            char edges[256] = "";
            for (int i = 0; i < d->nage; i++)
                snprintf(edges + strlen(edges), sizeof edges - strlen(edges), "%s%g",
                         i ? ", " : "", d->age_edges[i]);
            const raw_value *v = &c->s->v[key_index("ages", c->s->kind)];
            fail(c, v, "ages",
                 "ages = '%s' cuts the model's age band %g-%g; hazards are estimated by band, "
                 "so a range must start and end on band edges (%s; the last is open)",
                 v->text ? v->text : "all", a, z, edges);
            return false;
        }
    }
    if (!any) {
        fail(c, &c->s->v[key_index("ages", c->s->kind)], "ages",
             "ages: no age band of the model lies in this range");
        return false;
    }
    return true;
}

/* Resolves a comma-separated list of states (and exit reasons when `exits`) into
 * marks over targets (states first, then nstates + exit). */
static bool names_value(compile_ctx *c, const char *name, bool exits, bool *mark, int nmark)
{
    const raw_value *v;
    const char *text = value(c, name, &v);
    const modeldef *d = c->m->def;
    memset(mark, 0, sizeof *mark * (size_t)nmark);
    if (!text)
        return false;
    char buf[1024];
    util_copy(buf, text, sizeof buf);
    if (strspn(buf, " \t,") == strlen(buf)) {
        fail(c, v, name, "%s = '%s': expected at least one name (a state%s, CLA or all)", name,
             text, exits ? " or exit reason" : "");
        return false;
    }
    bool ok = true;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        tok = util_trim(tok);
        int i = modeldef_state_index(d, tok);
        if (i >= 0) {
            mark[i] = true;
            continue;
        }
        if (!strcmp(tok, "all") || !strcmp(tok, "CLA")) {
            for (int s = 0; s < d->nstates; s++)
                mark[s] |= !strcmp(tok, "all") || d->states[s].looked_after;
            for (int e = 0; exits && !strcmp(tok, "all") && e < d->nexits; e++)
                mark[d->nstates + e] = true;
            continue;
        }
        i = exits ? modeldef_exit_index(d, tok) : -1;
        if (i >= 0) {
            mark[d->nstates + i] = true;
            continue;
        }
        const char *cands[2 * MD_MAX + 2];
        int nc = 0;
        for (int s = 0; s < d->nstates; s++)
            cands[nc++] = d->states[s].name;
        for (int e = 0; exits && e < d->nexits; e++)
            cands[nc++] = d->exits[e].name;
        cands[nc++] = "CLA";
        cands[nc++] = "all";
        fail(c, v, name, "%s = '%s': '%s' is not a %s of model '%s'; did you mean '%s'?", name,
             text, tok, exits ? "state or exit reason" : "state", d->name,
             cands[util_nearest(tok, cands, nc)]);
        ok = false;
    }
    return ok;
}

/* The common timing keys of a lever. */
static scn_when when_value(compile_ctx *c)
{
    scn_when w = {date_value(c, "start", c->sc->run_start), SCN_NEVER, 0};
    if (c->s->kind & K_TIMED) {
        w.end = date_value(c, "end", SCN_NEVER);
        double r = real_value(c, "ramp_months");
        w.ramp = isnan(r) ? 0 : (int)r;
        if (w.end != SCN_NEVER && w.end <= w.start) {
            char a[11], b[11];
            date_format(w.start, a);
            date_format(w.end, b);
            fail(c, &c->s->v[key_index("end", c->s->kind)], "end",
                 "end = %s is not after start = %s: the lever would never act", b, a);
        }
    }
    return w;
}

/* Grows a lever array by one; NULL when out of memory. */
static void *grow(void **array, int *n, size_t size)
{
    void *g = realloc(*array, size * (size_t)(*n + 1));
    if (!g)
        return NULL;
    *array = g;
    memset((char *)g + size * (size_t)*n, 0, size);
    return (char *)g + size * (size_t)(*n)++;
}

static int compile_entries(compile_ctx *c, bool on)
{
    scn_entries e;
    memset(&e, 0, sizeof e);
    names_value(c, "states", false, e.state, MD_MAX);
    int lo, hi;
    if (ages_value(c, &lo, &hi)) {
        mark_years(e.age, lo, hi);
        if (lo > SCN_AGES - 2)
            fail(c, &c->s->v[key_index("ages", c->s->kind)], "ages",
                 "ages = %s: new children arrive aged -1 (unborn) to 17", c->s->v[key_index("ages", c->s->kind)].text);
    }
    e.multiplier = real_value(c, "multiplier");
    e.when = when_value(c);
    scn_entries *slot = on ? grow((void **)&c->sc->entries, &c->sc->nentries, sizeof e) : NULL;
    if (slot)
        *slot = e;
    return on && !slot ? CC_ENOMEM : CC_OK;
}

/* Checks that a hazard lever reaches at least one transition of the model. */
static void check_reach(compile_ctx *c, const scn_hazard *h, const char *what)
{
    const model *m = c->m;
    for (int k = 0; k < m->ntrans; k++)
        if (h->from[m->from[k]] && h->target[m->to[k]])
            return;
    const raw_value *f = &c->s->v[key_index("from", c->s->kind)];
    const raw_value *t = &c->s->v[key_index("to", c->s->kind)];
    if (c->s->kind == K_HAZARD)
        fail(c, NULL, NULL,
             "[%s]: the model has no transition from '%s' to '%s' (carecast info MODEL.h5 "
             "lists its transitions)",
             c->s->header, f->text ? f->text : "", t->text ? t->text : "");
    else
        fail(c, NULL, NULL, "[%s]: the model has no %s transition", c->s->header, what);
}

static int compile_hazard(compile_ctx *c, bool on, bool rereferral)
{
    const modeldef *d = c->m->def;
    scn_hazard h;
    memset(&h, 0, sizeof h);
    bool ok = true;
    if (rereferral) {
        for (int s = 0; s < d->nstates; s++) {
            h.from[s] = !d->states[s].in_history;
            h.target[s] = true;
        }
    } else {
        ok &= names_value(c, "from", false, h.from, MD_MAX);
        ok &= names_value(c, "to", true, h.target, 2 * MD_MAX);
    }
    int lo, hi;
    if (ages_value(c, &lo, &hi))
        ok &= mark_bands(c, lo, hi, h.band);
    h.multiplier = real_value(c, "multiplier");
    h.add = rereferral ? 0 : real_value(c, "add") / 365.25;
    h.when = when_value(c);
    if (ok)
        check_reach(c, &h, "re-referral (from a state with in_history = no)");
    scn_hazard *slot = on ? grow((void **)&c->sc->hazards, &c->sc->nhazards, sizeof h) : NULL;
    if (slot)
        *slot = h;
    return on && !slot ? CC_ENOMEM : CC_OK;
}

static int compile_population(compile_ctx *c, bool on)
{
    scn_growth g;
    memset(&g, 0, sizeof g);
    int lo, hi;
    ages_value(c, &lo, &hi);
    mark_years(g.age, lo, hi);
    g.rate = real_value(c, "growth");
    g.start = date_value(c, "start", c->sc->run_start);
    const raw_value *v;
    const char *file = value(c, "file", &v);
    if (file && *file && on) {
        if (c->sc->population) {
            fail(c, v, "file", "a second population projection: a scenario takes one");
        } else {
            char path[2048];
            relative_to(v->file, file, path, sizeof path);
            history *h = history_alloc(c->m->def);
            if (!h)
                return CC_ENOMEM;
            long before = problems_errors(c->rd->p);
            if (!util_exists(path))
                fail(c, v, "file", "file = %s: no such file (%s)", file, path);
            else if (history_read_population(h, path, c->rd->p) == CC_ENOMEM) {
                history_free(h);
                return CC_ENOMEM;
            } else if (problems_errors(c->rd->p) > before) {
                c->errors++; /* the reader named the rows at fault */
            } else if (!h->population) {
                fail(c, v, "file", "file = %s: no population rows", file);
            } else {
                size_t n = (size_t)h->pop_nyears * MODEL_POP_AGES;
                c->sc->population = malloc(sizeof *c->sc->population * n);
                if (!c->sc->population) {
                    history_free(h);
                    return CC_ENOMEM;
                }
                memcpy(c->sc->population, h->population, sizeof *c->sc->population * n);
                c->sc->pop_year0 = h->pop_year0;
                c->sc->pop_nyears = h->pop_nyears;
            }
            history_free(h);
        }
    }
    if (!on || g.rate == 0 || isnan(g.rate))
        return CC_OK;
    scn_growth *slot = grow((void **)&c->sc->growth, &c->sc->ngrowth, sizeof g);
    if (slot)
        *slot = g;
    return slot ? CC_OK : CC_ENOMEM;
}

/* One state named by key `name` (for extra arrivals and care leavers). */
static int state_value(compile_ctx *c, const char *name)
{
    const raw_value *v;
    const char *text = value(c, name, &v);
    if (!text)
        return -1;
    int i = modeldef_state_index(c->m->def, text);
    if (i < 0) {
        const modeldef *d = c->m->def;
        const char *cands[MD_MAX];
        for (int s = 0; s < d->nstates; s++)
            cands[s] = d->states[s].name;
        fail(c, v, name, "%s = '%s': not a state of model '%s'; did you mean '%s'?", name, text,
             d->name, cands[util_nearest(text, cands, d->nstates)]);
    }
    return i;
}

static int compile_extra(compile_ctx *c, bool on)
{
    scn_extra x;
    memset(&x, 0, sizeof x);
    x.state = state_value(c, "state");
    int lo, hi;
    if (ages_value(c, &lo, &hi)) {
        x.age_lo = lo < 0 ? 0 : lo;
        x.age_hi = hi > SCN_AGES - 2 ? SCN_AGES - 2 : hi;
        if (x.age_lo > x.age_hi)
            fail(c, &c->s->v[key_index("ages", c->s->kind)], "ages",
                 "ages = %s: extra arrivals are children aged 0 to 17",
                 c->s->v[key_index("ages", c->s->kind)].text);
    }
    x.per_month = real_value(c, "per_month");
    x.when = when_value(c);
    scn_extra *slot = on ? grow((void **)&c->sc->extra, &c->sc->nextra, sizeof x) : NULL;
    if (slot)
        *slot = x;
    return on && !slot ? CC_ENOMEM : CC_OK;
}

static int compile_care_leavers(compile_ctx *c, bool on)
{
    scn_support s = {state_value(c, "state"), real_value(c, "support_to_age"), 0};
    s.start = date_value(c, "start", c->sc->run_start);
    if (s.state >= 0 && c->m->def->states[s.state].at_max_age == MD_NONE)
        fail(c, &c->s->v[key_index("state", c->s->kind)], "state",
             "state = %s: the model gives it no exit at a maximum age (at_max_age), so its "
             "support age cannot change",
             c->m->def->states[s.state].name);
    scn_support *slot = on ? grow((void **)&c->sc->support, &c->sc->nsupport, sizeof s) : NULL;
    if (slot)
        *slot = s;
    return on && !slot ? CC_ENOMEM : CC_OK;
}

/* A number key whose default is computed ("(unchanged)", "(the model's)"): NAN when it
 * is not set, recorded in the dump as `unset`. */
static double optional_real(compile_ctx *c, const char *name, const char *unset)
{
    if (!c->s->v[key_index(name, c->s->kind)].text) {
        computed(c, name, unset);
        return NAN;
    }
    return real_value(c, name);
}

/* A workforce with the model's teams, their weights and targets, and nothing else set. */
static scn_workforce *workforce_new(const modeldef *d)
{
    scn_workforce *w = calloc(1, sizeof *w);
    for (int t = 0; w && t < d->nteams; t++) {
        scn_team *team = &w->team[t];
        team->target_caseload = d->teams[t].target_caseload;
        memcpy(team->weight, d->teams[t].weight, sizeof team->weight);
        team->permanent_fte = team->agency_fte = team->vacancy_fte = team->turnover = NAN;
    }
    return w;
}

static void workforce_free_raw(scn_workforce *w)
{
    if (w)
        free(w->changes);
    free(w);
}

static void compile_workforce(compile_ctx *c, scn_workforce *w)
{
    const raw_value *v;
    const char *mode = value(c, "establishment", &v);
    if (mode && strcmp(mode, "fixed") && strcmp(mode, "demand"))
        fail(c, v, "establishment", "establishment = '%s': expected fixed or demand", mode);
    w->demand_led = mode && !strcmp(mode, "demand");
    w->permanent_fte = real_value(c, "permanent_fte");
    w->agency_fte = real_value(c, "agency_fte");
    w->vacancy_fte = real_value(c, "vacancy_fte");
    w->turnover = real_value(c, "turnover");
    w->absence_rate = real_value(c, "absence_rate");
    double lag = real_value(c, "recruitment_lag_months");
    w->recruitment_lag = isnan(lag) ? 0 : (int)lag;
    w->recruitment_per_month = optional_real(c, "recruitment_per_month", "no limit");
    if (isnan(w->recruitment_per_month)) /* not set (a bad value is already reported) */
        w->recruitment_per_month = INFINITY;
    w->recruitment_fill = real_value(c, "recruitment_fill");
    w->nq_intake = real_value(c, "nq_intake");
    double month = real_value(c, "nq_month");
    w->nq_month = isnan(month) ? 9 : (int)month;
    w->nq_caseload = real_value(c, "nq_caseload");
    w->agency_cover = real_value(c, "agency_cover");
    w->agency_cap = real_value(c, "agency_cap");
    w->agency_conversion = real_value(c, "agency_conversion");
    w->turnover_threshold = real_value(c, "turnover_threshold");
    w->turnover_elasticity = real_value(c, "turnover_elasticity");
    w->salary = real_value(c, "salary");
    w->nq_salary = real_value(c, "nq_salary");
    w->oncost = real_value(c, "oncost");
    w->agency_day_rate = real_value(c, "agency_day_rate");
    w->pay_inflation = real_value(c, "pay_inflation");
    if (c->m->def->nteams == 0)
        fail(c, NULL, NULL,
             "[workforce]: model '%s' has no teams ([team.NAME] sections of its definition "
             "say which states each team holds)",
             c->m->def->name);
}

static void compile_team(compile_ctx *c, scn_workforce *w)
{
    const modeldef *d = c->m->def;
    const char *name = strchr(c->s->header, '.') + 1;
    int t = modeldef_team_index(d, name);
    if (t < 0) {
        const char *cands[MD_MAX_TEAMS];
        for (int i = 0; i < d->nteams; i++)
            cands[i] = d->teams[i].name;
        fail(c, NULL, NULL, "[%s]: model '%s' has no team '%s'%s%s%s", c->s->header, d->name,
             name, d->nteams ? "; did you mean '" : " (its definition declares no teams)",
             d->nteams ? cands[util_nearest(name, cands, d->nteams)] : "", d->nteams ? "'?" : "");
        return;
    }
    scn_team *team = &w->team[t];
    double target = optional_real(c, "target_caseload", "the model's");
    if (!isnan(target))
        team->target_caseload = target;
    const raw_value *v;
    const char *weights = value(c, "weights", &v);
    if (!weights) {
        computed(c, "weights", "the model's");
    } else {
        char why[256];
        if (!modeldef_parse_weights(d, t, weights, team->weight, why, sizeof why))
            fail(c, v, "weights", "weights = '%s': %s", weights, why);
    }
    team->permanent_fte = optional_real(c, "permanent_fte", "a share of the council's");
    team->agency_fte = optional_real(c, "agency_fte", "a share of the council's");
    team->vacancy_fte = optional_real(c, "vacancy_fte", "a share of the council's");
    team->turnover = optional_real(c, "turnover", "the council's");
}

static int compile_wf_change(compile_ctx *c, scn_workforce *w)
{
    scn_staffing_change x;
    memset(&x, 0, sizeof x);
    x.when.start = date_value(c, "start", c->sc->run_start);
    x.when.end = date_value(c, "end", SCN_NEVER);
    if (x.when.end != SCN_NEVER && x.when.end <= x.when.start) {
        char a[11], b[11];
        date_format(x.when.start, a);
        date_format(x.when.end, b);
        fail(c, &c->s->v[key_index("end", K_WF_CHANGE)], "end",
             "end = %s is not after start = %s: the change would never act", b, a);
    }
    x.turnover = optional_real(c, "turnover", "unchanged");
    x.recruitment_per_month = optional_real(c, "recruitment_per_month", "unchanged");
    x.agency_cap = optional_real(c, "agency_cap", "unchanged");
    x.agency_conversion = optional_real(c, "agency_conversion", "unchanged");
    if (isnan(x.turnover) && isnan(x.recruitment_per_month) && isnan(x.agency_cap) &&
        isnan(x.agency_conversion))
        fail(c, NULL, NULL,
             "[%s] changes nothing: give at least one of turnover, recruitment_per_month, "
             "agency_cap, agency_conversion",
             c->s->header);
    scn_staffing_change *slot = grow((void **)&w->changes, &w->nchanges, sizeof x);
    if (slot)
        *slot = x;
    return slot ? CC_OK : CC_ENOMEM;
}

const char *const scn_provider_names[SCN_NPROVIDERS] = {"in_house", "block", "external"};

/* A file key resolved against the file it was written in; false (reported) if the
 * file does not exist. Not given: dst = "". */
static bool file_value(compile_ctx *c, const char *name, char *dst, size_t size)
{
    const raw_value *v;
    const char *text = value(c, name, &v);
    dst[0] = '\0';
    if (!text || !*text)
        return true;
    relative_to(v->file, text, dst, size);
    if (!util_exists(dst)) {
        fail(c, v, name, "%s = %s: no such file (%s)", name, text, dst);
        return false;
    }
    return true;
}

/* A placement need named by key `name`: the looked-after state standing for it. */
static int need_value(compile_ctx *c, const char *name)
{
    const raw_value *v;
    const char *text = value(c, name, &v);
    if (!text)
        return -1;
    const modeldef *d = c->m->def;
    int i = modeldef_need_state(d, text);
    if (i < 0 && name[0] == 'i') /* item: any state */
        i = modeldef_state_index(d, text);
    if (i < 0) {
        const char *cands[MD_MAX];
        int n = 0;
        for (int st = 0; st < d->nstates; st++)
            if (d->states[st].looked_after)
                cands[n++] = d->states[st].need;
        fail(c, v, name, "%s = '%s': not a placement need%s of model '%s'; did you mean '%s'?",
             name, text, name[0] == 'i' ? " or state" : "", d->name,
             n ? cands[util_nearest(text, cands, n)] : "");
    }
    return i;
}

/* A provider named by key `name`; `all` gives -1 when allowed. */
static int provider_value(compile_ctx *c, const char *name, bool external, bool all)
{
    const raw_value *v;
    const char *text = value(c, name, &v);
    if (!text)
        return 0;
    if (all && !strcmp(text, "all"))
        return -1;
    for (int p = 0; p < (external ? SCN_NPROVIDERS : SCN_EXTERNAL); p++)
        if (!strcmp(text, scn_provider_names[p]))
            return p;
    fail(c, v, name, "%s = '%s': expected %s", name, text,
         external ? "in_house, block, external or all"
                  : "in_house or block (spot purchase has no capacity to change)");
    return 0;
}

/* Start and end of a placement lever (no ramp); end must follow start. */
static scn_when dated_value(compile_ctx *c)
{
    scn_when w = {date_value(c, "start", c->sc->run_start), date_value(c, "end", SCN_NEVER), 0};
    if (w.end != SCN_NEVER && w.end <= w.start) {
        char a[11], b[11];
        date_format(w.start, a);
        date_format(w.end, b);
        fail(c, &c->s->v[key_index("end", c->s->kind)], "end",
             "end = %s is not after start = %s: the lever would never act", b, a);
    }
    return w;
}

static void compile_placements(compile_ctx *c, scn_placements *pl)
{
    file_value(c, "capacity", pl->capacity, sizeof pl->capacity);
    file_value(c, "costs", pl->costs, sizeof pl->costs);
    file_value(c, "budget", pl->budget, sizeof pl->budget);
    pl->step_down = bool_value(c, "step_down");
    if (pl->budget[0] && !pl->costs[0] && c->s->v[key_index("budget", K_PLACEMENTS)].text)
        fail(c, &c->s->v[key_index("budget", K_PLACEMENTS)], "budget",
             "a budget needs unit costs to compare with: set costs = FILE too");
}

static int compile_cap_change(compile_ctx *c, scn_placements *pl)
{
    scn_capacity_change x = {need_value(c, "need"), provider_value(c, "provider", false, false),
                             real_value(c, "beds"), real_value(c, "households"),
                             real_value(c, "recruitment_per_year"), dated_value(c)};
    if (x.beds == 0 && x.households == 0 && x.recruitment_per_year == 0)
        fail(c, NULL, NULL, "[%s] changes nothing: give beds, households or recruitment_per_year",
             c->s->header);
    if ((x.households != 0 || x.recruitment_per_year != 0) && x.provider != SCN_IN_HOUSE)
        fail(c, NULL, NULL, "[%s]: households and recruitment are for in-house foster care "
             "(provider = in_house)", c->s->header);
    scn_capacity_change *slot = grow((void **)&pl->capacity_changes, &pl->ncapacity, sizeof x);
    if (slot)
        *slot = x;
    return slot ? CC_OK : CC_ENOMEM;
}

static int compile_cost_change(compile_ctx *c, scn_placements *pl)
{
    scn_cost_change x = {need_value(c, "item"), provider_value(c, "provider", true, true),
                         real_value(c, "multiplier"), dated_value(c)};
    scn_cost_change *slot = grow((void **)&pl->cost_changes, &pl->ncost, sizeof x);
    if (slot)
        *slot = x;
    return slot ? CC_OK : CC_ENOMEM;
}

static int compile_service(compile_ctx *c, scn_placements *pl)
{
    scn_service x;
    memset(&x, 0, sizeof x);
    const char *dot = strchr(c->s->header, '.');
    util_copy(x.name, dot ? dot + 1 : "service", sizeof x.name);
    const raw_value *v;
    const char *label = value(c, "label", &v);
    util_copy(x.label, label ? label : x.name, sizeof x.label);
    if (!label)
        computed(c, "label", x.label);
    x.annual_cost = real_value(c, "annual_cost");
    x.inflation = real_value(c, "inflation");
    x.when = dated_value(c);
    for (int i = 0; i < pl->nservice; i++)
        if (!strcmp(pl->services[i].name, x.name))
            fail(c, NULL, NULL, "[%s]: a second service named '%s'", c->s->header, x.name);
    scn_service *slot = grow((void **)&pl->services, &pl->nservice, sizeof x);
    if (slot)
        *slot = x;
    return slot ? CC_OK : CC_ENOMEM;
}

static void placements_free_raw(scn_placements *p)
{
    if (p) {
        free(p->capacity_changes);
        free(p->cost_changes);
        free(p->services);
    }
    free(p);
}

/* The file name without folder and ".ini". */
static void stem_of(const char *path, char *dst, size_t size)
{
    const char *b = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    util_copy(dst, b, size);
    char *dot = strrchr(dst, '.');
    if (dot && dot != dst)
        *dot = '\0';
}

static int compile(compile_ctx *c, const raw *r, const char *path)
{
    scenario *sc = c->sc;
    c->s = &r->sec[0];
    fprintf(c->dump, "# scenario read from %s: every key, its value and where it came from\n",
            path);
    const raw_value *v;
    const char *name = value(c, "name", &v);
    char stem[SCN_NAME];
    stem_of(path, stem, sizeof stem);
    util_copy(sc->name, name ? name : stem, sizeof sc->name);
    sc->name_line = name ? v->line : 0;
    if (!name)
        computed(c, "name", sc->name);
    if (!scenario_name_ok(sc->name))
        fail(c, v, "name",
             "name = '%s': expected 1-63 letters, digits, '-' or '_' (name the scenario "
             "with key 'name' when the file name is not like that)",
             sc->name);
    const char *desc = value(c, "description", &v);
    util_copy(sc->description, desc ? desc : "", sizeof sc->description);
    const raw_value *b = &r->sec[0].v[key_index("base", K_TOP)];
    fprintf(c->dump, "base = %s\n", b->text ? b->text : "");
    scn_workforce *wf = workforce_new(c->m->def);
    scn_placements *pl = calloc(1, sizeof *pl);
    int rc = wf && pl ? CC_OK : CC_ENOMEM;
    const raw_section *staff = NULL, *workforce = NULL; /* first team/change, the workforce */
    const raw_section *pchange = NULL, *placements = NULL; /* the same for placements */
    for (int i = 1; i < r->n && rc == CC_OK; i++) {
        c->s = &r->sec[i];
        if (!c->s->kind)
            continue;
        fprintf(c->dump, "\n[%s]    ; %s:%d\n", c->s->header, c->s->file, c->s->line);
        bool on = bool_value(c, "enabled");
        if (c->s->kind & K_STAFF) {
            if (!on) /* a switched-off workforce section is only recorded */
                continue;
            if (c->s->kind == K_WORKFORCE) {
                workforce = c->s;
                compile_workforce(c, wf);
            } else {
                staff = staff ? staff : c->s;
                if (c->s->kind == K_TEAM)
                    compile_team(c, wf);
                else
                    rc = compile_wf_change(c, wf);
            }
            continue;
        }
        if (c->s->kind & K_PLACE) {
            if (!on)
                continue;
            if (c->s->kind == K_PLACEMENTS) {
                placements = c->s;
                compile_placements(c, pl);
                continue;
            }
            pchange = pchange ? pchange : c->s;
            rc = c->s->kind == K_CAP_CHANGE    ? compile_cap_change(c, pl)
                 : c->s->kind == K_COST_CHANGE ? compile_cost_change(c, pl)
                                               : compile_service(c, pl);
            continue;
        }
        switch (c->s->kind) {
        case K_ENTRIES:
            rc = compile_entries(c, on);
            break;
        case K_HAZARD:
        case K_REREFERRAL:
            rc = compile_hazard(c, on, c->s->kind == K_REREFERRAL);
            break;
        case K_POPULATION:
            rc = compile_population(c, on);
            break;
        case K_EXTRA:
            rc = compile_extra(c, on);
            break;
        default:
            rc = compile_care_leavers(c, on);
            break;
        }
    }
    if (placements) {
        sc->placements = pl;
    } else {
        if (pchange) {
            c->s = pchange;
            fail(c, NULL, NULL,
                 "[%s] changes placements or costs, but the scenario has no [placements] "
                 "section (give one, or inherit one with base = FILE)",
                 pchange->header);
        }
        placements_free_raw(pl);
    }
    if (workforce) {
        sc->workforce = wf;
        return rc;
    }
    if (staff) {
        c->s = staff;
        fail(c, NULL, NULL,
             "[%s] changes the workforce, but the scenario has no [workforce] section (give "
             "one, or inherit one with base = FILE)",
             staff->header);
    }
    workforce_free_raw(wf);
    return rc;
}

scenario *scenario_neutral(const char *name, int run_start)
{
    scenario *sc = calloc(1, sizeof *sc);
    if (!sc)
        return NULL;
    util_copy(sc->name, name, sizeof sc->name);
    sc->run_start = run_start;
    char text[256];
    snprintf(text, sizeof text,
             "# scenario %s: no scenario file; the model as fitted, with no levers\n", name);
    sc->parameters = strdup(text);
    if (!sc->parameters) {
        free(sc);
        return NULL;
    }
    return sc;
}

scenario *scenario_read(const char *path, const model *m, int run_start, problems *p)
{
    reading rd = {p, {NULL}, 0};
    raw r = {NULL, 0, 0};
    long before = problems_errors(p);
    int rc = load(&rd, path, &r);
    scenario *sc = calloc(1, sizeof *sc);
    char *dump = NULL;
    size_t dump_len = 0;
    FILE *f = open_memstream(&dump, &dump_len);
    if (!sc || !f)
        rc = CC_ENOMEM;
    if (rc == CC_OK) {
        util_copy(sc->file, path, sizeof sc->file);
        sc->run_start = run_start;
        compile_ctx c = {&rd, m, sc, NULL, f, 0};
        rc = compile(&c, &r, path);
    }
    if (f)
        fclose(f);
    if (sc)
        sc->parameters = dump;
    else
        free(dump);
    raw_free(&r);
    for (int i = 0; i < rd.nfiles; i++)
        free(rd.files[i]);
    if (rc == CC_ENOMEM)
        problems_add(p, PROBLEM_ERROR, path, 0, NULL, "out of memory reading the scenario");
    if (rc != CC_OK || problems_errors(p) > before) {
        scenario_free(sc);
        return NULL;
    }
    return sc;
}

void scenario_free(scenario *sc)
{
    if (!sc)
        return;
    free(sc->parameters);
    free(sc->entries);
    free(sc->hazards);
    free(sc->growth);
    free(sc->extra);
    free(sc->support);
    free(sc->population);
    workforce_free_raw(sc->workforce);
    placements_free_raw(sc->placements);
    free(sc);
}

bool scenario_name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= SCN_NAME)
        return false;
    for (const char *q = name; *q; q++)
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') ||
              *q == '-' || *q == '_'))
            return false;
    return true;
}

/* ---- what the simulation asks ------------------------------------------------------- */

double scenario_fraction(const scn_when *w, double day)
{
    if (day < w->start || (w->end != SCN_NEVER && day >= w->end))
        return 0;
    if (w->ramp <= 1)
        return 1;
    /* step k covers [start + k months, start + k + 1 months) at (k + 1) / R */
    for (int k = 0; k < w->ramp - 1; k++)
        if (day < date_add_months(w->start, k + 1))
            return (k + 1) / (double)w->ramp;
    return 1;
}

static double projected_population(const scenario *sc, int year, int age)
{
    int y = year - sc->pop_year0;
    y = y < 0 ? 0 : y >= sc->pop_nyears ? sc->pop_nyears - 1 : y;
    return sc->population[(size_t)y * MODEL_POP_AGES + (age < 0 ? 0 : age)];
}

/* The entry factor at time t (in calendar `year`). */
static double entry_factor_at(const scenario *sc, const model *m, int state, int age, double t,
                              int year)
{
    double f = 1;
    for (int i = 0; i < sc->nentries; i++) {
        const scn_entries *e = &sc->entries[i];
        double fr = e->state[state] && e->age[age + 1] ? scenario_fraction(&e->when, t) : 0;
        if (fr > 0)
            f *= 1 + fr * (e->multiplier - 1);
    }
    for (int i = 0; i < sc->ngrowth; i++) {
        const scn_growth *g = &sc->growth[i];
        if (g->age[age + 1] && t > g->start)
            f *= pow(1 + g->rate, (t - g->start) / 365.25);
    }
    if (sc->population) {
        int y0, mm, dd;
        date_to_ymd(sc->run_start, &y0, &mm, &dd);
        double base = m->entry_per_child ? model_population(m, year, age)
                                         : projected_population(sc, y0, age);
        if (base > 0)
            f *= projected_population(sc, year, age) / base;
    }
    return f;
}

double scenario_entry_factor(const scenario *sc, const model *m, int state, int age, int day0,
                             int day1)
{
    if (!sc || (sc->nentries == 0 && sc->ngrowth == 0 && !sc->population) || day1 <= day0)
        return 1.0;
    double sum = 0;
    for (int d = day0; d < day1; d++) {
        int y, mm, dd;
        date_to_ymd(d, &y, &mm, &dd);
        sum += entry_factor_at(sc, m, state, age, d + 0.5, y);
    }
    return sum / (day1 - day0);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int scenario_hazard_breaks(const scenario *sc, int day0, int day1, double *out, int max)
{
    if (!sc)
        return 0;
    int n = 0;
    for (int i = 0; i < sc->nhazards; i++) {
        const scn_when *w = &sc->hazards[i].when;
        for (int k = -1; k < w->ramp; k++) {
            /* k = -1: the end; k = 0: the start; k >= 1: ramp steps */
            double t = k < 0 ? (w->end == SCN_NEVER ? -1 : w->end) : date_add_months(w->start, k);
            if (t > day0 && t < day1 && n < max)
                out[n++] = t;
        }
    }
    qsort(out, (size_t)n, sizeof *out, cmp_double);
    int u = 0;
    for (int i = 0; i < n; i++)
        if (u == 0 || out[i] != out[u - 1])
            out[u++] = out[i];
    return u;
}

void scenario_hazards(const scenario *sc, const model *m, double day, const double *rate,
                      double *out)
{
    const modeldef *d = m->def;
    size_t cells = (size_t)d->nage * d->ndur;
    memcpy(out, rate, sizeof *out * cells * (size_t)m->ntrans);
    for (int i = 0; sc && i < sc->nhazards; i++) {
        const scn_hazard *h = &sc->hazards[i];
        double f = scenario_fraction(&h->when, day);
        if (f == 0)
            continue;
        double mult = 1 + f * (h->multiplier - 1), add = f * h->add;
        for (int k = 0; k < m->ntrans; k++) {
            if (!h->from[m->from[k]] || !h->target[m->to[k]])
                continue;
            for (int b = 0; b < d->nage; b++) {
                if (!h->band[b])
                    continue;
                double *cell = out + (size_t)k * cells + (size_t)b * d->ndur;
                for (int j = 0; j < d->ndur; j++) {
                    double v = cell[j] * mult + add;
                    cell[j] = v > 0 ? v : 0;
                }
            }
        }
    }
}
