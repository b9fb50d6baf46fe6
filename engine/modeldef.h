/* modeldef.h -- the model definition: states, exit reasons, bands and code maps.
 *
 * A model definition is an INI file in models/ (see models/standard.ini). It is data,
 * not code: the engine sizes every table from it, so a council can add a state or
 * re-map an SSDA903 code without recompiling. Its full text travels inside every model
 * and run file, so a run can always be re-read with the definition it was made with.
 *
 * Targets. A hazard leads from a state to a *target*: targets 0..nstates-1 are states
 * (a move, e.g. CIN -> CP), targets nstates..nstates+nexits-1 are exit reasons (e.g.
 * CLA_FOS -> adopted), and each exit reason says where the child goes next (`then`: a
 * state such as CLOSED or CL, or MD_OUT when the child leaves the model).
 */
#ifndef CC_MODELDEF_H
#define CC_MODELDEF_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

#define MD_NAME      32  /* longest state, exit or code name, including the NUL */
#define MD_LABEL     160 /* longest label */
#define MD_MAX       48  /* most states, and most exit reasons */
#define MD_MAX_BANDS 16  /* most age or duration bands */
#define MD_MAX_CODES 128
#define MD_MAX_TEAMS 8   /* most social-work teams */
#define MD_OUT       (-1) /* `then` of an exit that leaves the model */
#define MD_MOVE      (-2) /* REC code meaning "a new episode starts the same day" */
#define MD_NONE      (-3) /* no forced exit */

typedef struct md_state {
    char name[MD_NAME];
    char label[MD_LABEL];
    bool looked_after; /* counted in the CLA cohort */
    bool in_history;   /* recorded as episodes (false: derived from gaps) */
    double max_age;    /* years; the child leaves at this exact birthday (0 = none) */
    int at_max_age;    /* exit index used then, or MD_NONE */
    double max_days;   /* days in the state after which the child leaves (0 = none) */
    int at_max_days;   /* exit index used then, or MD_NONE */
    char need[MD_NAME]; /* looked-after states: the placement need it stands for (capacity
                         * and cost files name it; default: the state's name); else "" */
} md_state;

typedef struct md_exit {
    char name[MD_NAME];
    char label[MD_LABEL];
    int then; /* state index, or MD_OUT */
} md_exit;

typedef struct md_code {
    char code[MD_NAME];
    int value; /* state index (PLACE), exit index or MD_MOVE (REC) */
} md_code;

/* A social-work team: the states whose cases it holds, how much each case weighs and the
 * caseload the council aims for (weighted cases per available FTE). */
typedef struct md_team {
    char name[MD_NAME];
    char label[MD_LABEL];
    bool holds[MD_MAX];     /* states whose cases the team holds (a state has one team) */
    double weight[MD_MAX];  /* weight of one case in each held state (1 unless set) */
    double target_caseload; /* weighted cases per available FTE aimed for */
} md_team;

typedef struct modeldef {
    char name[MD_NAME];
    char description[MD_LABEL];
    int nstates, nexits;
    md_state states[MD_MAX];
    md_exit exits[MD_MAX];
    int nage, ndur;                 /* bands; band i starts at edge i, the last is open */
    double age_edges[MD_MAX_BANDS]; /* years */
    double dur_edges[MD_MAX_BANDS]; /* days */
    int nplace, nrec;
    md_code place[MD_MAX_CODES];
    md_code rec[MD_MAX_CODES];
    int nteams;
    md_team teams[MD_MAX_TEAMS];
    char *text; /* the definition's INI text, as read */
} modeldef;

/* Public API */

/* Reads and validates a definition file. On failure returns NULL, sets *status and
 * describes every problem found (file:line: key = value, what was expected). */
modeldef *modeldef_alloc(const char *path, cc_err *err, int *status);

/* The same from INI text held in memory; `origin` names it in messages. */
modeldef *modeldef_alloc_text(const char *text, const char *origin, cc_err *err, int *status);

/* Frees a definition (NULL is allowed). */
void modeldef_free(modeldef *def);

/* Number of hazard targets: states followed by exit reasons. */
int modeldef_ntargets(const modeldef *def);

/* Name of target t (a state or an exit reason). */
const char *modeldef_target_name(const modeldef *def, int t);

/* Index of the state / exit reason with this name, or -1. */
int modeldef_state_index(const modeldef *def, const char *name);
int modeldef_exit_index(const modeldef *def, const char *name);

/* The looked-after state whose placement need (or state name) is `name` (needs are
 * matched without regard to case), or -1. */
int modeldef_need_state(const modeldef *def, const char *name);

/* Index of the team with this name, or -1. */
int modeldef_team_index(const modeldef *def, const char *name);

/* Parses caseload weights "STATE:WEIGHT, STATE:WEIGHT" (WEIGHT > 0) for team `team` into
 * weight[MD_MAX], leaving states not named unchanged. False with the reason in `why`
 * (a state that is not defined or not held by the team, a bad number). */
bool modeldef_parse_weights(const modeldef *def, int team, const char *text, double *weight,
                            char *why, size_t size);

/* State of an SSDA903 placement: the map's `PLACE/PROVIDER` entry if it has one (so a
 * council can split, say, in-house from agency foster care), else the `PLACE` entry;
 * -1 if the code is not mapped. Codes match case-insensitively. */
int modeldef_place_state(const modeldef *def, const char *place, const char *provider);

/* Exit reason index of an SSDA903 REC code, MD_MOVE for a code meaning "a new episode
 * starts the same day" (X1), or MD_NONE if the code is not mapped. */
int modeldef_rec_exit(const modeldef *def, const char *rec);

/* Label of age band `band` in whole years, as tables and charts show it: "unborn" for
 * [-1, 0), "0" for a one-year band, "10-15" for [10, 16), "25+" for the last (edges that
 * are not whole years give "0.5-2"). */
void modeldef_age_label(const modeldef *def, int band, char *buf, size_t size);

/* Band index of an age in years / a duration in days. */
int modeldef_age_band(const modeldef *def, double age_years);
int modeldef_dur_band(const modeldef *def, double days);

#endif
