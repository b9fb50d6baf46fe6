/* plot.c -- extracts chart data from a run file and calls the gnuplot scripts in plots/.
 *
 * For each cohort drawn (every state recorded in the history, and CLA) the data go to
 * DIR/data/COHORT.csv (projection quantiles) and DIR/data/COHORT_history.csv (observed
 * month ends); plots/fan.gp turns them into DIR/COHORT.FORMAT. gnuplot is run directly
 * (fork and exec, no shell), and each chart is written under a temporary name and
 * renamed when gnuplot has finished.
 */
#include "plot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "model.h"
#include "runfile.h"
#include "util.h"

const cli_spec plot_options[] = {
    {"out", CLI_TEXT, "DIR", "folder for the charts (required)"},
    {"format", CLI_TEXT, "FMT", "png (default), svg or pdf"},
    {"scenario", CLI_TEXT, "NAME", "scenario to draw (default: the first, baseline)"},
    {"force", CLI_FLAG, NULL, "replace existing charts"},
    {NULL, 0, NULL, NULL}};

/* Doubles apostrophes so a value can sit inside a single-quoted gnuplot string. */
static void quote(char *dst, size_t size, const char *src)
{
    size_t n = 0;
    for (; *src && n + 2 < size; src++) {
        if (*src == '\'')
            dst[n++] = '\'';
        dst[n++] = *src;
    }
    dst[n] = '\0';
}

static int write_data(const runfile *rf, int c, const double *table, const char *dir, cc_err *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/data/%s.csv", dir, rf->cohorts[c]);
    FILE *f = fopen(path, "w");
    if (!f)
        return cc_fail(err, CC_EIO, "%s: cannot create", path);
    fprintf(f, "date,mean,p5,p10,p25,p50,p75,p90,p95\n");
    for (int m = 0; m < rf->M; m++) {
        fprintf(f, "%s", rf->month_end[m]);
        for (int k = 0; k < RUNFILE_NSTATS; k++)
            fprintf(f, ",%.4f", table[((size_t)m * rf->C + c) * RUNFILE_NSTATS + k]);
        fprintf(f, "\n");
    }
    int bad = fclose(f);
    snprintf(path, sizeof path, "%s/data/%s_history.csv", dir, rf->cohorts[c]);
    f = fopen(path, "w");
    if (!f || bad)
        return cc_fail(err, CC_EIO, "%s: cannot create", path);
    fprintf(f, "date,value\n");
    for (int h = 0; h < rf->H; h++)
        fprintf(f, "%s,%.0f\n", rf->history_end[h], rf->history[(size_t)h * rf->C + c]);
    if (fclose(f) != 0)
        return cc_fail(err, CC_EIO, "%s: writing failed", path);
    return CC_OK;
}

static int draw(const runfile *rf, int c, const char *scen, const char *dir, const char *fmt,
                cc_err *err)
{
    char final[4200], tmp[4300], data[4200], hist[4200], script[4200];
    snprintf(final, sizeof final, "%s/%s.%s", dir, rf->cohorts[c], fmt);
    snprintf(tmp, sizeof tmp, "%s/.%s.tmp.%s", dir, rf->cohorts[c], fmt);
    snprintf(data, sizeof data, "%s/data/%s.csv", dir, rf->cohorts[c]);
    snprintf(hist, sizeof hist, "%s/data/%s_history.csv", dir, rf->cohorts[c]);
    snprintf(script, sizeof script, "%s/plots/fan.gp", cli_home());
    const char *base = strrchr(rf->path, '/') ? strrchr(rf->path, '/') + 1 : rf->path;
    char title[512], subtitle[1024], q[6][4400];
    snprintf(title, sizeof title, "%s (%s)", rf->labels[c], rf->cohorts[c]);
    snprintf(subtitle, sizeof subtitle,
             "run %s, scenario %s: %d replicates, seed %lld, projection from %s; "
             "median with P25-P75 (50%%) and P5-P95 (90%%) intervals",
             base, scen, rf->R, rf->seed, rf->start);
    quote(q[0], sizeof q[0], data);
    quote(q[1], sizeof q[1], hist);
    quote(q[2], sizeof q[2], tmp);
    quote(q[3], sizeof q[3], title);
    quote(q[4], sizeof q[4], subtitle);
    quote(q[5], sizeof q[5], fmt);
    size_t len = 6 * 4400 + 512;
    char *vars = malloc(len);
    if (!vars)
        return cc_fail(err, CC_ENOMEM, "out of memory");
    snprintf(vars, len,
             "datafile='%s'; histfile='%s'; outfile='%s'; title='%s'; subtitle='%s'; "
             "term='%s'; ylabel='children (count at month end)'",
             q[0], q[1], q[2], q[3], q[4], q[5]);
    pid_t pid = fork();
    if (pid == 0) {
        execlp("gnuplot", "gnuplot", "-e", vars, script, (char *)NULL);
        _exit(127);
    }
    free(vars);
    int ws = 0;
    if (pid < 0 || waitpid(pid, &ws, 0) < 0 || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
        unlink(tmp);
        if (WIFEXITED(ws) && WEXITSTATUS(ws) == 127)
            return cc_fail(err, CC_EEXTERNAL,
                           "plot: gnuplot was not found (install the Debian "
                           "package gnuplot-nox)");
        return cc_fail(err, CC_EEXTERNAL, "plot: gnuplot failed drawing %s (script %s)", final,
                       script);
    }
    if (rename(tmp, final) != 0) {
        unlink(tmp);
        return cc_fail(err, CC_EIO, "%s: cannot rename into place", final);
    }
    printf("%s\n", final);
    return CC_OK;
}

int plot_main(int argc, char **argv)
{
    cli_opts o;
    cc_err err = {{0}, 0};
    int status = cli_parse(argc, argv, plot_options, &o, &err);
    const char *dir = cli_text(&o, "out", NULL), *fmt = cli_text(&o, "format", "png");
    if (status == CC_OK && o.npos != 1)
        status = cc_fail(&err, CC_EUSAGE,
                         "plot: expected one run file (carecast plot RUN.h5 "
                         "--out DIR)");
    if (status == CC_OK && !dir)
        status = cc_fail(&err, CC_EUSAGE, "plot: --out DIR is required");
    if (status == CC_OK && strcmp(fmt, "png") && strcmp(fmt, "svg") && strcmp(fmt, "pdf"))
        status = cc_fail(&err, CC_EUSAGE, "plot: --format '%s': expected png, svg or pdf", fmt);
    if (status != CC_OK)
        return cli_report(status, &err);
    runfile *rf = runfile_open(o.pos[0], &err, &status);
    if (!rf)
        return cli_report(status, &err);
    const char *scen = cli_text(&o, "scenario", rf->scenarios[0]);
    int si = 0;
    while (si < rf->nscen && strcmp(rf->scenarios[si], scen))
        si++;
    if (si == rf->nscen)
        status = cc_fail(&err, CC_EUSAGE, "plot: --scenario '%s' is not in %s (first: %s)", scen,
                         rf->path, rf->scenarios[0]);
    /* Which cohorts: states kept in the history (not derived ones like CLOSED), and CLA. */
    int model_status;
    hid_t mg = status == CC_OK ? H5Gopen2((hid_t)rf->h5, "model", H5P_DEFAULT) : -1;
    model *m = mg >= 0 ? model_read_tables(mg, rf->path, &err, &model_status) : NULL;
    if (mg >= 0)
        H5Gclose(mg);
    if (status == CC_OK && !m)
        status = model_status;
    bool *draw_it = calloc((size_t)rf->C, sizeof *draw_it);
    for (int c = 0; m && draw_it && c < rf->C; c++) {
        draw_it[c] = c == rf->S || m->def->states[c].in_history;
        char final[4200];
        snprintf(final, sizeof final, "%s/%s.%s", dir, rf->cohorts[c], fmt);
        if (status == CC_OK && draw_it[c] && !o.force && util_exists(final))
            status = cc_fail(&err, CC_EEXIST,
                             "%s: exists; use --force to replace the charts "
                             "(nothing was written)",
                             final);
    }
    char datadir[4200];
    snprintf(datadir, sizeof datadir, "%s/data", dir);
    if (status == CC_OK)
        status = cli_make_dir(datadir, &err);
    double *table = malloc(sizeof *table * (size_t)rf->M * rf->C * RUNFILE_NSTATS);
    if (status == CC_OK && (!table || !draw_it))
        status = cc_fail(&err, CC_ENOMEM, "out of memory");
    if (status == CC_OK)
        status = runfile_read_summary(rf, scen, "stock", table, &err);
    for (int c = 0; status == CC_OK && c < rf->C; c++) {
        if (!draw_it[c] || !runfile_cohort_used(rf, table, c))
            continue;
        status = write_data(rf, c, table, dir, &err);
        if (status == CC_OK)
            status = draw(rf, c, scen, dir, fmt, &err);
    }
    free(table);
    free(draw_it);
    model_free(m);
    runfile_close(rf);
    return cli_report(status, &err);
}
