/*
 * markov_exact.c - reference expectations for a continuous-time Markov chain
 * with immigration.  See markov_exact.h for the mathematics; this file holds
 * the two independent implementations:
 *
 *   ode_solve   integrates dx/dt = A^T x + lambda together with the
 *               cumulative flows dF_ij/dt = q_ij x_i using gsl_odeiv2 rk8pd;
 *   expm_solve  evaluates z(t) = e^{M t} z(0) for the linear (2n+1)-system
 *               z = (x, integral of x, 1) using gsl_linalg_exponential_ss.
 */
#include "markov_exact.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_mode.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_vector.h>

/* Largest number of states accepted; keeps n*(n+1) and the ODE state vector
 * (n + n*(n+1) doubles) far from overflow and of a sane size. */
#define MARKOV_EXACT_MAX_STATES 1024u

/* ODE tolerances (absolute and relative) requested of gsl_odeiv2. */
#define ODE_EPS_ABS 1e-10
#define ODE_EPS_REL 1e-10

/* Initial trial step (days); the adaptive controller changes it at once. */
#define ODE_H_START 1e-3

/* The matrix M t is divided by 2^s until its infinity norm is at most this
 * before being handed to gsl_linalg_exponential_ss (see expm_scaled). */
#define EXPM_NORM_TARGET 0.005

/* Check the arguments shared by every public function against the rules in
 * markov_exact.h.  Returns 0 if they are acceptable, nonzero otherwise. */
static int validate(size_t n, const double *q, const double *exit,
                    const double *lambda, const double *x0, size_t ntimes,
                    const double *t, const double *out)
{
    size_t i, j, k;

    if (n == 0 || n > MARKOV_EXACT_MAX_STATES)
        return 1;
    if (q == NULL || exit == NULL || lambda == NULL || x0 == NULL)
        return 1;
    if (ntimes > 0 && (t == NULL || out == NULL))
        return 1;
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++) {
            double r = q[i * n + j];
            if (i != j && !(isfinite(r) && r >= 0.0))
                return 1;
        }
        if (!(isfinite(exit[i]) && exit[i] >= 0.0))
            return 1;
        if (!(isfinite(lambda[i]) && lambda[i] >= 0.0))
            return 1;
        if (!(isfinite(x0[i]) && x0[i] >= 0.0))
            return 1;
    }
    for (k = 0; k < ntimes; k++) {
        if (!isfinite(t[k]) || t[k] < 0.0)
            return 1;
        if (k > 0 && t[k] < t[k - 1])
            return 1;
    }
    return 0;
}

/* Total rate of leaving state i (to other states or out of the system):
 * sum_{j != i} q_ij + exit_i, i.e. -A_ii. */
static double out_rate(size_t n, const double *q, const double *exit, size_t i)
{
    double s = exit[i];
    size_t j;

    for (j = 0; j < n; j++)
        if (j != i)
            s += q[i * n + j];
    return s;
}

/* ------------------------------------------------------------------------
 * Method 1: ODE integration.
 * ------------------------------------------------------------------------ */

/* Parameters passed through gsl_odeiv2 to ode_rhs. */
struct ode_params {
    size_t n;
    const double *q;
    const double *exit;
    const double *lambda;
    const double *rout; /* rout[i] = out_rate(i) */
};

/* Right-hand side of the augmented system for gsl_odeiv2.  y holds the n
 * occupancies followed by the n*(n+1) cumulative flows F[i*(n+1)+j]; the
 * flows do not feed back, so only y[0..n) is read. */
static int ode_rhs(double t, const double y[], double dydt[], void *params)
{
    const struct ode_params *p = params;
    const size_t n = p->n;
    const size_t w = n + 1;
    double *dF = dydt + n;
    size_t i, j;

    (void)t; /* autonomous system */
    for (j = 0; j < n; j++)
        dydt[j] = p->lambda[j] - p->rout[j] * y[j];
    for (i = 0; i < n; i++) {
        const double xi = y[i];
        for (j = 0; j < n; j++) {
            if (j == i) {
                dF[i * w + j] = 0.0;
            } else {
                const double f = p->q[i * n + j] * xi;
                dF[i * w + j] = f;
                dydt[j] += f;
            }
        }
        dF[i * w + n] = p->exit[i] * xi;
    }
    return GSL_SUCCESS;
}

/* Integrate the augmented system from 0 through each t[k] in turn, copying
 * the occupancies into occ (if non-NULL, layout k*n+i) and the cumulative
 * flows into flow (if non-NULL, layout k*n*(n+1)+i*(n+1)+j).  Arguments must
 * already be validated.  Returns 0 on success, nonzero on failure. */
static int ode_solve(size_t n, const double *q, const double *exit,
                     const double *lambda, const double *x0, size_t ntimes,
                     const double *t, double *occ, double *flow)
{
    const size_t nf = n * (n + 1);
    const size_t dim = n + nf;
    double *y = NULL;
    double *rout = NULL;
    gsl_odeiv2_driver *drv = NULL;
    struct ode_params par;
    gsl_odeiv2_system sys;
    double tcur = 0.0;
    size_t i, k;
    int rc = 1;

    y = calloc(dim, sizeof *y);
    rout = malloc(n * sizeof *rout);
    if (y == NULL || rout == NULL)
        goto done;
    for (i = 0; i < n; i++) {
        rout[i] = out_rate(n, q, exit, i);
        y[i] = x0[i];
    }

    par.n = n;
    par.q = q;
    par.exit = exit;
    par.lambda = lambda;
    par.rout = rout;
    sys.function = ode_rhs;
    sys.jacobian = NULL; /* rk8pd is explicit and never asks for it */
    sys.dimension = dim;
    sys.params = &par;

    drv = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd,
                                        ODE_H_START, ODE_EPS_ABS, ODE_EPS_REL);
    if (drv == NULL)
        goto done;

    for (k = 0; k < ntimes; k++) {
        if (t[k] > tcur) {
            if (gsl_odeiv2_driver_apply(drv, &tcur, t[k], y) != GSL_SUCCESS)
                goto done;
        }
        for (i = 0; i < dim; i++)
            if (!isfinite(y[i]))
                goto done;
        if (occ != NULL)
            memcpy(occ + k * n, y, n * sizeof *y);
        if (flow != NULL)
            memcpy(flow + k * nf, y + n, nf * sizeof *y);
    }
    rc = 0;

done:
    if (drv != NULL)
        gsl_odeiv2_driver_free(drv);
    free(rout);
    free(y);
    return rc;
}

/* ------------------------------------------------------------------------
 * Method 2: matrix exponential.
 * ------------------------------------------------------------------------ */

/* Infinity norm (largest absolute row sum) of a square matrix. */
static double norm_inf(const gsl_matrix *a)
{
    double best = 0.0;
    size_t r, c;

    for (r = 0; r < a->size1; r++) {
        double s = 0.0;
        for (c = 0; c < a->size2; c++)
            s += fabs(gsl_matrix_get(a, r, c));
        if (s > best)
            best = s;
    }
    return best;
}

/* eA = exp(a), overwriting a.  gsl_linalg_exponential_ss picks its Taylor
 * degree and number of squarings from the largest *element* of the matrix,
 * which can understate the true norm by a factor of the dimension; to stay
 * well inside its accuracy table we first divide a by 2^s (exactly, a power
 * of two) until its infinity norm is at most EXPM_NORM_TARGET, exponentiate
 * that with GSL, and square the result s times.  tmp is scratch of the same
 * size.  Returns 0 on success, nonzero on failure. */
static int expm_scaled(gsl_matrix *a, gsl_matrix *eA, gsl_matrix *tmp)
{
    double nrm = norm_inf(a);
    int s = 0, i;

    if (!isfinite(nrm))
        return 1;
    while (nrm > EXPM_NORM_TARGET && s < 1000) {
        nrm *= 0.5;
        s++;
    }
    if (s > 0)
        gsl_matrix_scale(a, ldexp(1.0, -s));
    if (gsl_linalg_exponential_ss(a, eA, GSL_PREC_DOUBLE) != GSL_SUCCESS)
        return 1;
    for (i = 0; i < s; i++) {
        if (gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, eA, eA, 0.0, tmp)
            != GSL_SUCCESS)
            return 1;
        gsl_matrix_memcpy(eA, tmp);
    }
    return 0;
}

/* For each t[k], form z = exp(M t[k]) z0 for the (2n+1)-dimensional system
 * described in markov_exact.h and copy x = z[0..n) into occ (if non-NULL)
 * and the flows q_ij X_i, exit_i X_i (X = z[n..2n)) into flow (if non-NULL).
 * Arguments must already be validated.  Returns 0 on success, nonzero on
 * failure. */
static int expm_solve(size_t n, const double *q, const double *exit,
                      const double *lambda, const double *x0, size_t ntimes,
                      const double *t, double *occ, double *flow)
{
    const size_t m = 2 * n + 1;
    const size_t w = n + 1;
    const size_t nf = n * w;
    gsl_matrix *M = NULL, *Mt = NULL, *E = NULL, *tmp = NULL;
    gsl_vector *z0 = NULL, *z = NULL;
    size_t i, j, k;
    int rc = 1;

    M = gsl_matrix_calloc(m, m);
    Mt = gsl_matrix_alloc(m, m);
    E = gsl_matrix_alloc(m, m);
    tmp = gsl_matrix_alloc(m, m);
    z0 = gsl_vector_calloc(m);
    z = gsl_vector_alloc(m);
    if (!M || !Mt || !E || !tmp || !z0 || !z)
        goto done;

    /* M = [[A^T, 0, lambda], [I, 0, 0], [0, 0, 0]]. */
    for (i = 0; i < n; i++) {
        for (j = 0; j < n; j++)
            if (j != i)
                gsl_matrix_set(M, j, i, q[i * n + j]); /* (A^T)_ji = A_ij */
        gsl_matrix_set(M, i, i, -out_rate(n, q, exit, i));
        gsl_matrix_set(M, i, 2 * n, lambda[i]);
        gsl_matrix_set(M, n + i, i, 1.0); /* dX_i/dt = x_i */
        gsl_vector_set(z0, i, x0[i]);
    }
    gsl_vector_set(z0, 2 * n, 1.0);

    for (k = 0; k < ntimes; k++) {
        gsl_matrix_memcpy(Mt, M);
        gsl_matrix_scale(Mt, t[k]);
        if (expm_scaled(Mt, E, tmp) != 0)
            goto done;
        if (gsl_blas_dgemv(CblasNoTrans, 1.0, E, z0, 0.0, z) != GSL_SUCCESS)
            goto done;
        for (i = 0; i < m; i++)
            if (!isfinite(gsl_vector_get(z, i)))
                goto done;
        for (i = 0; i < n; i++) {
            const double Xi = gsl_vector_get(z, n + i);
            if (occ != NULL)
                occ[k * n + i] = gsl_vector_get(z, i);
            if (flow != NULL) {
                double *f = flow + k * nf + i * w;
                for (j = 0; j < n; j++)
                    f[j] = (j == i) ? 0.0 : q[i * n + j] * Xi;
                f[n] = exit[i] * Xi;
            }
        }
    }
    rc = 0;

done:
    gsl_vector_free(z);
    gsl_vector_free(z0);
    gsl_matrix_free(tmp);
    gsl_matrix_free(E);
    gsl_matrix_free(Mt);
    gsl_matrix_free(M);
    return rc;
}

/* ------------------------------------------------------------------------
 * Public entry points.
 * ------------------------------------------------------------------------ */

/* Signature shared by ode_solve and expm_solve. */
typedef int (*solver_fn)(size_t, const double *, const double *,
                         const double *, const double *, size_t,
                         const double *, double *, double *);

/* Validate, then run solver with GSL's error handler switched off (so GSL
 * errors come back as return codes rather than abort()), restoring the
 * caller's handler afterwards.  Returns 0 on success, nonzero on failure. */
static int run(solver_fn solver, size_t n, const double *q, const double *exit,
               const double *lambda, const double *x0, size_t ntimes,
               const double *t, double *occ, double *flow)
{
    gsl_error_handler_t *old;
    int rc;

    if (validate(n, q, exit, lambda, x0, ntimes, t, occ ? occ : flow) != 0)
        return 1;
    if (ntimes == 0)
        return 0;
    old = gsl_set_error_handler_off();
    rc = solver(n, q, exit, lambda, x0, ntimes, t, occ, flow);
    gsl_set_error_handler(old);
    return rc;
}

/* Expected occupancies by ODE integration; see markov_exact.h. */
int markov_exact_occupancy(size_t n, const double *q, const double *exit,
                           const double *lambda, const double *x0,
                           size_t ntimes, const double *t, double *out)
{
    return run(ode_solve, n, q, exit, lambda, x0, ntimes, t, out, NULL);
}

/* Expected cumulative flows by ODE integration; see markov_exact.h. */
int markov_exact_flows(size_t n, const double *q, const double *exit,
                       const double *lambda, const double *x0,
                       size_t ntimes, const double *t, double *out)
{
    return run(ode_solve, n, q, exit, lambda, x0, ntimes, t, NULL, out);
}

/* Expected occupancies by matrix exponential; see markov_exact.h. */
int markov_exact_occupancy_expm(size_t n, const double *q, const double *exit,
                                const double *lambda, const double *x0,
                                size_t ntimes, const double *t, double *out)
{
    return run(expm_solve, n, q, exit, lambda, x0, ntimes, t, out, NULL);
}

/* Expected cumulative flows by matrix exponential; see markov_exact.h. */
int markov_exact_flows_expm(size_t n, const double *q, const double *exit,
                            const double *lambda, const double *x0,
                            size_t ntimes, const double *t, double *out)
{
    return run(expm_solve, n, q, exit, lambda, x0, ntimes, t, NULL, out);
}
