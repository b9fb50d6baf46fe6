/* rng.h -- reproducible random streams keyed by what the numbers are for.
 *
 * Each stream is the counter-based Philox4x64-10 generator of Random123: a stream is
 * fully determined by (master seed, replicate, purpose, a, b), with key (seed,
 * replicate) and counter (purpose, a, b, draw). Nothing depends on the thread that
 * draws, so 1, 2 or 16 threads give identical results, and a scenario that changes one
 * child's path leaves every other child's numbers unchanged (common random numbers).
 * Positioning a stream is a few stores: there is no state to warm up.
 *
 * Uniforms for the kernel's hot loop come straight from the Philox block (32 bits each,
 * eight per block, inline); rng_gsl() exposes the same stream as a GSL
 * generator for GSL's distributions (gsl_ran_poisson, ...).
 */
#ifndef CC_RNG_H
#define CC_RNG_H

#include <stdint.h>

#include <Random123/philox.h>
#include <gsl/gsl_rng.h>

/* Stream purposes. Never renumber: a run file's results depend on them. */
enum rng_purpose {
    RNG_INITIAL = 1,       /* a child open on the start date: a = child index */
    RNG_ARRIVAL_COUNT = 2, /* number of arrivals: a = month, b = entry cell */
    RNG_ARRIVAL_CHILD = 3, /* one arriving child: a = month, b = cell << 32 | k */
    RNG_PARAMETERS = 4,    /* per-replicate parameter draws */
    RNG_EXTRA_CHILD = 5,   /* a scenario's extra arrival: a = month, b = lever << 32 | k */
    RNG_WORKFORCE = 6,     /* a team's staffing draws: a = team, b = 2 month (+1 for hires) */
    RNG_PLACEMENTS = 7,    /* foster households: a = pool, b = month */
    RNG_BACKTEST = 8       /* an aggregate replicate: a = origin x level, b = geography */
};

typedef struct rng {
    philox4x64_key_t key;
    philox4x64_ctr_t ctr; /* ctr.v[3] counts blocks drawn from this stream */
    philox4x64_ctr_t out; /* current block */
    int left;             /* unused 32-bit halves in `out` */
    gsl_rng *gsl;         /* the same stream for GSL's distributions */
} rng;

/* Public API */

/* Allocates a generator (to be positioned with rng_stream); NULL when out of memory. */
rng *rng_alloc(void);
void rng_free(rng *r);

/* Positions `r` at the start of stream (seed, replicate, purpose, a, b). */
void rng_stream(rng *r, uint64_t seed, uint64_t replicate, uint64_t purpose, uint64_t a,
                uint64_t b);

/* The stream as a GSL generator, valid until the next rng_stream(). Draws through it
 * come from a separate sub-stream, so mixing them with rng_uniform() is safe. */
gsl_rng *rng_gsl(rng *r);

/* A uniform number in (0, 1), never 0 or 1, with 32 random bits: each Philox block
 * gives eight (the kernel needs many uniforms and no finer resolution than 2^-32). */
static inline double rng_uniform(rng *r)
{
    if (r->left == 0) {
        r->out = philox4x64(r->ctr, r->key);
        r->ctr.v[3]++;
        r->left = 8;
    }
    r->left--;
    uint64_t word = r->out.v[r->left >> 1];
    uint32_t x = (uint32_t)(r->left & 1 ? word >> 32 : word);
    return ((double)x + 0.5) * 0x1.0p-32;
}

#endif
