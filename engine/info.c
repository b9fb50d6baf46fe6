/* info.c -- prints provenance and headline figures of a run file (or a model file),
 * or every summary as CSV for spreadsheets and scripts. */
#include "info.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "h5io.h"
#include "model.h"
#include "runfile.h"

const cli_spec info_options[] = {
    {"csv", CLI_FLAG, NULL, "print every summary as CSV (scenario,date,cohort,mean,p5..p95)"},
    {"measure", CLI_TEXT, "NAME",
     "summary for --csv: stock (default), entries, exits, arrivals or person_days"},
    {NULL, 0, NULL, NULL}};

static int print_csv(const runfile *rf, const char *measure, cc_err *err)
{
    double *t = malloc(sizeof *t * (size_t)rf->M * rf->C * RUNFILE_NSTATS);
    if (!t)
        return cc_fail(err, CC_ENOMEM, "out of memory");
    printf("scenario,date,cohort");
    for (int k = 0; k < RUNFILE_NSTATS; k++)
        printf(",%s", runfile_stats[k]);
    printf("\n");
    int rc = CC_OK;
    for (int s = 0; rc == CC_OK && s < rf->nscen; s++) {
        rc = runfile_read_summary(rf, rf->scenarios[s], measure, t, err);
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
        printf(" %s", rf->scenarios[s]);
    printf("\n");
    static const int at[] = {12, 24, 36, 60};
    double *t = malloc(sizeof *t * (size_t)rf->M * rf->C * RUNFILE_NSTATS);
    if (!t)
        return cc_fail(err, CC_ENOMEM, "out of memory");
    int rc = CC_OK;
    for (int s = 0; rc == CC_OK && s < rf->nscen; s++) {
        rc = runfile_read_summary(rf, rf->scenarios[s], "stock", t, err);
        if (rc != CC_OK)
            break;
        printf("\nScenario %s: children at month end, median (P5-P95, 90%% interval)\n",
               rf->scenarios[s]);
        printf("%-8s %10s", "cohort", "observed");
        for (int k = 0; k < 4; k++)
            if (at[k] <= rf->M)
                printf(" %21s", rf->month_end[at[k] - 1]);
        printf("\n%-8s %10s", "", rf->H ? rf->history_end[rf->H - 1] : "-");
        for (int k = 0; k < 4; k++)
            if (at[k] <= rf->M)
                printf(" %21s", at[k] == 12   ? "(12 months)"
                                : at[k] == 24 ? "(24 months)"
                                : at[k] == 36 ? "(36 months)"
                                              : "(60 months)");
        printf("\n");
        for (int c = 0; c < rf->C; c++) {
            printf("%-8s", rf->cohorts[c]);
            if (rf->H)
                printf(" %10.0f", rf->history[(size_t)(rf->H - 1) * rf->C + c]);
            else
                printf(" %10s", "-");
            for (int k = 0; k < 4; k++) {
                if (at[k] > rf->M)
                    continue;
                const double *q = t + ((size_t)(at[k] - 1) * rf->C + c) * RUNFILE_NSTATS;
                char cell[64];
                snprintf(cell, sizeof cell, "%.0f (%.0f-%.0f)", q[4], q[1], q[7]);
                printf(" %21s", cell);
            }
            printf("\n");
        }
    }
    printf("\nCohorts: ");
    for (int c = 0; c < rf->C; c++)
        printf("%s%s = %s", c ? "; " : "", rf->cohorts[c], rf->labels[c]);
    printf(".\n");
    free(t);
    return rc;
}

/* A model file: provenance and the size of its tables. */
static int print_model(const char *path, cc_err *err)
{
    int status;
    model *m = model_read(path, err, &status);
    if (!m)
        return status;
    char from[11], to[11];
    date_format(m->history_start, from);
    date_format(m->extract_date, to);
    printf("model file   %s\n", path);
    printf("source       %s\n", m->source);
    printf("definition   %s: %d states, %d exit reasons, %d age x %d duration bands\n",
           m->def->name, m->def->nstates, m->def->nexits, m->def->nage, m->def->ndur);
    printf("hazards      %d transitions\n", m->ntrans);
    printf("history      %lld episodes, %s to %s\n", (long long)m->nepisodes, from, to);
    printf("population   %d years from %d\n", m->pop_nyears, m->pop_year0);
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
    status = cli_given(&o, "csv") ? print_csv(rf, measure, &err) : print_table(rf, &err);
    runfile_close(rf);
    return cli_report(status, &err);
}
