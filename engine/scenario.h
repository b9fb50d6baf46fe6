/* scenario.h -- what-if scenarios: levers written in plain INI files, applied to a model.
 *
 * A scenario file says how the future differs from the fitted model: fewer referrals
 * after early help, fewer teenagers entering care after an edge-of-care service, care
 * leavers supported to 25, a growing population, children arriving under a national
 * transfer scheme. Every key is declared once, in the table in scenario.c (name, type,
 * default, bounds, description); the same table drives parsing, validation, `carecast
 * help scenario` and the parameter dump stored in each run file. Unknown and duplicate
 * keys are errors naming the nearest valid key, and every problem of a file (and of the
 * files it inherits from with `base = FILE`) is reported at once with file:line.
 *
 * Reading resolves every name against the model (states, exit reasons, age bands,
 * transitions), so what the simulation receives is checked and plain: the structs
 * below. The simulation asks three questions of a scenario, each answered here:
 *   - by what factor are expected arrivals of (state, age) multiplied over some days
 *     (entry levers, population growth or a projection), scenario_entry_factor();
 *   - when do the hazards change (the start, ramp steps and end of hazard levers),
 *     scenario_hazard_breaks(), and what are they at a given time, scenario_hazards();
 *   - which fixed extra arrivals and which changed support ages apply (read directly).
 * The workforce model (workforce.h) reads the [workforce], [team.NAME] and
 * [workforce_change.NAME] sections from `workforce`; the placement and finance layers
 * read [placements], [capacity_change.NAME], [cost_change.NAME] and [service.NAME] from
 * `placements`.
 * A lever's effect is 0 before its start, ramps in equal monthly steps (1/R of the
 * effect in the first month from the start, 2/R in the second, ... full from the R-th
 * month) and stops at its end, scenario_fraction().
 */
#ifndef CC_SCENARIO_H
#define CC_SCENARIO_H

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

#include "model.h"
#include "problems.h"

#define SCN_NAME     64
#define SCN_AGES     19 /* single years of age of arrivals: -1 (unborn) .. 17 */
#define SCN_NEVER    INT_MAX

/* When a lever acts: from `start` (a day number) to the day before `end`. */
typedef struct scn_when {
    int start;
    int end;  /* SCN_NEVER when it does not stop */
    int ramp; /* months of ramp-in (0: full effect from the start) */
} scn_when;

/* Expected arrivals into the marked entry states at the marked ages, multiplied. */
typedef struct scn_entries {
    bool state[MD_MAX];
    bool age[SCN_AGES]; /* index = age + 1 */
    double multiplier;
    scn_when when;
} scn_entries;

/* Hazards of the marked transitions (from state -> target) in the marked age bands:
 * rate x multiplier + add, never below 0. */
typedef struct scn_hazard {
    bool from[MD_MAX];
    bool target[2 * MD_MAX];
    bool band[MD_MAX_BANDS];
    double multiplier;
    double add; /* per day */
    scn_when when;
} scn_hazard;

/* The child population at the marked ages grows by `rate` a year from `start`. */
typedef struct scn_growth {
    bool age[SCN_AGES];
    double rate;
    int start;
} scn_growth;

/* A fixed number of extra arrivals a month into `state`, ages age_lo..age_hi. */
typedef struct scn_extra {
    int state;
    int age_lo, age_hi;
    double per_month;
    scn_when when;
} scn_extra;

/* From `start`, children leave `state` at age `to_age` instead of the definition's
 * max_age (a child whose old leaving birthday falls before `start` still leaves then). */
typedef struct scn_support {
    int state;
    double to_age;
    int start;
} scn_support;

/* Workforce values a [workforce_change] section replaces while it acts (NAN: unchanged). */
typedef struct scn_staffing_change {
    scn_when when; /* no ramp */
    double turnover, recruitment_per_month, agency_cap, agency_conversion;
} scn_staffing_change;

/* One team of the model as the scenario sees it: the model's weights and target with any
 * [team.NAME] changes, and the team's own starting staff and turnover (NAN: a share of
 * the council's figures, or the council's turnover). */
typedef struct scn_team {
    double target_caseload;
    double weight[MD_MAX];
    double permanent_fte, agency_fte, vacancy_fte;
    double turnover;
} scn_team;

/* The [workforce] section: case-holding staff on the start date and the policies that
 * move them (see workforce.h for how each value is used). Rates are annual shares. */
typedef struct scn_workforce {
    bool demand_led; /* establishment follows FTE needed (else fixed at the start's posts) */
    double permanent_fte, agency_fte, vacancy_fte;
    double turnover, absence_rate;
    int recruitment_lag; /* months from advert to start */
    double recruitment_per_month, recruitment_fill;
    double nq_intake, nq_caseload;
    int nq_month; /* 1-12 */
    double agency_cover, agency_cap, agency_conversion;
    double turnover_threshold, turnover_elasticity;
    double salary, nq_salary, oncost, agency_day_rate, pay_inflation;
    scn_team team[MD_MAX_TEAMS]; /* one per team of the model */
    int nchanges;
    scn_staffing_change *changes;
} scn_workforce;

/* Providers of a placement: the council's own beds, beds it has block-contracted from
 * another provider, and spot purchases (independent fostering agencies, private homes). */
enum scn_provider { SCN_IN_HOUSE, SCN_BLOCK, SCN_EXTERNAL, SCN_NPROVIDERS };
extern const char *const scn_provider_names[SCN_NPROVIDERS]; /* "in_house", "block", "external" */

/* Capacity a scenario adds ([capacity_change.NAME]) while `when` acts: beds of one
 * provider and need, or in-house foster households and their recruitment. */
typedef struct scn_capacity_change {
    int need;     /* looked-after state */
    int provider; /* SCN_IN_HOUSE or SCN_BLOCK */
    double beds, households, recruitment_per_year;
    scn_when when; /* no ramp */
} scn_capacity_change;

/* Unit costs of an item (a state) multiplied while `when` acts ([cost_change.NAME]). */
typedef struct scn_cost_change {
    int item;
    int provider; /* -1: every provider */
    double multiplier;
    scn_when when;
} scn_cost_change;

/* A service the scenario pays for ([service.NAME]): annual cost at the run start's prices,
 * paid by the day while `when` acts, rising by `inflation` each 1 April. */
typedef struct scn_service {
    char name[SCN_NAME];
    char label[128];
    double annual_cost, inflation;
    scn_when when;
} scn_service;

/* The [placements] section and the sections that change it (placement.h, finance.h). */
typedef struct scn_placements {
    char capacity[1024], costs[1024], budget[1024]; /* paths ("" when not given) */
    bool step_down; /* move children from spot placements into beds that free up */
    int ncapacity, ncost, nservice;
    scn_capacity_change *capacity_changes;
    scn_cost_change *cost_changes;
    scn_service *services;
} scn_placements;

typedef struct scenario {
    char name[SCN_NAME];
    int name_line;          /* line of the `name` key, 0 when named after the file */
    char file[1024];        /* the file read ("" for the built-in baseline) */
    char description[512];
    char *parameters;       /* every key with its value and where it came from */
    int run_start;          /* day number the levers' default start refers to */
    int nentries, nhazards, ngrowth, nextra, nsupport;
    scn_entries *entries;
    scn_hazard *hazards;
    scn_growth *growth;
    scn_extra *extra;
    scn_support *support;
    scn_workforce *workforce; /* NULL: the scenario has no [workforce] section */
    scn_placements *placements; /* NULL: the scenario has no [placements] section */
    /* a population projection ([pop_nyears][MODEL_POP_AGES]), or NULL */
    int pop_year0, pop_nyears;
    double *population;
} scenario;

/* Public API */

/* Reads a scenario file (and the files it inherits from) against model `m`, for a run
 * starting on `run_start`. Every problem goes to `p` with file:line; NULL if there
 * was an error (or no memory, which is also added to `p`). */
scenario *scenario_read(const char *path, const model *m, int run_start, problems *p);

/* The scenario with no levers, named `name` (the implicit baseline). */
scenario *scenario_neutral(const char *name, int run_start);

/* Frees a scenario (NULL allowed). */
void scenario_free(scenario *sc);

/* Prints every key of the table: section, name, type, default, bounds, description. */
void scenario_help(FILE *f);

/* Share of a lever's effect in force at time `day` (0 .. 1). */
double scenario_fraction(const scn_when *w, double day);

/* Factor on the expected arrivals into `state` at single-year `age` (-1 .. 17), averaged
 * over days [day0, day1). Exactly 1 when no lever touches them. */
double scenario_entry_factor(const scenario *sc, const model *m, int state, int age, int day0,
                             int day1);

/* Times in (day0, day1) at which some hazard lever changes, ascending and distinct;
 * returns how many (at most `max` are stored). */
int scenario_hazard_breaks(const scenario *sc, int day0, int day1, double *out, int max);

/* The hazards in force at time `day`: `rate` ([ntrans][nage][ndur], per day) with every
 * hazard lever applied, into `out`. */
void scenario_hazards(const scenario *sc, const model *m, double day, const double *rate,
                      double *out);

/* True if a scenario name is valid: 1-63 letters, digits, '-' or '_'. */
bool scenario_name_ok(const char *name);

#endif
