/* rng.c -- Philox streams as GSL generators (Random123's GSL adapter). */
#include "rng.h"

#include <Random123/philox.h>
#include <Random123/gsl_microrng.h>

/* Declares gsl_rng_cc_philox and cc_philox_reset(); each reset allows 4 * 2^32 draws. */
GSL_MICRORNG(cc_philox, philox4x64);

gsl_rng *rng_alloc(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_cc_philox);
    if (r)
        rng_stream(r, 0, 0, 0, 0, 0);
    return r;
}

void rng_stream(gsl_rng *r, uint64_t seed, uint64_t replicate, uint64_t purpose, uint64_t a,
                uint64_t b)
{
    philox4x64_ctr_t c = {{purpose, a, b, 0}};
    philox4x64_key_t k = {{seed, replicate}};
    cc_philox_reset(r, c, k);
}
