/* rng.h -- reproducible random streams keyed by what the numbers are for.
 *
 * Each stream is a counter-based Philox4x64-10 generator (Random123) wrapped as a GSL
 * generator, so GSL's distributions (gsl_ran_poisson, gsl_ran_exponential, ...) draw
 * from it. A stream is fully determined by (master seed, replicate, purpose, a, b):
 * the key is (seed, replicate) and the counter is (purpose, a, b). Nothing depends on
 * the thread that draws, so 1, 2 or 16 threads give identical results, and a scenario
 * that changes one child's path leaves every other child's numbers unchanged (common
 * random numbers). Resetting a stream is a few stores: there is no state to warm up.
 */
#ifndef CC_RNG_H
#define CC_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* Stream purposes. Never renumber: a run file's results depend on them. */
enum rng_purpose {
    RNG_INITIAL = 1,       /* a child open on the start date: a = child index */
    RNG_ARRIVAL_COUNT = 2, /* number of arrivals: a = month, b = entry cell */
    RNG_ARRIVAL_CHILD = 3, /* one arriving child: a = month, b = cell << 32 | k */
    RNG_PARAMETERS = 4     /* per-replicate parameter draws */
};

/* Public API */

/* A generator to be positioned with rng_stream() before use; free with gsl_rng_free. */
gsl_rng *rng_alloc(void);

/* Positions `r` at the start of stream (seed, replicate, purpose, a, b). */
void rng_stream(gsl_rng *r, uint64_t seed, uint64_t replicate, uint64_t purpose, uint64_t a,
                uint64_t b);

#endif
