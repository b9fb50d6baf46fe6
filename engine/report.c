/* report.c -- `carecast report`: the run file's tables as CSV files (see report.h).
 *
 * Each table is built in memory (open_memstream) and then written to a hidden temporary
 * file in DIR, which is renamed into place, so a table is either complete or absent.
 * Every table is checked for an existing file before any is written, so a refusal
 * (exists, no --force) leaves DIR as it was.
 */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "finance.h"
#include "placement.h"
#include "runfile.h"
#include "util.h"
#include "workforce.h"

const cli_spec report_options[] = {
    {"out", CLI_TEXT, "DIR", "folder for the CSV tables (created if needed; required)"},
    {"force", CLI_FLAG, NULL, "replace existing tables"},
    {NULL, 0, NULL, NULL}};

enum { TAB_COST, TAB_SUFFICIENCY, TAB_COHORTS, TAB_WORKFORCE, TAB_README, NTABLES };
static const char *const table_names[NTABLES] = {"cost_by_year.csv", "sufficiency_by_year.csv",
                                                 "cohorts_31_march.csv", "workforce_by_year.csv",
                                                 "README.txt"};

/* Columns of a summary table used in the reports. */
enum { ST_MEAN = 0, ST_P10 = 2, ST_P50 = 4, ST_P90 = 6 };

/* A CSV field: quoted when it holds a comma or a quote. */
static void field(FILE *f, const char *text)
{
    if (!strpbrk(text, ",\"\n")) {
        fputs(text, f);
        return;
    }
    fputc('"', f);
    for (const char *q = text; *q; q++) {
        if (*q == '"')
            fputc('"', f);
        fputc(*q, f);
    }
    fputc('"', f);
}

/* A number in a CSV cell: empty for NaN, whole pounds / children to 2 decimals. */
static void number(FILE *f, double v)
{
    if (isnan(v))
        return;
    if (isinf(v))
        fputs(v > 0 ? "inf" : "-inf", f);
    else
        fprintf(f, "%.2f", v);
}

/* mean,p10,p50,p90 of a summary row. */
static void quantiles(FILE *f, const double *q)
{
    static const int cols[] = {ST_MEAN, ST_P10, ST_P50, ST_P90};
    for (int k = 0; k < 4; k++) {
        fputc(',', f);
        number(f, q[cols[k]]);
    }
}

static int cost_table(const runfile *rf, FILE *f, cc_err *err)
{
    const runfile_axis *ax = &rf->layer[RUNFILE_FINANCE];
    int Y = rf->Y, L = ax->G;
    fputs("scenario,financial_year,months_in_run,line,line_label,mean_pounds,p10_pounds,"
          "p50_pounds,p90_pounds,budget_pounds,p_overspend,difference_mean_pounds,"
          "difference_p10_pounds,difference_p50_pounds,difference_p90_pounds\n",
          f);
    size_t n = (size_t)Y * L * RUNFILE_NSTATS;
    double *t = malloc(sizeof *t * n), *d = malloc(sizeof *d * n);
    double *budget = malloc(sizeof *budget * (size_t)Y * L), *p = malloc(sizeof *p * (size_t)Y * L);
    int rc = t && d && budget && p ? CC_OK : cc_fail(err, CC_ENOMEM, "out of memory");
    bool base = rf->nscen > 0 && runfile_has_layer(rf, rf->scenarios[0], RUNFILE_FINANCE);
    for (int s = 0; rc == CC_OK && s < rf->nscen; s++) {
        const char *scen = rf->scenarios[s];
        if (!runfile_has_layer(rf, scen, RUNFILE_FINANCE))
            continue;
        bool diff = s > 0 && base;
        rc = runfile_read_layer(rf, scen, RUNFILE_FINANCE, "year/summary/cost", t, err);
        if (rc == CC_OK && diff)
            rc = runfile_read_layer(rf, scen, RUNFILE_FINANCE, "year/difference/summary/cost", d,
                                    err);
        if (rc == CC_OK)
            rc = runfile_read_budget(rf, scen, budget, p, err);
        for (int y = 0; rc == CC_OK && y < Y; y++)
            for (int l = 0; l < L; l++) {
                field(f, scen);
                fprintf(f, ",%s,%d,", rf->years[y], rf->year_months[y]);
                field(f, ax->names[l]);
                fputc(',', f);
                field(f, ax->labels[l]);
                quantiles(f, t + ((size_t)y * L + l) * RUNFILE_NSTATS);
                fputc(',', f);
                number(f, budget[y * L + l]);
                fputc(',', f);
                if (!isnan(p[y * L + l]))
                    fprintf(f, "%.4f", p[y * L + l]);
                if (diff)
                    quantiles(f, d + ((size_t)y * L + l) * RUNFILE_NSTATS);
                else
                    fputs(",,,,", f);
                fputc('\n', f);
            }
    }
    free(t);
    free(d);
    free(budget);
    free(p);
    return rc;
}

/* Year tables of a layer's measures: scenario,financial_year,GROUP,measure,unit,... */
static int layer_table(const runfile *rf, int layer, const layer_measure *measures, int K,
                       const char *group, FILE *f, cc_err *err)
{
    const runfile_axis *ax = &rf->layer[layer];
    int Y = rf->Y, G = ax->G;
    fprintf(f,
            "scenario,financial_year,months_in_run,%s,%s_label,measure,unit,statistic_over_"
            "months,mean,p10,p50,p90\n",
            group, group);
    double *t = malloc(sizeof *t * (size_t)Y * G * RUNFILE_NSTATS);
    int rc = t ? CC_OK : cc_fail(err, CC_ENOMEM, "out of memory");
    for (int s = 0; rc == CC_OK && s < rf->nscen; s++) {
        const char *scen = rf->scenarios[s];
        if (!runfile_has_layer(rf, scen, layer))
            continue;
        for (int g = 0; rc == CC_OK && g < G; g++)
            for (int k = 0; rc == CC_OK && k < K; k++) {
                char path[128];
                snprintf(path, sizeof path, "year/summary/%s", measures[k].name);
                rc = runfile_read_layer(rf, scen, layer, path, t, err);
                for (int y = 0; rc == CC_OK && y < Y; y++) {
                    field(f, scen);
                    fprintf(f, ",%s,%d,", rf->years[y], rf->year_months[y]);
                    field(f, ax->names[g]);
                    fputc(',', f);
                    field(f, ax->labels[g]);
                    fprintf(f, ",%s,", measures[k].name);
                    field(f, measures[k].units);
                    fprintf(f, ",%s", measures[k].flow ? "sum" : "mean of month ends");
                    quantiles(f, t + ((size_t)y * G + g) * RUNFILE_NSTATS);
                    fputc('\n', f);
                }
            }
    }
    free(t);
    return rc;
}

static int cohort_table(const runfile *rf, FILE *f, cc_err *err)
{
    fputs("scenario,date,months_from_start,cohort,cohort_label,unit,mean,p10,p50,p90\n", f);
    double *t = malloc(sizeof *t * (size_t)rf->M * rf->C * RUNFILE_NSTATS);
    int rc = t ? CC_OK : cc_fail(err, CC_ENOMEM, "out of memory");
    for (int s = 0; rc == CC_OK && s < rf->nscen; s++) {
        rc = runfile_read_summary(rf, rf->scenarios[s], "stock", t, err);
        for (int m = 0; rc == CC_OK && m < rf->M; m++) {
            if (strcmp(rf->month_end[m] + 4, "-03-31"))
                continue;
            for (int c = 0; c < rf->C; c++) {
                if (!runfile_cohort_used(rf, t, c))
                    continue;
                field(f, rf->scenarios[s]);
                fprintf(f, ",%s,%d,%s,", rf->month_end[m], m + 1, rf->cohorts[c]);
                field(f, rf->labels[c]);
                fputs(",children", f);
                quantiles(f, t + ((size_t)m * rf->C + c) * RUNFILE_NSTATS);
                fputc('\n', f);
            }
        }
    }
    free(t);
    return rc;
}

static void readme(const runfile *rf, FILE *f)
{
    fprintf(f,
            "carecast report of %s\n"
            "made by carecast %s from a run of %d replicates, seed %lld, start %s\n\n"
            "Every figure is a statistic over the replicates of a quantity totalled inside\n"
            "each replicate first (sums of quantiles are not quantiles of sums): mean,\n"
            "p10, p50 (median) and p90. P10-P90 is an 80%% interval.\n"
            "Financial years run April to March; months_in_run says how many of a year's\n"
            "months the run covers (the first and last may be part years).\n\n"
            "cost_by_year.csv: cost in pounds by scenario, financial year and cost line\n"
            "  (placements by need, support of other states such as care leavers, staffing,\n"
            "  services, total). budget_pounds is the budget given for that year and line;\n"
            "  p_overspend the share of replicates whose cost is above it. difference_*:\n"
            "  this scenario minus the baseline (%s) in the same replicate.\n"
            "sufficiency_by_year.csv: placements by need. Levels (demand, in_house, block,\n"
            "  external, beds, free beds, gap, households) are the mean of the year's month\n"
            "  ends in each replicate; flows (starts, overflow, step-downs, person-days) the\n"
            "  year's sum. gap = children placed beyond the need's in-house and block beds.\n"
            "cohorts_31_march.csv: children in each cohort on each 31 March.\n"
            "workforce_by_year.csv: social-work workforce by team (levels averaged over the\n"
            "  year's months, costs, leavers and starters summed).\n"
            "Unit costs and capacity come from the scenario files' CSVs (see each run's\n"
            "/parameters); the shipped defaults are national figures and assumptions that a\n"
            "council should replace with its own.\n",
            rf->path, rf->version, rf->R, rf->seed, rf->start, rf->scenarios[0]);
}

/* Writes `text` to DIR/NAME through a temporary file. */
static int write_file(const char *dir, const char *name, const char *text, size_t len, cc_err *err)
{
    char final[4200], tmp[4300];
    snprintf(final, sizeof final, "%s/%s", dir, name);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return cc_fail(err, CC_EIO, "%s: cannot write", tmp);
    bool ok = fwrite(text, 1, len, f) == len;
    ok &= fclose(f) == 0;
    if (!ok || rename(tmp, final) != 0) {
        unlink(tmp);
        return cc_fail(err, CC_EIO, "%s: cannot write", final);
    }
    return CC_OK;
}

int report_main(int argc, char **argv)
{
    cli_opts o;
    cc_err err = {{0}, 0};
    int status = cli_parse(argc, argv, report_options, &o, &err);
    const char *dir = cli_text(&o, "out", NULL);
    if (status == CC_OK && o.npos != 1)
        status = cc_fail(&err, CC_EUSAGE,
                         "report: expected one run file (carecast report RUN.h5 --out DIR)");
    if (status == CC_OK && !dir)
        status = cc_fail(&err, CC_EUSAGE, "report: --out DIR is required");
    if (status != CC_OK)
        return cli_report(status, &err);
    runfile *rf = runfile_open(o.pos[0], &err, &status);
    if (!rf)
        return cli_report(status, &err);
    bool want[NTABLES] = {rf->layer[RUNFILE_FINANCE].G > 0, rf->layer[RUNFILE_PLACEMENTS].G > 0,
                          true, rf->layer[RUNFILE_WORKFORCE].G > 0, true};
    for (int t = 0; status == CC_OK && t < NTABLES; t++) {
        char final[4200];
        snprintf(final, sizeof final, "%s/%s", dir, table_names[t]);
        if (want[t] && !o.force && util_exists(final))
            status = cc_fail(&err, CC_EEXIST,
                             "%s: exists; use --force to replace the tables (nothing was "
                             "written)",
                             final);
    }
    if (status == CC_OK)
        status = cli_make_dir(dir, &err);
    int written = 0;
    for (int t = 0; status == CC_OK && t < NTABLES; t++) {
        if (!want[t])
            continue;
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (!f) {
            status = cc_fail(&err, CC_ENOMEM, "out of memory");
            break;
        }
        switch (t) {
        case TAB_COST:
            status = cost_table(rf, f, &err);
            break;
        case TAB_SUFFICIENCY:
            status = layer_table(rf, RUNFILE_PLACEMENTS, placement_measures, PL_NMEASURES, "need",
                                 f, &err);
            break;
        case TAB_COHORTS:
            status = cohort_table(rf, f, &err);
            break;
        case TAB_WORKFORCE:
            status = layer_table(rf, RUNFILE_WORKFORCE, workforce_measures, WF_NMEASURES, "team",
                                 f, &err);
            break;
        default:
            readme(rf, f);
            break;
        }
        fclose(f);
        if (status == CC_OK)
            status = write_file(dir, table_names[t], text, len, &err);
        written += status == CC_OK;
        free(text);
    }
    if (status == CC_OK)
        fprintf(stderr, "report: wrote %d tables to %s%s\n", written, dir,
                want[TAB_COST] ? "" : " (the run has no finance: no cost table)");
    runfile_close(rf);
    return cli_report(status, &err);
}
