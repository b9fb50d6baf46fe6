/* model.h -- a fitted (or true) model: hazards, entry rates, population and history.
 *
 * The model file is what `run` projects from. `synth` writes the true model of its
 * synthetic council; `fit` will write one estimated from a council's records. It holds:
 *   - the model definition text (states, exit reasons, bands, code maps);
 *   - for each allowed transition (from state -> target) a hazard per day on the grid of
 *     age bands x duration bands, with the events and exposure (person-days) behind it;
 *   - entry rates by entry state and age band: new children per child in the population
 *     per day (or, without a population, children per day);
 *   - the child population by single year of age 0-17 and year;
 *   - the observed episode history up to the extract date, from which `run` takes the
 *     children open on its start date.
 * The layout is documented in README.md ("Model file").
 */
#ifndef CC_MODEL_H
#define CC_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include <hdf5.h>

#include "error.h"
#include "modeldef.h"

#define MODEL_OPEN_END    INT32_MAX /* `end` of an episode still open at the extract date */
#define MODEL_REASON_MOVE (-1)      /* episode ended by a move to the child's next state */
#define MODEL_REASON_OPEN (-2)      /* episode still open */
#define MODEL_POP_AGES    18        /* population ages 0..17 */

/* Who provided a looked-after placement (SSDA903 PLACE_PROVIDER), as far as known. */
enum model_provider {
    MODEL_PROVIDER_UNKNOWN = 0, /* not recorded (or not a placement) */
    MODEL_PROVIDER_OWN = 1,     /* PR1: the council's own provision */
    MODEL_PROVIDER_OTHER = 2,   /* PR2-PR5: another council, public body, private or voluntary */
    MODEL_PROVIDER_PARENT = 3   /* PR0: a parent or person with parental responsibility */
};

/* One recorded episode: the child was in `state` on days [start, end). */
typedef struct model_episode {
    int64_t child;
    int32_t dob;
    int32_t start, end;
    int16_t state;
    int16_t reason;  /* exit index, MODEL_REASON_MOVE or MODEL_REASON_OPEN */
    int8_t provider; /* enum model_provider of the episode's last placement */
} model_episode;

/* The provider of an SSDA903 PLACE_PROVIDER code (PR0-PR5), MODEL_PROVIDER_UNKNOWN for
 * anything else. */
int model_provider_code(const char *code);

typedef struct model {
    modeldef *def;         /* owned */
    int ntrans, max_trans; /* transitions held, and room for */
    int *from, *to;        /* [ntrans]: state index, target index (see modeldef.h) */
    double *rate;          /* [ntrans][nage][ndur] hazard per day */
    double *events;        /* [ntrans][nage][ndur] events observed */
    double *exposure;      /* [ntrans][nage][ndur] person-days at risk */
    double *entry;         /* [nstates][nage] new children per day (per child if per_child) */
    bool entry_per_child;
    int pop_year0, pop_nyears;
    double *population; /* [pop_nyears][MODEL_POP_AGES] children at mid-year */
    int extract_date;   /* last day covered by the history (day number) */
    int history_start;  /* first day from which the history is complete */
    int64_t nepisodes;
    model_episode *episodes; /* sorted by child, then start */
    char source[512];        /* how the model was made */
    /* Parameter uncertainty (written by fit; NULL in a true model). Each hazard cell has
     * a Gamma posterior: shape = events + prior events, rate = exposure + prior
     * person-days; `run` draws every replicate's hazards from it. */
    double *post_shape, *post_rate; /* [ntrans][nage][ndur]; rate in person-days */
    double prior_events;            /* prior strength, in events */
    /* Entry regression (fit; NULL for constant rates): per entry state, the log rate is
     * level[band] + trend x years since entry_ref_day + season[calendar month], with the
     * parameters' covariance so `run` can draw them. Layout: MODEL_ENTRY_NPAR(nage). */
    double *entry_beta; /* [nstates][P] */
    double *entry_cov;  /* [nstates][P][P] */
    int entry_ref_day;
    bool entry_trend, entry_season;
    /* Fitted against observed month-end stock over the window (fit's own check). */
    int window_start, window_end; /* days; 0 if not fitted */
    int check_months;
    int *check_end;          /* [check_months] month-end days */
    double *check_observed;  /* [check_months][nstates] */
    double *check_fitted;    /* [check_months][nstates]: mean of the check replicates */
} model;

/* Parameters of one entry state's regression: age-band levels, trend, 12 months. */
#define MODEL_ENTRY_NPAR(nage) ((nage) + 13)

/* Public API */

/* An empty model over `def` (taken over: freed with the model), with room for up to
 * `max_trans` transitions. NULL when out of memory. */
model *model_alloc(modeldef *def, int max_trans);

/* Frees a model (NULL allowed). */
void model_free(model *m);

/* Index of transition from -> to, adding it if new; -1 if the table is full. */
int model_transition(model *m, int from, int to);

/* Pointer to the [nage][ndur] hazard grid of transition k. */
double *model_rate(model *m, int k);

/* Allocates the posterior and entry-regression tables (zeroed). CC_OK or CC_ENOMEM. */
int model_alloc_uncertainty(model *m);

/* Arrival rate per day into `state` for age band `band` on `day` (per child in the
 * population if entry_per_child): from the regression coefficients `beta` ([nstates][P],
 * the point estimates or a replicate's draw) if the model has them, else entry[]. */
double model_entry_rate(const model *m, const double *beta, int state, int band, int day);

/* Sets the population table (copied); years from year0, ages 0..17. */
int model_set_population(model *m, int year0, int nyears, const double *counts);

/* Children in the population of single-year age `age` (0..17) in calendar `year`;
 * years outside the table use the nearest year. Age -1 (unborn) uses age 0. */
double model_population(const model *m, int year, int age);

/* Takes over an episode array (malloc'd), sorting it by child and start. */
void model_set_history(model *m, model_episode *episodes, int64_t n, int extract_date);

/* One span a child spends in one state: a recorded episode, or a derived span (states
 * with in_history = no, such as CLOSED) that follows an exit into such a state and lasts
 * until the child's next episode, the state's max_days or its max_age birthday. */
typedef struct model_span {
    const model_episode *episode; /* the recorded episode (for a derived span: the one
                                   * whose exit led into it) */
    int state;
    int start, end; /* days [start, end); end = MODEL_OPEN_END if open at the extract */
    int target;     /* how it ended: a target index (state, or nstates + exit), -1 if open */
    bool forced;    /* ended by the state's max_age birthday or max_days, not a hazard */
} model_span;

typedef void (*model_span_fn)(void *ctx, const model_span *span);

/* Walks every span of every child in the history, in child order. */
void model_spans(const model *m, model_span_fn fn, void *ctx);

/* Children of the history in each state at the end of each of `n` days (in a state on
 * a day if its span covers the day): stock is [n][nstates + 1], its last column the
 * looked-after states together (CLA). Derived spans (such as CLOSED) are counted. */
void model_stock_on(const model *m, const int *days, int n, double *stock);

/* Writes the model file atomically. CC_EEXIST if it exists and !force. */
int model_write(const model *m, const char *path, bool force, cc_err *err);

/* Reads a model file, checking every table against the definition it carries. */
model *model_read(const char *path, cc_err *err, int *status);

/* Writes / reads the model tables (definition, hazards, entries, population; not the
 * history) in group `g`: the model file's root, or /model inside a run file. */
int model_write_tables(hid_t g, const model *m, cc_err *err);
model *model_read_tables(hid_t g, const char *path, cc_err *err, int *status);

#endif
