/* info.c -- prints provenance and headline figures of a run file (or a model file),
 * or every summary as CSV for spreadsheets and scripts. */
#include "info.h"

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "date.h"
#include "h5io.h"
#include "model.h"
#include "runfile.h"

#define INFO_THIN 5 /* events below which a cell is flagged thin */

const cli_spec info_options[] = {
    {"csv", CLI_FLAG, NULL, "print every summary as CSV (scenario,date,cohort,mean,p5..p95)"},
    {"difference", CLI_FLAG, NULL,
     "with --csv: each scenario's difference from the baseline (per replicate, then "
     "quantiles) instead of its level; the baseline is left out"},
    {"measure", CLI_TEXT, "NAME",
     "summary for --csv: stock (default), entries, exits, arrivals or person_days"},
    {NULL, 0, NULL, NULL}};

static int print_csv(const runfile *rf, const char *measure, bool diff, cc_err *err)
{
    double *t = malloc(sizeof *t * (size_t)rf->M * rf->C * RUNFILE_NSTATS);
    if (!t)
        return cc_fail(err, CC_ENOMEM, "out of memory");
    printf("scenario,date,cohort");
    for (int k = 0; k < RUNFILE_NSTATS; k++)
        printf(",%s", runfile_stats[k]);
    printf("\n");
    int rc = CC_OK;
    for (int s = diff ? 1 : 0; rc == CC_OK && s < rf->nscen; s++) {
        rc = diff ? runfile_read_difference(rf, rf->scenarios[s], measure, t, err)
                  : runfile_read_summary(rf, rf->scenarios[s], measure, t, err);
        for (int m = 0; rc == CC_OK && m < rf->M; m++)
            for (int c = 0; c < rf->C; c++) {
                printf("%s,%s,%s", rf->scenarios[s], rf->month_end[m], rf->cohorts[c]);
                for (int k = 0; k < RUNFILE_NSTATS; k++)
                    printf(",%.6g", t[((size_t)m * rf->C + c) * RUNFILE_NSTATS + k]);
                printf("\n");
            }
    }
    free(t);
    return rc;
}

/* Prints one block of quantiles at 12, 24, 36 and 60 months: rows are cohorts (or age
 * groups when `groups`), cells "median (P5-P95)"; signed when `diff`. */
static void print_block(const runfile *rf, const char *title, const double *t, bool groups,
                        bool diff)
{
    static const int at[] = {12, 24, 36, 60};
    int rows = groups ? rf->A : rf->C;
    printf("\n%s\n", title);
    printf("%-8s %10s", groups ? "ages" : "cohort", diff || groups ? "" : "observed");
    for (int k = 0; k < 4; k++)
        if (at[k] <= rf->M)
            printf(" %23s", rf->month_end[at[k] - 1]);
    printf("\n%-8s %10s", "", diff || groups ? "" : rf->H ? rf->history_end[rf->H - 1] : "-");
    for (int k = 0; k < 4; k++)
        if (at[k] <= rf->M) {
            char h[32];
            snprintf(h, sizeof h, "(%d months)", at[k]);
            printf(" %23s", h);
        }
    printf("\n");
    for (int c = 0; c < rows; c++) {
        if (!groups && !runfile_cohort_used(rf, t, c))
            continue;
        bool zero = groups && c + 1 < rows; /* age groups where nothing happens are skipped */
        for (int m = 0; zero && m < rf->M; m++)
            for (int k = 0; k < RUNFILE_NSTATS; k++)
                zero &= t[((size_t)m * rows + c) * RUNFILE_NSTATS + k] == 0;
        if (zero)
            continue;
        printf("%-8s", groups ? rf->age_groups[c] : rf->cohorts[c]);
        if (diff || groups || !rf->H)
            printf(" %10s", diff || groups ? "" : "-");
        else
            printf(" %10.0f", rf->history[(size_t)(rf->H - 1) * rf->C + c]);
        for (int k = 0; k < 4; k++) {
            if (at[k] > rf->M)
                continue;
            const double *q = t + ((size_t)(at[k] - 1) * rows + c) * RUNFILE_NSTATS;
            char cell[64];
            if (diff)
                snprintf(cell, sizeof cell, "%+.0f (%+.0f to %+.0f)", q[4], q[1], q[7]);
            else
                snprintf(cell, sizeof cell, "%.0f (%.0f-%.0f)", q[4], q[1], q[7]);
            printf(" %23s", cell);
        }
        printf("\n");
    }
}

/* One row of a layer's table: group g of quantile table t ([rows][G][8]) at the given
 * row indices, "median (P5-P95)" or signed differences, with `dp` decimals. */
static void layer_row(int G, const char *label, const double *t, int g, const int *at, int nat,
                      bool diff, int dp)
{
    printf("%-34s", label);
    for (int k = 0; k < nat; k++) {
        const double *q = t + ((size_t)at[k] * G + g) * RUNFILE_NSTATS;
        char cell[64];
        if (diff)
            snprintf(cell, sizeof cell, "%+.*f (%+.*f to %+.*f)", dp, q[4], dp, q[1], dp, q[7]);
        else
            snprintf(cell, sizeof cell, "%.*f (%.*f-%.*f)", dp, q[4], dp, q[1], dp, q[7]);
        printf(" %25s", cell);
    }
    printf("\n");
}

/* A scenario's workforce at 12, 24, 36 and 60 months and its cost by financial year: its
 * levels, or (diff) its per-replicate differences from the baseline. */
static int print_workforce(const runfile *rf, const char *scen, bool diff, cc_err *err)
{
    static const int months[] = {12, 24, 36, 60};
    int at[4], nat = 0;
    for (int k = 0; k < 4; k++)
        if (months[k] <= rf->M)
            at[nat++] = months[k] - 1;
    size_t n = (size_t)(rf->M > rf->Y ? rf->M : rf->Y) * rf->layer[RUNFILE_WORKFORCE].G * RUNFILE_NSTATS;
    double *t = malloc(sizeof *t * n);
    if (!t)
        return cc_fail(err, CC_ENOMEM, "out of memory");
    const char *pre = diff ? "difference/" : "";
    char path[128];
    printf("\nScenario %s%s%s: social-work caseloads and staff at month end, %s (P5%sP95, "
           "90%% interval)\n%-34s",
           scen, diff ? " minus " : "", diff ? rf->scenarios[0] : "",
           diff ? "difference per replicate on the same random numbers; median" : "median",
           diff ? " to " : "-", "");
    for (int k = 0; k < nat; k++) {
        char h[48];
        snprintf(h, sizeof h, "%s (%dm)", rf->month_end[at[k]], at[k] + 1);
        printf(" %25s", h);
    }
    printf("\n");
    snprintf(path, sizeof path, "%ssummary/caseload", pre);
    int rc = runfile_read_layer(rf, scen, RUNFILE_WORKFORCE, path, t, err);
    for (int g = 0; rc == CC_OK && g < rf->layer[RUNFILE_WORKFORCE].G; g++) {
        char label[96];
        snprintf(label, sizeof label, "caseload per FTE: %s", rf->layer[RUNFILE_WORKFORCE].names[g]);
        layer_row(rf->layer[RUNFILE_WORKFORCE].G, label, t, g, at, nat, diff, 1);
    }
    static const struct {
        const char *measure, *label;
        int dp;
    } rows[] = {{"fte_needed", "FTE needed at target (all)", 1},
                {"fte_in_post", "FTE in post (all)", 1},
                {"fte_permanent", "  permanent FTE", 1},
                {"fte_nq", "  newly qualified FTE", 1},
                {"fte_agency", "  agency FTE", 1},
                {"agency_share", "agency, % of FTE in post", 1},
                {"vacancy_rate", "vacant posts, % of posts", 1}};
    for (size_t r = 0; rc == CC_OK && r < sizeof rows / sizeof rows[0]; r++) {
        snprintf(path, sizeof path, "%ssummary/%s", pre, rows[r].measure);
        rc = runfile_read_layer(rf, scen, RUNFILE_WORKFORCE, path, t, err);
        if (rc == CC_OK)
            layer_row(rf->layer[RUNFILE_WORKFORCE].G, rows[r].label, t, rf->layer[RUNFILE_WORKFORCE].G - 1, at, nat,
                      diff, rows[r].dp);
    }
    snprintf(path, sizeof path, "year/%ssummary/cost", pre);
    if (rc == CC_OK)
        rc = runfile_read_layer(rf, scen, RUNFILE_WORKFORCE, path, t, err);
    if (rc == CC_OK) {
        printf("%-34s %25s\n", "staffing cost, all teams, £000", diff ? "difference" : "");
        for (int y = 0; y < rf->Y; y++) {
            char label[64];
            snprintf(label, sizeof label, "  financial year %s", rf->years[y]);
            const double *q = t + ((size_t)y * rf->layer[RUNFILE_WORKFORCE].G + rf->layer[RUNFILE_WORKFORCE].G - 1) * RUNFILE_NSTATS;
            char cell[64];
            if (diff)
                snprintf(cell, sizeof cell, "%+.0f (%+.0f to %+.0f)", q[4] / 1e3, q[1] / 1e3,
                         q[7] / 1e3);
            else
                snprintf(cell, sizeof cell, "%.0f (%.0f-%.0f)", q[4] / 1e3, q[1] / 1e3,
                         q[7] / 1e3);
            printf("%-34s %25s\n", label, cell);
        }
    }
    free(t);
    return rc;
}

/* A scenario's placements at 12, 24, 36 and 60 months (all needs, and the spot
 * placements and gap of each need that has one) and its cost by financial year and line
 * with the chance of overspending: its levels, or (diff) differences from the baseline. */
static int print_placements(const runfile *rf, const char *scen, bool diff, cc_err *err)
{
    static const int months[] = {12, 24, 36, 60};
    int at[4], nat = 0;
    for (int k = 0; k < 4; k++)
        if (months[k] <= rf->M)
            at[nat++] = months[k] - 1;
    const runfile_axis *pa = &rf->layer[RUNFILE_PLACEMENTS], *fa = &rf->layer[RUNFILE_FINANCE];
    int G = pa->G, L = fa->G, Y = rf->Y;
    size_t n = (size_t)rf->M * (G > L ? G : L) * RUNFILE_NSTATS;
    double *t = malloc(sizeof *t * n), *gap = malloc(sizeof *gap * n);
    double *budget = malloc(sizeof *budget * (size_t)(Y * L + 1));
    double *p = malloc(sizeof *p * (size_t)(Y * L + 1));
    int rc = t && gap && budget && p ? CC_OK : cc_fail(err, CC_ENOMEM, "out of memory");
    if (rc != CC_OK)
        goto done;
    const char *pre = diff ? "difference/" : "";
    char path[128], label[128];
    printf("\nScenario %s%s%s: children placed at month end by provider, %s (P5%sP95, 90%% "
           "interval)\n%-34s",
           scen, diff ? " minus " : "", diff ? rf->scenarios[0] : "",
           diff ? "difference per replicate on the same random numbers; median" : "median",
           diff ? " to " : "-", "");
    for (int k = 0; k < nat; k++) {
        char h[48];
        snprintf(h, sizeof h, "%s (%dm)", rf->month_end[at[k]], at[k] + 1);
        printf(" %25s", h);
    }
    printf("\n");
    static const char *const all_rows[][2] = {{"demand", "all needs: placed"},
                                              {"in_house", "  in in-house beds"},
                                              {"block", "  in block-contracted beds"},
                                              {"external", "  spot-purchased"},
                                              {"gap", "  gap (beyond own and block beds)"}};
    for (size_t r = 0; rc == CC_OK && r < sizeof all_rows / sizeof all_rows[0]; r++) {
        snprintf(path, sizeof path, "%ssummary/%s", pre, all_rows[r][0]);
        rc = runfile_read_layer(rf, scen, RUNFILE_PLACEMENTS, path, t, err);
        if (rc == CC_OK)
            layer_row(G, all_rows[r][1], t, G - 1, at, nat, diff, 0);
    }
    if (rc == CC_OK)
        rc = runfile_read_layer(rf, scen, RUNFILE_PLACEMENTS, "summary/gap", gap, err);
    snprintf(path, sizeof path, "%ssummary/external", pre);
    if (rc == CC_OK)
        rc = runfile_read_layer(rf, scen, RUNFILE_PLACEMENTS, path, t, err);
    for (int g = 0; rc == CC_OK && g < G - 1; g++) {
        double most = 0;
        for (int m = 0; m < rf->M; m++)
            most = fmax(most, gap[((size_t)m * G + g) * RUNFILE_NSTATS + 7]);
        if (most == 0)
            continue;
        snprintf(label, sizeof label, "%s: spot-purchased", pa->names[g]);
        layer_row(G, label, t, g, at, nat, diff, 0);
    }
    if (rc != CC_OK || L == 0 || !runfile_has_layer(rf, scen, RUNFILE_FINANCE))
        goto done;
    snprintf(path, sizeof path, "year/%ssummary/cost", pre);
    rc = runfile_read_layer(rf, scen, RUNFILE_FINANCE, path, t, err);
    if (rc == CC_OK)
        rc = runfile_read_budget(rf, scen, budget, p, err);
    if (rc == CC_OK) {
        printf("\nScenario %s%s%s: cost by financial year, £000, %s (P10%sP90, 80%% interval)%s"
               "\n%-34s",
               scen, diff ? " minus " : "", diff ? rf->scenarios[0] : "",
               diff ? "difference per replicate; median" : "median", diff ? " to " : "-",
               diff ? "" : "; budget and probability of overspending it", "");
        for (int y = 0; y < Y; y++)
            printf(" %25s", rf->years[y]);
        printf("\n");
    }
    for (int l = 0; rc == CC_OK && l < L; l++) {
        bool used = false;
        for (int y = 0; y < Y; y++)
            used |= t[((size_t)y * L + l) * RUNFILE_NSTATS + 4] != 0;
        if (!used && l < L - 1)
            continue;
        printf("%-34s", fa->labels[l]);
        for (int y = 0; y < Y; y++) {
            const double *q = t + ((size_t)y * L + l) * RUNFILE_NSTATS;
            char cell[64];
            if (diff)
                snprintf(cell, sizeof cell, "%+.0f (%+.0f to %+.0f)", q[4] / 1e3, q[2] / 1e3,
                         q[6] / 1e3);
            else
                snprintf(cell, sizeof cell, "%.0f (%.0f-%.0f)", q[4] / 1e3, q[2] / 1e3,
                         q[6] / 1e3);
            printf(" %25s", cell);
        }
        printf("\n");
        bool has_budget = false;
        for (int y = 0; y < Y; y++)
            has_budget |= !isnan(budget[y * L + l]);
        if (!has_budget || diff)
            continue;
        printf("%-34s", "  budget; chance of overspending");
        for (int y = 0; y < Y; y++) {
            char cell[64] = "";
            if (!isnan(budget[y * L + l]))
                snprintf(cell, sizeof cell, "%.0f; %.0f%%", budget[y * L + l] / 1e3,
                         100 * p[y * L + l]);
            printf(" %25s", cell);
        }
        printf("\n");
    }
done:
    free(t);
    free(gap);
    free(budget);
    free(p);
    return rc;
}

static int print_table(const runfile *rf, cc_err *err)
{
    printf("run file     %s\n", rf->path);
    printf("made by      carecast %s (revision %s)\n", rf->version, rf->revision);
    printf("command      %s\n", rf->command_line);
    printf("model        %s\n", rf->model_file);
    printf("             %s\n", rf->model_source);
    printf("start        %s, %d months, %d replicates, seed %lld, %lld threads\n", rf->start, rf->M,
           rf->R, rf->seed, rf->threads);
    printf("scenarios   ");
    for (int s = 0; s < rf->nscen; s++)
        printf(" %s%s", rf->scenarios[s], s == 0 && rf->nscen > 1 ? " (baseline)" : "");
    printf("\n");
    size_t n = (size_t)rf->M * (rf->C > rf->A ? rf->C : rf->A) * RUNFILE_NSTATS;
    double *t = malloc(sizeof *t * n);
    if (!t)
        return cc_fail(err, CC_ENOMEM, "out of memory");
    char title[512];
    const char *base = rf->scenarios[0];
    int rc = runfile_read_summary(rf, base, "stock", t, err);
    snprintf(title, sizeof title,
             "Scenario %s: children at month end, median (P5-P95, 90%% interval)", base);
    if (rc == CC_OK)
        print_block(rf, title, t, false, false);
    for (int s = 1; rc == CC_OK && s < rf->nscen; s++) {
        rc = runfile_read_difference(rf, rf->scenarios[s], "stock", t, err);
        snprintf(title, sizeof title,
                 "Scenario %s minus %s: difference in children at month end, per replicate on "
                 "the same random numbers; median (P5 to P95, 90%% interval)",
                 rf->scenarios[s], base);
        if (rc == CC_OK)
            print_block(rf, title, t, false, true);
        if (rc == CC_OK && rf->A > 0 &&
            runfile_read_starts(rf, rf->scenarios[s], "difference/summary/starts_cumulative", t,
                                err) == CC_OK) {
            snprintf(title, sizeof title,
                     "Scenario %s minus %s: difference in children starting to be looked "
                     "after, cumulative from the start, by age at the start; median (P5 to P95, "
                     "90%% interval)",
                     rf->scenarios[s], base);
            print_block(rf, title, t, true, true);
        }
    }
    for (int s = 0; rc == CC_OK && s < rf->nscen; s++)
        if (runfile_has_layer(rf, rf->scenarios[s], RUNFILE_WORKFORCE))
            rc = print_workforce(rf, rf->scenarios[s],
                                 s > 0 && runfile_has_layer(rf, rf->scenarios[0], RUNFILE_WORKFORCE), err);
    for (int s = 0; rc == CC_OK && s < rf->nscen; s++)
        if (runfile_has_layer(rf, rf->scenarios[s], RUNFILE_PLACEMENTS))
            rc = print_placements(rf, rf->scenarios[s],
                                  s > 0 && runfile_has_layer(rf, rf->scenarios[0],
                                                             RUNFILE_PLACEMENTS),
                                  err);
    printf("\nCohorts: ");
    for (int c = 0; c < rf->C; c++)
        printf("%s%s = %s", c ? "; " : "", rf->cohorts[c], rf->labels[c]);
    printf(".\n");
    free(t);
    return rc;
}

/* A model file: provenance, every hazard with its events, exposure and interval, the
 * entry rates, and the fitted against observed stock over the window. */
static int print_model(const char *path, cc_err *err)
{
    int status;
    model *m = model_read(path, err, &status);
    if (!m)
        return status;
    const modeldef *d = m->def;
    char from[11], to[11];
    date_format(m->history_start, from);
    date_format(m->extract_date, to);
    printf("model file   %s\n", path);
    printf("source       %s\n", m->source);
    printf("definition   %s: %d states, %d exit reasons, %d age x %d duration bands\n", d->name,
           d->nstates, d->nexits, d->nage, d->ndur);
    printf("hazards      %d transitions\n", m->ntrans);
    printf("history      %lld episodes, %s to %s\n", (long long)m->nepisodes, from, to);
    if (m->population)
        printf("population   %d years from %d\n", m->pop_nyears, m->pop_year0);
    else
        printf("population   none (entry rates are children per day)\n");
    if (m->post_shape)
        printf("shrinkage    each cell toward its transition's age x duration main-effects rate, "
               "prior worth %g event%s\n",
               m->prior_events, m->prior_events == 1 ? "" : "s");
    printf("\nHazards: rate per child-year in the state; 95%% interval from the %s; "
           "'thin' = under %d events\n",
           m->post_shape ? "Gamma posterior" : "exact Poisson count", INFO_THIN);
    printf("%-8s %-14s %-6s %-10s %8s %12s %10s %21s %s\n", "from", "to", "age", "duration",
           "events", "person-days", "rate/yr", "95% interval", "");
    int cells = d->nage * d->ndur;
    for (int k = 0; k < m->ntrans; k++)
        for (int c = 0; c < cells; c++) {
            size_t i = (size_t)k * cells + c;
            if (m->exposure[i] <= 0 && m->events[i] <= 0)
                continue;
            double shape = m->post_shape ? m->post_shape[i] : m->events[i];
            double rate = m->post_shape ? m->post_rate[i] : m->exposure[i];
            double lo = 0, hi = 0;
            if (rate > 0) {
                lo = shape > 0 ? gsl_cdf_gamma_Pinv(0.025, shape, 1 / rate) : 0;
                hi = gsl_cdf_gamma_Pinv(0.975, shape > 0 ? shape : 1, 1 / rate);
            }
            char age[16], dur[16], ci[48];
            int a = c / d->ndur, du = c % d->ndur;
            modeldef_age_label(d, a, age, sizeof age);
            snprintf(dur, sizeof dur, "%gd%s", d->dur_edges[du], du + 1 < d->ndur ? "-" : "+");
            if (du + 1 < d->ndur)
                snprintf(dur + strlen(dur), sizeof dur - strlen(dur), "%gd", d->dur_edges[du + 1]);
            snprintf(ci, sizeof ci, "%.4g-%.4g", lo * 365.25, hi * 365.25);
            printf("%-8s %-14s %-6s %-10s %8.1f %12.0f %10.4g %21s %s\n", d->states[m->from[k]].name,
                   modeldef_target_name(d, m->to[k]), age, dur, m->events[i], m->exposure[i],
                   m->rate[(size_t)k * cells + c] * 365.25, ci,
                   m->events[i] < INFO_THIN ? "thin" : "");
        }
    printf("\nEntries of new children by age band: %s\n",
           m->entry_per_child ? "per 1,000 children in the population per year"
                              : "children per year");
    int P = MODEL_ENTRY_NPAR(d->nage);
    for (int s = 0; s < d->nstates; s++)
        for (int a = 0; a < d->nage; a++) {
            double r = m->entry[s * d->nage + a];
            if (r <= 0)
                continue;
            double scale = 365.25 * (m->entry_per_child ? 1000 : 1);
            char age[16];
            modeldef_age_label(d, a, age, sizeof age);
            printf("%-8s age %-6s %12.4g", d->states[s].name, age, r * scale);
            if (m->entry_cov) {
                double v = m->entry_cov[((size_t)s * P + a) * P + a];
                printf("  95%% %.4g-%.4g", r * scale * exp(-1.96 * sqrt(v)),
                       r * scale * exp(1.96 * sqrt(v)));
            }
            printf("\n");
        }
    for (int s = 0; m->entry_beta && m->entry_trend && s < d->nstates; s++) {
        double v = m->entry_cov[((size_t)s * P + d->nage) * P + d->nage];
        if (v > 0)
            printf("%-8s trend %+.2f%% a year (95%% %+.2f%% to %+.2f%%)\n", d->states[s].name,
                   100 * (exp(m->entry_beta[(size_t)s * P + d->nage]) - 1),
                   100 * (exp(m->entry_beta[(size_t)s * P + d->nage] - 1.96 * sqrt(v)) - 1),
                   100 * (exp(m->entry_beta[(size_t)s * P + d->nage] + 1.96 * sqrt(v)) - 1));
    }
    if (m->check_months > 0) {
        date_format(m->window_start, from);
        date_format(m->window_end, to);
        printf("\nFitted against observed month-end stock, window %s to %s (children; fitted = "
               "mean of replicates simulated from the window start)\n",
               from, to);
        printf("%-10s", "month end");
        for (int s = 0; s < d->nstates; s++)
            if (d->states[s].in_history)
                printf(" %15s", d->states[s].name);
        printf("\n");
        for (int i = 0; i < m->check_months; i++) {
            if (i % 3 != 2 && i != m->check_months - 1)
                continue; /* quarter ends */
            char day[11];
            date_format(m->check_end[i], day);
            printf("%-10s", day);
            for (int s = 0; s < d->nstates; s++) {
                if (!d->states[s].in_history)
                    continue;
                char cell[32];
                snprintf(cell, sizeof cell, "%.0f / %.1f", m->check_observed[i * d->nstates + s],
                         m->check_fitted[i * d->nstates + s]);
                printf(" %15s", cell);
            }
            printf("\n");
        }
        printf("(observed / fitted)\n");
    }
    model_free(m);
    return CC_OK;
}

int info_main(int argc, char **argv)
{
    cli_opts o;
    cc_err err = {{0}, 0};
    int status = cli_parse(argc, argv, info_options, &o, &err);
    const char *measure = cli_text(&o, "measure", "stock");
    if (status == CC_OK && o.npos != 1)
        status = cc_fail(&err, CC_EUSAGE, "info: expected one file (carecast info FILE.h5)");
    int k = 0;
    while (k < RUNFILE_NMEASURES && strcmp(runfile_measures[k], measure))
        k++;
    if (status == CC_OK && k == RUNFILE_NMEASURES)
        status = cc_fail(&err, CC_EUSAGE,
                         "info: --measure '%s': expected stock, entries, exits, "
                         "arrivals or person_days",
                         measure);
    if (status != CC_OK)
        return cli_report(status, &err);
    const char *path = o.pos[0];
    /* Decide by the file's format attribute. */
    hid_t fid = h5io_open(path, &err, &status);
    if (fid < 0)
        return cli_report(status, &err);
    char format[64] = "";
    h5io_get_text(fid, "format", format, sizeof format);
    H5Fclose(fid);
    if (!strcmp(format, "carecast-model") && !cli_given(&o, "csv"))
        return cli_report(print_model(path, &err), &err);
    runfile *rf = runfile_open(path, &err, &status);
    if (!rf)
        return cli_report(status, &err);
    status = cli_given(&o, "csv") ? print_csv(rf, measure, cli_given(&o, "difference"), &err) : print_table(rf, &err);
    runfile_close(rf);
    return cli_report(status, &err);
}
