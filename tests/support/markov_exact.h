/*
 * markov_exact.h - exact (deterministic) expected occupancies and flows of a
 * continuous-time Markov chain with immigration, used by carecast's tests as
 * an independent reference for Monte Carlo means.
 *
 * The model
 * ---------
 * Children live in one of n states (placement types, legal statuses, ...).
 * A child in state i moves to state j != i at rate q_ij per day and leaves
 * the system (e.g. care ends) at rate exit_i per day; each child moves
 * independently of the others.  New children arrive in state i as a Poisson
 * stream of constant rate lambda_i per day.
 *
 * Write A for the n x n generator restricted to the n living states:
 *     A_ij = q_ij                       (i != j)
 *     A_ii = -(sum_{j != i} q_ij + exit_i)
 * (A is sub-stochastic: its rows sum to -exit_i <= 0).  By linearity of
 * expectation the mean occupancy x_i(t) = E[number in state i at time t]
 * satisfies the forward Kolmogorov equation with a source term
 *     dx/dt = A^T x + lambda,        x(0) = x0,
 * whose solution is
 *     x(t) = e^{A^T t} x0 + integral_0^t e^{A^T (t-s)} lambda ds.
 * The expected number of i -> j transitions in [0, t] is, because the hazard
 * of such a move is q_ij per child in state i,
 *     F_ij(t) = q_ij * integral_0^t x_i(s) ds,
 * and the expected number of exits from i is F_in(t) = exit_i * integral x_i.
 * Mass balance holds: sum_i x_i(t) = sum_i x0_i + t * sum_i lambda_i
 *                                    - sum_i F_in(t).
 * Note these are expectations only; they say nothing about variances.
 *
 * Two independent computations
 * ----------------------------
 * (1) ODE (the default, markov_exact_occupancy / markov_exact_flows): the
 *     augmented system of n occupancies plus n*(n+1) cumulative flows,
 *         dx_j/dt   = lambda_j + sum_{i != j} q_ij x_i - (out rate of j) x_j
 *         dF_ij/dt  = q_ij x_i,    dF_in/dt = exit_i x_i,    F(0) = 0,
 *     is integrated with GSL's gsl_odeiv2 Runge-Kutta-Prince-Dormand (8,9)
 *     stepper (rk8pd), absolute and relative tolerance 1e-10.
 * (2) Matrix exponential (the *_expm functions): the affine system is made
 *     linear by appending the constant 1 and the running integral
 *     X_i(t) = integral_0^t x_i(s) ds.  With z = (x, X, 1) of length 2n+1,
 *         dz/dt = M z,     M = [ A^T  0  lambda ]
 *                              [ I    0  0      ]
 *                              [ 0    0  0      ],
 *     so z(t) = e^{M t} z(0) with z(0) = (x0, 0, 1), computed with
 *     gsl_linalg_exponential_ss; flows are then F_ij = q_ij X_i and
 *     F_in = exit_i X_i.  (The top-left (n+1) x (n+1) corner
 *     [[A^T, lambda], [0, 0]] is the usual trick for a constant source.)
 *     Each requested time is exponentiated from t = 0 independently.
 * The two methods share no numerical code, so agreement between them is a
 * check on both.
 *
 * Argument rules (violations return nonzero, nothing is guaranteed about out)
 * ------------------------------------------------------------------------
 * - 1 <= n <= 1024; q, exit, lambda, x0 non-NULL; t and out non-NULL
 *   unless ntimes == 0.
 * - q is n*n, row-major; the diagonal q[i*n+i] is ignored.  Every
 *   off-diagonal q, every exit, lambda and x0 must be finite and >= 0.
 * - Times are finite, t[0] >= 0 and non-decreasing (repeats allowed).
 * The functions temporarily switch GSL's error handler off (and restore it),
 * so GSL failures are reported through the return value instead of abort();
 * that makes them not thread-safe with respect to other GSL users.
 */
#ifndef CARECAST_TESTS_SUPPORT_MARKOV_EXACT_H
#define CARECAST_TESTS_SUPPORT_MARKOV_EXACT_H

#include <stddef.h>

/* Expected occupancy of a continuous-time Markov chain with immigration.
 * n states; q is the n*n generator-like matrix of transition intensities
 * q[i*n+j] = rate per day from state i to state j (i != j); exit rates
 * (leaving the system) are given separately in exit[i] (per day).
 * lambda[i] = immigration rate into state i (children per day, constant).
 * x0[i] = expected number in state i at time 0.
 * For each of the ntimes times t[k] (days, increasing, >= 0) write
 * out[k*n+i] = E[number in state i at time t[k]].
 * Returns 0 on success, nonzero on failure (bad arguments or GSL failure).
 * Computed by ODE integration (method 1). */
int markov_exact_occupancy(size_t n, const double *q, const double *exit,
                           const double *lambda, const double *x0,
                           size_t ntimes, const double *t, double *out);

/* Expected cumulative number of i->j transitions (j < n) or exits (j == n)
 * in [0, t] for the same chain: out[k*(n*(n+1)) + i*(n+1) + j]; the
 * entries with j == i are 0.  Same return convention.
 * Computed by ODE integration (method 1). */
int markov_exact_flows(size_t n, const double *q, const double *exit,
                       const double *lambda, const double *x0,
                       size_t ntimes, const double *t, double *out);

/* As markov_exact_occupancy, but computed in closed form with the matrix
 * exponential (method 2).  Same arguments, layout and return convention. */
int markov_exact_occupancy_expm(size_t n, const double *q, const double *exit,
                                const double *lambda, const double *x0,
                                size_t ntimes, const double *t, double *out);

/* As markov_exact_flows, but computed in closed form with the matrix
 * exponential (method 2).  Same arguments, layout and return convention. */
int markov_exact_flows_expm(size_t n, const double *q, const double *exit,
                            const double *lambda, const double *x0,
                            size_t ntimes, const double *t, double *out);

#endif /* CARECAST_TESTS_SUPPORT_MARKOV_EXACT_H */
