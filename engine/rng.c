/* rng.c -- Philox streams, and their GSL face (Random123's GSL adapter). */
#include "rng.h"

#include <stdlib.h>

#include <Random123/gsl_microrng.h>

/* Declares gsl_rng_cc_philox and cc_philox_reset(); each reset allows 4 * 2^32 draws. */
GSL_MICRORNG(cc_philox, philox4x64);

rng *rng_alloc(void)
{
    rng *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->gsl = gsl_rng_alloc(gsl_rng_cc_philox);
    if (!r->gsl) {
        free(r);
        return NULL;
    }
    rng_stream(r, 0, 0, 0, 0, 0);
    return r;
}

void rng_free(rng *r)
{
    if (!r)
        return;
    gsl_rng_free(r->gsl);
    free(r);
}

void rng_stream(rng *r, uint64_t seed, uint64_t replicate, uint64_t purpose, uint64_t a, uint64_t b)
{
    philox4x64_ctr_t c = {{purpose, a, b, 0}};
    philox4x64_key_t k = {{seed, replicate}};
    r->key = k;
    r->ctr = c;
    r->left = 0;
}

gsl_rng *rng_gsl(rng *r)
{
    /* The GSL adapter counts its blocks in the top 32 bits of the last counter word;
     * the inline draws use the low bits, so the two never meet. */
    philox4x64_ctr_t c = r->ctr;
    c.v[3] = 0;
    cc_philox_reset(r->gsl, c, r->key);
    return r->gsl;
}
