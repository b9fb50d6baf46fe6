/* sim.h -- the simulation kernel: one replicate of every child, in continuous time.
 *
 * A sim_setup is built once per run from a model and a start date: the monthly grid,
 * the hazard tables rearranged for fast lookup (total hazard and cumulative targets per
 * state x age band x duration band cell), the children open on the start date, and the
 * expected arrivals per month, entry state and single year of age. It is read-only
 * while replicates run, so threads share it.
 *
 * Each thread owns a sim_work (random generator and scratch arrays). sim_replicate()
 * simulates one replicate into a sim_ledger whose arrays point into the run's
 * [replicate x month x ...] output, so nothing is allocated inside the replicate loop.
 *
 * Method. A child's stay in a state ends at the first event of competing risks whose
 * hazards are piecewise constant in exact age and duration in the state. The kernel
 * draws one unit exponential per stay and walks the pieces, subtracting each piece's
 * integrated hazard, until it is used up (inversion of the cumulative hazard). This is
 * the same distribution as re-drawing at every band boundary but costs one draw per
 * event, so run time grows with the number of events, not with children x days. The
 * target is then chosen in proportion to the hazards of the piece where the event falls.
 * Forced exits happen at a state's max_age (an exact birthday) and max_days.
 */
#ifndef CC_SIM_H
#define CC_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "model.h"
#include "scenario.h"

typedef struct sim_setup sim_setup;
typedef struct sim_work sim_work;
typedef struct sim_scenario sim_scenario;

/* One replicate's monthly results; every array is laid out [month][...]. */
typedef struct sim_ledger {
    int32_t *stock;      /* [M][S] children in the state at the end of the month */
    int32_t *inflow;     /* [M][S] entries into the state (arrivals and transfers in) */
    int32_t *outflow;    /* [M][S] exits from the state (transfers and leaving) */
    int32_t *arrivals;   /* [M][S] new children arriving from outside the model */
    int32_t *flows;      /* [M][F] events of each possible flow (see sim_flow) */
    double *person_days; /* [M][S] days spent in the state during the month */
    int32_t *starts;     /* [M][nage] children starting to be looked after (arriving in a
                          * looked-after state from outside care), by age band then */
} sim_ledger;

/* Something that happened to a child, handed to an observer (used by `synth`). */
typedef struct sim_event {
    uint64_t child; /* stream key of the child (unique within the replicate) */
    int dob;        /* date of birth (day number) */
    int from;       /* state left, or -1 for an arrival */
    int target;     /* target entered (state, or nstates + exit reason); -1 when the
                     * child is still in `from` at the end of the horizon */
    int then;       /* state the child is now in, or MD_OUT */
    double time;    /* when (day number with fraction) */
} sim_event;

typedef void (*sim_observer)(void *ctx, const sim_event *event);

/* Public API */

/* Prepares a run of `nmonths` months from `start_day` with master seed `seed`. The
 * model must outlive the setup. Fails with CC_EINPUT when the start date is outside
 * what the model's history covers. */
sim_setup *sim_setup_alloc(const model *m, int start_day, int nmonths, uint64_t seed, cc_err *err,
                           int *status);
void sim_setup_free(sim_setup *s);

/* Parameter uncertainty: when on (and the model was fitted, so it has posteriors and
 * an entry covariance), each replicate draws its hazards and entry coefficients before
 * it runs; otherwise every replicate uses the point estimates. Off by default. Call
 * before allocating work areas. */
void sim_set_parameter_draws(sim_setup *s, bool on);
bool sim_parameter_draws(const sim_setup *s);

/* Scenarios. A scenario's levers (scenario.h) are prepared once per run: its entry
 * factors, the times its hazards change and, for the point estimates, its tables. Call
 * for every scenario before allocating work areas (they are sized for the scenario with
 * the most hazard epochs). `sc` NULL gives the run without levers; `sc` must outlive
 * the result. NULL when out of memory. */
sim_scenario *sim_scenario_alloc(sim_setup *s, const scenario *sc);
void sim_scenario_free(sim_scenario *x);

/* Expected arrivals into `state` in month `month` under scenario x (NULL: no levers),
 * from the point estimates, fixed extra arrivals included. */
double sim_expected_arrivals(const sim_setup *s, const sim_scenario *x, int month, int state);

/* Sizes: states S, targets T, months M; day number of the first day of month m
 * (m = 0 .. M; entry 0 is the start date, entry M the end of the horizon). */
int sim_nstates(const sim_setup *s);
int sim_ntargets(const sim_setup *s);
int sim_nmonths(const sim_setup *s);
int sim_month_start(const sim_setup *s, int m);

/* Flows: the (state, target) pairs an event can take, F of them: every transition of
 * the model and every forced exit (max_age, max_days). Ledgers count events per flow. */
int sim_nflows(const sim_setup *s);
void sim_flow(const sim_setup *s, int f, int *from, int *target);

/* Index of the flow from -> target, or -1 if no event can take it. */
int sim_flow_index(const sim_setup *s, int from, int target);

/* Children open on the start date, by state ([S], same in every replicate). */
const int32_t *sim_initial_stock(const sim_setup *s);

/* Number of children open on the start date. */
int64_t sim_initial_children(const sim_setup *s);

/* Child i (0 .. sim_initial_children - 1) open on the start date: its state, when it
 * entered it (day number, may precede the start) and, in a looked-after state, who
 * provides the placement as recorded (enum model_provider). Observers see child i's
 * events under key i, before any arrival. */
void sim_initial_child(const sim_setup *s, int64_t i, int *state, double *since, int *provider);

/* A ledger for one replicate with its own (zeroed) arrays, for callers that keep one
 * replicate at a time (synth, tests); `run` points ledgers into its output instead.
 * NULL when out of memory. */
sim_ledger *sim_ledger_alloc(const sim_setup *s);
void sim_ledger_free(sim_ledger *l);

/* Per-thread workspace; NULL when out of memory. */
sim_work *sim_work_alloc(const sim_setup *s);
void sim_work_free(sim_work *w);

/* Calls `fn` for every arrival, every event, and for every child still in a state at the
 * end of the horizon (NULL switches it off). */
void sim_work_observe(sim_work *w, sim_observer fn, void *ctx);

/* Simulates replicate `replicate` into `out` (arrays zeroed here first). Returns the
 * number of events simulated (arrivals, transitions and exits). */
int64_t sim_replicate(const sim_setup *s, sim_work *w, int replicate, sim_ledger *out);

/* The same under scenario x. Every scenario of a replicate uses the same random streams
 * (each child's, each month's arrivals, the replicate's parameter draw), so differences
 * between scenarios come from their levers, not from chance (common random numbers). */
int64_t sim_replicate_scenario(const sim_setup *s, const sim_scenario *x, sim_work *w,
                               int replicate, sim_ledger *out);

#endif
