/* layer.h -- what the layers computed from a replicate's children share: measures,
 * financial years and the roll-up of months into years.
 *
 * After the simulation has produced a replicate's children month by month, three layers
 * turn them into what users plan with: the workforce (workforce.h), placements
 * (placement.h) and finance (finance.h). Each produces K measures over G groups (teams,
 * placement needs, cost lines) per month, and the same by financial year (April to
 * March), rolled up inside the replicate: flows (costs, starts, leavers) are summed over
 * a year's months, levels (children, FTE, rates) averaged. A financial year holds the
 * months that start in it, so the first and last may be part years.
 */
#ifndef CC_LAYER_H
#define CC_LAYER_H

#include <stdbool.h>

/* One measure of a layer. */
typedef struct layer_measure {
    const char *name, *description, *units;
    bool flow; /* summed over a financial year (else averaged) */
} layer_measure;

/* The financial years of a run's monthly grid. */
typedef struct layer_years {
    int M, Y;
    int *year;          /* [M]: financial-year index of each month */
    int *months;        /* [Y]: months of the run in each year */
    int *first;         /* [Y]: calendar year each financial year starts in (2025 for 2025-26) */
    char (*label)[8];   /* [Y]: "2025-26" */
} layer_years;

/* Public API */

/* Financial year (April to March) of a day, by the calendar year it starts in. */
int layer_financial_year(int day);

/* The financial years of M months whose first days are month_start[0..M-1]. NULL when
 * out of memory. */
layer_years *layer_years_alloc(const int *month_start, int M);
void layer_years_free(layer_years *y);

/* Rolls month[M][G][K] up into year[Y][G][K] (overwritten): measure k summed over each
 * year's months if measures[k].flow, else averaged over them. */
void layer_rollup(const layer_years *y, const layer_measure *measures, int G, int K,
                  const double *month, double *year);

#endif
