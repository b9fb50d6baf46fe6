/* placement.h -- placements, capacity and the sufficiency gap, month by month in every
 * replicate.
 *
 * Each looked-after state of the model stands for a placement need (modeldef.h: foster,
 * residential, supported, ...). A commissioner's capacity CSV (README, "Placements")
 * says how many beds the council has for each need: in-house beds, in-house foster
 * households with their beds per household, recruitment and deregistration, and beds
 * block-contracted from other providers, each over a range of dates. Spot purchase from
 * independent providers (IFA, private homes) is unlimited and takes the overflow. A need
 * with no capacity row is not capacity-managed: every placement in it counts as in-house
 * (its beds shown as those used).
 *
 * In each replicate the simulation's looked-after stays are collected as they happen
 * (placement_observe, a sim observer) and then allocated in time order:
 *   - a placement that starts (an entry into care, or a move to another need) takes a
 *     free in-house bed of its need, else a free block bed, else a spot placement;
 *   - a child keeps the provider until the placement ends; with step_down on, at each
 *     month start children in spot placements move, longest-placed first, into beds of
 *     their need that are free;
 *   - children placed on the start date keep their recorded provider (SSDA903
 *     PLACE_PROVIDER: own council in-house, others to a block bed if one is free, else
 *     spot); where none is recorded they fill in-house beds, then block beds (up to the
 *     rows' `occupied` when given), longest-placed first, and the rest are spot;
 *   - in-house foster households change at each month start: recruits drawn Poisson
 *     (recruitment_per_year / 12), leavers binomial at 1 - (1 - d)^(1/12); beds are
 *     households x beds_per_household rounded. A child is never moved out when beds
 *     fall: the need just has no free bed until enough children leave.
 * Random numbers come from streams (seed, replicate, RNG_PLACEMENTS, pool, month), so
 * scenarios share them and threads do not matter.
 *
 * Outputs per replicate are [month][group][measure] (groups: the needs, then all) and the
 * same by financial year, and the stays with their providers (placement_segment), which
 * the finance layer prices.
 */
#ifndef CC_PLACEMENT_H
#define CC_PLACEMENT_H

#include <stdint.h>

#include "layer.h"
#include "modeldef.h"
#include "problems.h"
#include "rng.h"
#include "scenario.h"
#include "sim.h"

enum pl_measure {
    PL_DEMAND,        /* children placed at the month's end */
    PL_IN_HOUSE,      /* ... in in-house beds */
    PL_BLOCK,         /* ... in block-contracted beds */
    PL_EXTERNAL,      /* ... in spot placements */
    PL_BEDS_IN_HOUSE, /* in-house beds at the month's end */
    PL_BEDS_BLOCK,    /* block beds at the month's end */
    PL_FREE_BEDS,     /* in-house and block beds free at the month's end */
    PL_GAP,           /* children beyond the in-house and block beds */
    PL_HOUSEHOLDS,    /* in-house foster households */
    PL_STARTS,        /* placements starting in the month */
    PL_OVERFLOW,      /* placements starting in the month that found no free bed */
    PL_STEP_DOWNS,    /* children moved from spot placements into beds */
    PL_DAYS_IN_HOUSE, /* person-days in in-house beds */
    PL_DAYS_BLOCK,    /* person-days in block beds */
    PL_DAYS_EXTERNAL, /* person-days in spot placements */
    PL_NMEASURES
};

extern const layer_measure placement_measures[PL_NMEASURES];

/* One stay in a state over days [start, end) with one provider (enum scn_provider;
 * SCN_IN_HOUSE for states that are not placements). */
typedef struct placement_segment {
    double start, end;
    int16_t state;
    int8_t provider;
} placement_segment;

typedef struct placement placement;
typedef struct placement_work placement_work;

/* Public API */

/* Prepares the placements of a scenario (its [placements] section `p`) for a run of M
 * months from month_start[0]: reads the capacity CSV, reporting every problem to `pr`
 * with file, line and column. NULL if there was an error or no memory (also reported). */
placement *placement_alloc(const modeldef *def, const scn_placements *p, const int *month_start,
                           int M, problems *pr);
void placement_free(placement *pl);

/* Groups of the outputs: the placement needs (looked-after states in model order), then
 * all needs. Group g < G - 1 is state placement_group_state(pl, g). */
int placement_ngroups(const placement *pl);
int placement_group_state(const placement *pl, int g);

/* Per-thread workspace collecting the stays of states marked in collect[S] (NULL: none)
 * and of every looked-after state of `def`, for a run set up as `s`. NULL when out of
 * memory. */
placement_work *placement_work_alloc(const sim_setup *s, const modeldef *def, const bool *collect);
void placement_work_free(placement_work *w);

/* The sim observer that collects stays (sim_work_observe(sw, placement_observe, w)).
 * Clear the work area with placement_work_reset() before each simulated replicate. */
void placement_observe(void *ctx, const sim_event *event);
void placement_work_reset(placement_work *w);

/* Allocates the collected stays of replicate `replicate` to providers and writes
 * month_out[M][G][PL_NMEASURES] and year_out[Y][G][PL_NMEASURES]; `g` is the caller's
 * generator (positioned here). */
void placement_replicate(const placement *pl, placement_work *w, uint64_t seed, int replicate,
                         rng *g, double *month_out, double *year_out);

/* The stays of the last replicate allocated (looked-after ones with their providers,
 * and every other collected state's), clipped to the horizon. */
const placement_segment *placement_segments(const placement_work *w, int64_t *n);

#endif
