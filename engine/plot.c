/* plot.c -- extracts chart data from a run file and calls the gnuplot scripts in plots/.
 *
 * For each cohort drawn (every state recorded in the history, and CLA) the data go to
 * DIR/data/COHORT.csv (projection quantiles) and DIR/data/COHORT_history.csv (observed
 * month ends); plots/fan.gp turns them into DIR/COHORT.FORMAT. A run with several
 * scenarios also gets, per cohort, DIR/compare_COHORT.FORMAT (each scenario's median
 * and 90% band) and DIR/difference_COHORT.FORMAT (each scenario minus the baseline, per
 * replicate), drawn by plots/compare.gp from DIR/data/compare_* and difference_*. A
 * scenario with a workforce also gets DIR/workforce_caseload_TEAM (fan with the target),
 * DIR/workforce_fte, DIR/workforce_agency_share and, with several such scenarios,
 * DIR/compare_workforce_caseload and difference_workforce_caseload. A scenario with
 * placements gets DIR/placements_gap_NEED (fan) and DIR/placements_providers_NEED
 * (in-house, block and spot) for each need with a gap and for all needs; with unit costs,
 * DIR/cost_by_year (plots/cost.gp) and DIR/cost_breakdown (plots/breakdown.gp). A
 * backtest file is handed to backtest_plot() (backtest.c). gnuplot is run directly
 * (fork and exec, no shell), and each chart is written under a temporary name and
 * renamed when gnuplot has finished.
 */
#include "plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backtest.h"
#include "finance.h"
#include "model.h"
#include "runfile.h"
#include "util.h"

#define COMPARE_HISTORY_MONTHS 36 /* observed months shown on comparison charts */
#define PLOT_NAMES_MAX (64 * 66) /* space-separated scenario names */

const cli_spec plot_options[] = {
    {"out", CLI_TEXT, "DIR", "folder for the charts (required)"},
    {"format", CLI_TEXT, "FMT", "png (default), svg or pdf"},
    {"scenario", CLI_TEXT, "NAME", "scenario to draw (default: the first, baseline)"},
    {"geography", CLI_TEXT, "NAME", "backtest file: the council whose forecasts are drawn "
                                    "against what was published (default: the first)"},
    {"force", CLI_FLAG, NULL, "replace existing charts"},
    {NULL, 0, NULL, NULL}};

/* The run file's name without its folder, for subtitles. */
static const char *run_name(const runfile *rf)
{
    const char *slash = strrchr(rf->path, '/');
    return slash ? slash + 1 : rf->path;
}

/* Doubles apostrophes so a value can sit inside a single-quoted gnuplot string. */
void plot_quote(char *dst, size_t size, const char *src)
{
    size_t n = 0;
    for (; *src && n + 2 < size; src++) {
        if (*src == '\'')
            dst[n++] = '\'';
        dst[n++] = *src;
    }
    dst[n] = '\0';
}

/* Writes the quantiles of column c of a monthly table [M][width][8] (width cohorts or
 * workforce groups) as date,mean,p5..p95. */
static int write_quantiles(const char *path, const runfile *rf, const double *table, int c,
                           int width, cc_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return cc_fail(err, CC_EIO, "%s: cannot create", path);
    fprintf(f, "date,mean,p5,p10,p25,p50,p75,p90,p95\n");
    for (int m = 0; m < rf->M; m++) {
        fprintf(f, "%s", rf->month_end[m]);
        for (int k = 0; k < RUNFILE_NSTATS; k++)
            fprintf(f, ",%.4f", table[((size_t)m * width + c) * RUNFILE_NSTATS + k]);
        fprintf(f, "\n");
    }
    return fclose(f) == 0 ? CC_OK : cc_fail(err, CC_EIO, "%s: writing failed", path);
}

/* Writes the observed month ends of cohort c as date,value: the last `months` of them
 * (all when 0). */
static int write_history(const runfile *rf, int c, const char *path, int months, cc_err *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return cc_fail(err, CC_EIO, "%s: cannot create", path);
    fprintf(f, "date,value\n");
    for (int h = months > 0 && rf->H > months ? rf->H - months : 0; h < rf->H; h++)
        fprintf(f, "%s,%.0f\n", rf->history_end[h], rf->history[(size_t)h * rf->C + c]);
    return fclose(f) == 0 ? CC_OK : cc_fail(err, CC_EIO, "%s: writing failed", path);
}

/* Runs plots/SCRIPT with the gnuplot variables `vars`, drawing into a temporary name
 * beside `final`, and renames it into place when gnuplot succeeds. */
int plot_gnuplot(const char *script_name, const char *vars, const char *final, const char *tmp,
                   cc_err *err)
{
    char script[4200];
    snprintf(script, sizeof script, "%s/plots/%s", cli_home(), script_name);
    pid_t pid = fork();
    if (pid == 0) {
        execlp("gnuplot", "gnuplot", "-e", vars, script, (char *)NULL);
        _exit(127);
    }
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

/* The chart's final and temporary paths: DIR/PREFIXCOHORT.FMT. */
void plot_paths(const char *dir, const char *prefix, const char *cohort, const char *fmt,
                        char *final, char *tmp, size_t size)
{
    snprintf(final, size, "%s/%s%s.%s", dir, prefix, cohort, fmt);
    snprintf(tmp, size, "%s/.%s%s.tmp.%s", dir, prefix, cohort, fmt);
}

/* Draws plots/fan.gp from `data` (and `hist`, "" for none) into `final`; a finite
 * `target` is drawn as a dashed line labelled `target_label`. */
static int fan_chart(const char *data, const char *hist, const char *final, const char *tmp,
                     const char *title, const char *subtitle, const char *ylabel, double target,
                     const char *target_label, const char *fmt, cc_err *err)
{
    const char *raw[8] = {data, hist, tmp, title, subtitle, fmt, ylabel, target_label};
    char *q[8];
    int rc = CC_OK;
    for (int i = 0; i < 8; i++) {
        size_t n = 2 * strlen(raw[i]) + 1;
        if ((q[i] = malloc(n)))
            plot_quote(q[i], n, raw[i]);
        else
            rc = CC_ENOMEM;
    }
    size_t len = 6 * 4400 + 2048;
    char *vars = rc == CC_OK ? malloc(len) : NULL;
    if (vars) {
        char tv[1024] = "";
        if (isfinite(target))
            snprintf(tv, sizeof tv, "; target=%.6g; targetlabel='%s'", target, q[7]);
        snprintf(vars, len,
                 "datafile='%s'; histfile='%s'; outfile='%s'; title='%s'; subtitle='%s'; "
                 "term='%s'; ylabel='%s'%s",
                 q[0], q[1], q[2], q[3], q[4], q[5], q[6], tv);
        rc = plot_gnuplot("fan.gp", vars, final, tmp, err);
    } else {
        rc = cc_fail(err, CC_ENOMEM, "out of memory");
    }
    for (int i = 0; i < 8; i++)
        free(q[i]);
    free(vars);
    return rc;
}

/* The run, scenario and interval line under a fan chart's title. */
static void fan_subtitle(const runfile *rf, const char *scen, char *buf, size_t size)
{
    const char *base = run_name(rf);
    snprintf(buf, size,
             "run %s, scenario %s: %d replicates, seed %lld, projection from %s; "
             "median with P25-P75 (50%%) and P5-P95 (90%%) intervals",
             base, scen, rf->R, rf->seed, rf->start);
}

/* Fan chart of cohort c under scenario `scen` (table: its stock summary). */
static int draw_fan(const runfile *rf, int c, const double *table, const char *scen,
                    const char *dir, const char *fmt, cc_err *err)
{
    char final[4200], tmp[4200], data[4200], hist[4200];
    plot_paths(dir, "", rf->cohorts[c], fmt, final, tmp, sizeof final);
    snprintf(data, sizeof data, "%s/data/%s.csv", dir, rf->cohorts[c]);
    snprintf(hist, sizeof hist, "%s/data/%s_history.csv", dir, rf->cohorts[c]);
    int rc = write_quantiles(data, rf, table, c, rf->C, err);
    if (rc != CC_OK)
        return rc;
    char title[512], subtitle[1024];
    snprintf(title, sizeof title, "%s (%s)", rf->labels[c], rf->cohorts[c]);
    fan_subtitle(rf, scen, subtitle, sizeof subtitle);
    return fan_chart(data, hist, final, tmp, title, subtitle, "children (count at month end)",
                     NAN, "", fmt, err);
}

/* Draws plots/compare.gp: series `files` (space-separated CSV paths) named `names`, with
 * observed history `hist` ("" for none), into `final`; `diff` draws differences (a zero
 * line, no history). */
static int compare_chart(const char *files, const char *names, const char *hist,
                         const char *final, const char *tmp, const char *title,
                         const char *subtitle, const char *ylabel, bool diff, const char *fmt,
                         cc_err *err)
{
    const char *raw[7] = {files, names, hist, tmp, title, subtitle, ylabel};
    char *q[7];
    int rc = CC_OK;
    size_t len = 512;
    for (int i = 0; i < 7; i++) {
        size_t n = 2 * strlen(raw[i]) + 1;
        len += n;
        if ((q[i] = malloc(n)))
            plot_quote(q[i], n, raw[i]);
        else
            rc = CC_ENOMEM;
    }
    char *vars = rc == CC_OK ? malloc(len) : NULL;
    if (vars) {
        snprintf(vars, len,
                 "files='%s'; names='%s'; histfile='%s'; outfile='%s'; title='%s'; "
                 "subtitle='%s'; term='%s'; zero=%d; ylabel='%s'",
                 q[0], q[1], q[2], q[3], q[4], q[5], fmt, diff ? 1 : 0, q[6]);
        rc = plot_gnuplot("compare.gp", vars, final, tmp, err);
    } else {
        rc = cc_fail(err, CC_ENOMEM, "out of memory");
    }
    for (int i = 0; i < 7; i++)
        free(q[i]);
    free(vars);
    return rc;
}

/* Appends `item` to a space-separated list of `size` bytes. */
static void append(char *list, size_t size, const char *item)
{
    snprintf(list + strlen(list), size - strlen(list), "%s%s", *list ? " " : "", item);
}

/* Scenario charts of cohort c: every scenario's median and 90% band on one chart
 * (`diff` false, DIR/compare_COHORT), or every scenario's difference from the
 * baseline (`diff` true, DIR/difference_COHORT). `table` is scratch [M][C][8]. */
static int draw_compare(const runfile *rf, int c, bool diff, double *table, const char *dir,
                        const char *fmt, cc_err *err)
{
    const char *kind = diff ? "difference" : "compare";
    char final[4200], tmp[4200], hist[4200], prefix[32];
    snprintf(prefix, sizeof prefix, "%s_", kind);
    plot_paths(dir, prefix, rf->cohorts[c], fmt, final, tmp, sizeof final);
    snprintf(hist, sizeof hist, "%s/data/compare_%s_history.csv", dir, rf->cohorts[c]);
    int rc = diff ? CC_OK : write_history(rf, c, hist, COMPARE_HISTORY_MONTHS, err);
    size_t flen = (size_t)rf->nscen * 4300 + 1, nlen = (size_t)rf->nscen * 66 + 1;
    char *files = calloc(flen, 1), *names = calloc(nlen, 1);
    if (rc == CC_OK && (!files || !names))
        rc = cc_fail(err, CC_ENOMEM, "out of memory");
    /* the baseline is series 1 in both charts (its difference is 0), so each scenario
     * keeps its colour from one chart to the other */
    for (int s = 0; rc == CC_OK && s < rf->nscen; s++) {
        char data[4300];
        snprintf(data, sizeof data, "%s/data/%s_%s_%s.csv", dir, kind, rf->cohorts[c],
                 rf->scenarios[s]);
        if (diff && s == 0)
            memset(table, 0, sizeof *table * (size_t)rf->M * rf->C * RUNFILE_NSTATS);
        else
            rc = diff ? runfile_read_difference(rf, rf->scenarios[s], "stock", table, err)
                      : runfile_read_summary(rf, rf->scenarios[s], "stock", table, err);
        if (rc == CC_OK)
            rc = write_quantiles(data, rf, table, c, rf->C, err);
        append(files, flen, data);
        append(names, nlen, rf->scenarios[s]);
    }
    const char *base = run_name(rf);
    char title[512], subtitle[1024];
    snprintf(title, sizeof title, "%s (%s): %s", rf->labels[c], rf->cohorts[c],
             diff ? "difference from the baseline" : "scenarios compared");
    snprintf(subtitle, sizeof subtitle,
             diff ? "run %s: each scenario minus %s in each of %d replicates on the same "
                    "random numbers; median and P5-P95 (90%% interval)"
                  : "run %s (baseline: %s), %d replicates on the same random numbers; median "
                    "and P5-P95 (90%% interval) of each scenario; history: last 3 years",
             base, rf->scenarios[0], rf->R);
    if (rc == CC_OK)
        rc = compare_chart(files, names, diff ? "" : hist, final, tmp, title, subtitle,
                           diff ? "difference in children (count at month end)"
                                : "children (count at month end)",
                           diff, fmt, err);
    free(files);
    free(names);
    return rc;
}

/* ---- workforce charts ------------------------------------------------------------- */

/* Names of the workforce charts of a run (without folder and format), for the check
 * that nothing is overwritten without --force; returns how many (at most `max`). */
static int workforce_charts(const runfile *rf, int nwf, char names[][64], int max)
{
    int n = 0;
    for (int g = 0; g < rf->layer[RUNFILE_WORKFORCE].G && n < max; g++)
        snprintf(names[n++], 64, "workforce_caseload_%s", rf->layer[RUNFILE_WORKFORCE].names[g]);
    const char *more[] = {"workforce_fte", "workforce_agency_share", "compare_workforce_caseload",
                          "difference_workforce_caseload"};
    for (int k = 0; k < (nwf > 1 ? 4 : 2) && n < max; k++)
        snprintf(names[n++], 64, "%s", more[k]);
    return n;
}

/* A workforce group's quantiles from scenario `scen`'s workforce table PATH (scratch
 * table [M][G][8]) into DIR/data/NAME.csv, whose path goes to `data`. */
static int workforce_csv(const runfile *rf, const char *scen, const char *path, int g,
                         double *table, const char *dir, const char *name, char *data,
                         size_t size, cc_err *err)
{
    snprintf(data, size, "%s/data/%s.csv", dir, name);
    int rc = runfile_read_layer(rf, scen, RUNFILE_WORKFORCE, path, table, err);
    return rc == CC_OK ? write_quantiles(data, rf, table, g, rf->layer[RUNFILE_WORKFORCE].G, err) : rc;
}

/* The workforce charts of scenario `scen`: caseload per FTE by team against its target,
 * posts, FTE needed and in post, agency share; and, with several scenarios projecting a
 * workforce (`wf` marks them), their caseloads compared and their differences. */
static int draw_workforce(const runfile *rf, const char *scen, const bool *wf, const char *dir,
                          const char *fmt, cc_err *err)
{
    double *table = malloc(sizeof *table * (size_t)rf->M * rf->layer[RUNFILE_WORKFORCE].G * RUNFILE_NSTATS);
    double *cases = malloc(sizeof *cases * (size_t)rf->M * rf->layer[RUNFILE_WORKFORCE].G * RUNFILE_NSTATS);
    double target[MD_MAX_TEAMS + 1];
    int rc = table && cases ? runfile_read_targets(rf, scen, target, err)
                            : cc_fail(err, CC_ENOMEM, "out of memory");
    if (rc == CC_OK)
        rc = runfile_read_layer(rf, scen, RUNFILE_WORKFORCE, "summary/cases", cases, err);
    char subtitle[1024], title[512], final[4200], tmp[4200], data[4300], name[96];
    fan_subtitle(rf, scen, subtitle, sizeof subtitle);
    int all = rf->layer[RUNFILE_WORKFORCE].G - 1;
    for (int g = 0; rc == CC_OK && g < rf->layer[RUNFILE_WORKFORCE].G; g++) {
        double most = 0; /* a team whose states this model does not project is skipped */
        for (int m = 0; m < rf->M; m++)
            most = fmax(most, cases[((size_t)m * rf->layer[RUNFILE_WORKFORCE].G + g) * RUNFILE_NSTATS + 7]);
        if (most == 0)
            continue;
        snprintf(name, sizeof name, "workforce_caseload_%s", rf->layer[RUNFILE_WORKFORCE].names[g]);
        rc = workforce_csv(rf, scen, "summary/caseload", g, table, dir, name, data, sizeof data,
                           err);
        plot_paths(dir, "", name, fmt, final, tmp, sizeof final);
        snprintf(title, sizeof title, "Caseload per social worker: %s", rf->layer[RUNFILE_WORKFORCE].labels[g]);
        char label[64];
        snprintf(label, sizeof label, "Target caseload (%.3g)", target[g]);
        if (rc == CC_OK)
            rc = fan_chart(data, "", final, tmp, title, subtitle,
                           "weighted cases per available FTE (month end)", target[g], label,
                           fmt, err);
    }
    if (rc == CC_OK) {
        rc = workforce_csv(rf, scen, "summary/agency_share", all, table, dir,
                           "workforce_agency_share", data, sizeof data, err);
        plot_paths(dir, "", "workforce_agency_share", fmt, final, tmp, sizeof final);
        if (rc == CC_OK)
            rc = fan_chart(data, "", final, tmp, "Agency social workers, all teams", subtitle,
                           "agency FTE, % of FTE in post (month end)", NAN, "", fmt, err);
    }
    static const char *const fte[3][2] = {{"posts", "posts"},
                                          {"fte_needed", "FTE-needed-at-target"},
                                          {"fte_in_post", "FTE-in-post"}};
    size_t flen = (size_t)(rf->nscen + 3) * 4400;
    char *files = calloc(flen, 1), names[PLOT_NAMES_MAX] = "";
    if (rc == CC_OK && !files)
        rc = cc_fail(err, CC_ENOMEM, "out of memory");
    for (int k = 0; rc == CC_OK && k < 3; k++) {
        char path[64];
        snprintf(path, sizeof path, "summary/%s", fte[k][0]);
        snprintf(name, sizeof name, "workforce_%s", fte[k][0]);
        rc = workforce_csv(rf, scen, path, all, table, dir, name, data, sizeof data, err);
        append(files, flen, data);
        append(names, sizeof names, fte[k][1]);
    }
    if (rc == CC_OK) {
        plot_paths(dir, "", "workforce_fte", fmt, final, tmp, sizeof final);
        char sub[1024];
        snprintf(sub, sizeof sub,
                 "run %s, scenario %s: %d replicates; median and P5-P95 (90%% interval); "
                 "posts = funded establishment",
                 run_name(rf), scen, rf->R);
        rc = compare_chart(files, names, "", final, tmp,
                           "Social workers: posts, FTE needed at the target caseloads and FTE "
                           "in post, all teams",
                           sub, "FTE (month end)", false, fmt, err);
    }
    int nwf = 0;
    for (int s = 0; s < rf->nscen; s++)
        nwf += wf[s];
    const char *base = run_name(rf);
    for (int diff = 0; rc == CC_OK && nwf > 1 && diff < 2; diff++) {
        files[0] = names[0] = '\0';
        for (int s = 0; rc == CC_OK && s < rf->nscen; s++) {
            if (!wf[s])
                continue;
            snprintf(name, sizeof name, "%s_workforce_caseload_%s",
                     diff ? "difference" : "compare", rf->scenarios[s]);
            if (diff && s == 0) {
                memset(table, 0, sizeof *table * (size_t)rf->M * rf->layer[RUNFILE_WORKFORCE].G * RUNFILE_NSTATS);
                snprintf(data, sizeof data, "%s/data/%s.csv", dir, name);
                rc = write_quantiles(data, rf, table, all, rf->layer[RUNFILE_WORKFORCE].G, err);
            } else {
                rc = workforce_csv(rf, rf->scenarios[s],
                                   diff ? "difference/summary/caseload" : "summary/caseload",
                                   all, table, dir, name, data, sizeof data, err);
            }
            append(files, flen, data);
            append(names, sizeof names, rf->scenarios[s]);
        }
        plot_paths(dir, diff ? "difference_" : "compare_", "workforce_caseload", fmt, final,
                    tmp, sizeof final);
        char sub[1024];
        snprintf(sub, sizeof sub,
                 "run %s: %s%d replicates on the same random numbers; median and P5-P95 (90%% "
                 "interval)",
                 base, diff ? "each scenario minus the baseline in each of " : "", rf->R);
        if (rc == CC_OK)
            rc = compare_chart(files, names, "", final, tmp,
                               diff ? "Caseload per social worker, all teams: difference from "
                                      "the baseline"
                                    : "Caseload per social worker, all teams: scenarios compared",
                               sub,
                               diff ? "difference in weighted cases per available FTE"
                                    : "weighted cases per available FTE (month end)",
                               diff, fmt, err);
    }
    free(files);
    free(table);
    free(cases);
    return rc;
}

/* ---- placement and finance charts ------------------------------------------------ */

/* Refuses (CC_EEXIST) when DIR/NAME.FMT exists and --force was not given. */
int plot_check_free(const char *dir, const char *name, const char *fmt, bool force, cc_err *err)
{
    char final[4200], tmp[4200];
    plot_paths(dir, "", name, fmt, final, tmp, sizeof final);
    if (!force && util_exists(final))
        return cc_fail(err, CC_EEXIST,
                       "%s: exists; use --force to replace the charts (nothing was written)",
                       final);
    return CC_OK;
}

/* Names of the placement and finance charts (without folder and format). */
static int layer_charts(const runfile *rf, char names[][64], int max)
{
    int n = 0;
    const runfile_axis *ax = &rf->layer[RUNFILE_PLACEMENTS];
    for (int g = 0; g < ax->G && n + 2 < max; g++) {
        snprintf(names[n++], 64, "placements_gap_%s", ax->names[g]);
        snprintf(names[n++], 64, "placements_providers_%s", ax->names[g]);
    }
    if (rf->layer[RUNFILE_FINANCE].G > 0 && n + 2 <= max) {
        snprintf(names[n++], 64, "cost_by_year");
        snprintf(names[n++], 64, "cost_breakdown");
    }
    return n;
}

/* Gap fans and in-house / block / spot charts of every capacity-managed need (one with
 * a gap or block beds at some time), and of all needs. */
static int draw_placements(const runfile *rf, const char *scen, const char *dir, const char *fmt,
                           cc_err *err)
{
    const runfile_axis *ax = &rf->layer[RUNFILE_PLACEMENTS];
    size_t n = (size_t)rf->M * ax->G * RUNFILE_NSTATS;
    double *gap = malloc(sizeof *gap * n), *t = malloc(sizeof *t * n);
    int rc = gap && t ? runfile_read_layer(rf, scen, RUNFILE_PLACEMENTS, "summary/gap", gap, err)
                      : cc_fail(err, CC_ENOMEM, "out of memory");
    char subtitle[1024], title[512], final[4200], tmp[4200], data[4300], name[96];
    fan_subtitle(rf, scen, subtitle, sizeof subtitle);
    static const char *const series[3][2] = {
        {"in_house", "in-house"}, {"block", "block-contracted"}, {"external", "spot-purchased"}};
    for (int g = 0; rc == CC_OK && g < ax->G; g++) {
        double most = 0;
        for (int m = 0; m < rf->M; m++)
            most = fmax(most, gap[((size_t)m * ax->G + g) * RUNFILE_NSTATS + 7]);
        if (most == 0 && g < ax->G - 1)
            continue; /* a need whose placements always fit its beds */
        snprintf(name, sizeof name, "placements_gap_%s", ax->names[g]);
        snprintf(data, sizeof data, "%s/data/%s.csv", dir, name);
        rc = write_quantiles(data, rf, gap, g, ax->G, err);
        plot_paths(dir, "", name, fmt, final, tmp, sizeof final);
        snprintf(title, sizeof title,
                 "Sufficiency gap: %s, children placed beyond the in-house and block beds",
                 ax->labels[g]);
        if (rc == CC_OK)
            rc = fan_chart(data, "", final, tmp, title, subtitle,
                           "children beyond own and block beds (month end)", NAN, "", fmt, err);
        size_t flen = 3 * 4400;
        char *files = calloc(flen, 1), names[PLOT_NAMES_MAX] = "";
        if (rc == CC_OK && !files)
            rc = cc_fail(err, CC_ENOMEM, "out of memory");
        for (int k = 0; rc == CC_OK && k < 3; k++) {
            char path[64];
            snprintf(path, sizeof path, "summary/%s", series[k][0]);
            snprintf(data, sizeof data, "%s/data/placements_%s_%s.csv", dir, series[k][0],
                     ax->names[g]);
            rc = runfile_read_layer(rf, scen, RUNFILE_PLACEMENTS, path, t, err);
            if (rc == CC_OK)
                rc = write_quantiles(data, rf, t, g, ax->G, err);
            append(files, flen, data);
            append(names, sizeof names, series[k][1]);
        }
        snprintf(name, sizeof name, "placements_providers_%s", ax->names[g]);
        plot_paths(dir, "", name, fmt, final, tmp, sizeof final);
        snprintf(title, sizeof title, "Placements by provider: %s", ax->labels[g]);
        if (rc == CC_OK)
            rc = compare_chart(files, names, "", final, tmp, title,
                               "in-house and block beds are filled first, then spot purchase; "
                               "median and P5-P95 (90% interval)",
                               "children placed (month end)", false, fmt, err);
        free(files);
    }
    free(gap);
    free(t);
    return rc;
}

/* Cost by financial year (total, P10/P50/P90, budget) and the mean cost by line. */
static int draw_finance(const runfile *rf, const char *scen, const char *dir, const char *fmt,
                        cc_err *err)
{
    const runfile_axis *ax = &rf->layer[RUNFILE_FINANCE];
    int Y = rf->Y, L = ax->G;
    double *t = malloc(sizeof *t * (size_t)Y * L * RUNFILE_NSTATS);
    double *budget = malloc(sizeof *budget * (size_t)Y * L), *p = malloc(sizeof *p * (size_t)Y * L);
    int rc = t && budget && p ? runfile_read_layer(rf, scen, RUNFILE_FINANCE, "year/summary/cost",
                                                   t, err)
                              : cc_fail(err, CC_ENOMEM, "out of memory");
    if (rc == CC_OK)
        rc = runfile_read_budget(rf, scen, budget, p, err);
    char data[4300], final[4200], tmp[4200], title[512], sub[1024], vars[12000];
    snprintf(data, sizeof data, "%s/data/cost_by_year.csv", dir);
    FILE *f = rc == CC_OK ? fopen(data, "w") : NULL;
    if (rc == CC_OK && !f)
        rc = cc_fail(err, CC_EIO, "%s: cannot create", data);
    if (f) {
        fprintf(f, "year,p10,p50,p90,mean,budget\n");
        for (int y = 0; y < Y; y++) {
            const double *q = t + ((size_t)y * L + L - 1) * RUNFILE_NSTATS;
            fprintf(f, "%s%s,%.4f,%.4f,%.4f,%.4f,%.4f\n", rf->years[y],
                    rf->year_months[y] < 12 ? " (part)" : "", q[2] / 1e6, q[4] / 1e6, q[6] / 1e6,
                    q[0] / 1e6, budget[y * L + L - 1] / 1e6);
        }
        if (fclose(f) != 0)
            rc = cc_fail(err, CC_EIO, "%s: writing failed", data);
    }
    char qd[8800], qo[8800], qt[1100], qs[2100];
    if (rc == CC_OK) {
        plot_paths(dir, "", "cost_by_year", fmt, final, tmp, sizeof final);
        snprintf(title, sizeof title, "Cost by financial year, all lines, against the budget");
        snprintf(sub, sizeof sub,
                 "run %s, scenario %s: median and P10-P90 (80%% interval) of %d replicates, "
                 "totalled within each replicate; cash, pounds million",
                 run_name(rf), scen, rf->R);
        plot_quote(qd, sizeof qd, data);
        plot_quote(qo, sizeof qo, tmp);
        plot_quote(qt, sizeof qt, title);
        plot_quote(qs, sizeof qs, sub);
        snprintf(vars, sizeof vars,
                 "datafile='%s'; outfile='%s'; term='%s'; title='%s'; subtitle='%s'", qd, qo, fmt,
                 qt, qs);
        rc = plot_gnuplot("cost.gp", vars, final, tmp, err);
    }
    snprintf(data, sizeof data, "%s/data/cost_breakdown.csv", dir);
    f = rc == CC_OK ? fopen(data, "w") : NULL;
    if (rc == CC_OK && !f)
        rc = cc_fail(err, CC_EIO, "%s: cannot create", data);
    int ncols = 1;
    if (f) {
        bool used[FIN_MAX_LINES] = {false};
        fprintf(f, "year");
        for (int l = 0; l < L - 1; l++) {
            for (int y = 0; y < Y; y++)
                used[l] |= t[((size_t)y * L + l) * RUNFILE_NSTATS] != 0;
            if (used[l]) {
                fprintf(f, ",%s", ax->names[l]);
                ncols++;
            }
        }
        fprintf(f, "\n");
        for (int y = 0; y < Y; y++) {
            fprintf(f, "%s%s", rf->years[y], rf->year_months[y] < 12 ? " (part)" : "");
            for (int l = 0; l < L - 1; l++)
                if (used[l])
                    fprintf(f, ",%.4f", t[((size_t)y * L + l) * RUNFILE_NSTATS] / 1e6);
            fprintf(f, "\n");
        }
        if (fclose(f) != 0)
            rc = cc_fail(err, CC_EIO, "%s: writing failed", data);
    }
    if (rc == CC_OK) {
        plot_paths(dir, "", "cost_breakdown", fmt, final, tmp, sizeof final);
        snprintf(sub, sizeof sub,
                 "run %s, scenario %s: mean of %d replicates by line (means add up to the mean "
                 "total); cash, pounds million",
                 run_name(rf), scen, rf->R);
        plot_quote(qd, sizeof qd, data);
        plot_quote(qo, sizeof qo, tmp);
        plot_quote(qs, sizeof qs, sub);
        snprintf(vars, sizeof vars,
                 "datafile='%s'; outfile='%s'; term='%s'; ncols=%d; title='Cost by line and "
                 "financial year'; subtitle='%s'",
                 qd, qo, fmt, ncols, qs);
        rc = plot_gnuplot("breakdown.gp", vars, final, tmp, err);
    }
    free(t);
    free(budget);
    free(p);
    return rc;
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
    if (backtest_is_file(o.pos[0])) {
        status = cli_make_dir(dir, &err);
        if (status == CC_OK)
            status = backtest_plot(o.pos[0], dir, fmt, cli_text(&o, "geography", NULL), o.force,
                                   &err);
        return cli_report(status, &err);
    }
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
        const char *prefixes[3] = {"", "compare_", "difference_"};
        for (int k = 0; k < (rf->nscen > 1 ? 3 : 1); k++) {
            char final[4200], tmp[4200];
            plot_paths(dir, prefixes[k], rf->cohorts[c], fmt, final, tmp, sizeof final);
            if (status == CC_OK && draw_it[c] && !o.force && util_exists(final))
                status = cc_fail(&err, CC_EEXIST,
                                 "%s: exists; use --force to replace the charts "
                                 "(nothing was written)",
                                 final);
        }
    }
    bool *wf = calloc((size_t)rf->nscen, sizeof *wf);
    int nwf = 0;
    for (int i = 0; wf && i < rf->nscen; i++)
        nwf += wf[i] = runfile_has_layer(rf, rf->scenarios[i], RUNFILE_WORKFORCE);
    if (status == CC_OK && wf && wf[si]) {
        char names[2 * MD_MAX_TEAMS + 8][64];
        int n = workforce_charts(rf, nwf, names, 2 * MD_MAX_TEAMS + 8);
        for (int k = 0; status == CC_OK && k < n; k++)
            status = plot_check_free(dir, names[k], fmt, o.force, &err);
    }
    bool has_pl = runfile_has_layer(rf, scen, RUNFILE_PLACEMENTS);
    bool has_fin = runfile_has_layer(rf, scen, RUNFILE_FINANCE);
    if (status == CC_OK && (has_pl || has_fin)) {
        char names[2 * MD_MAX + 4][64];
        int n = layer_charts(rf, names, 2 * MD_MAX + 4);
        for (int k = 0; status == CC_OK && k < n; k++)
            status = plot_check_free(dir, names[k], fmt, o.force, &err);
    }
    /* compare.gp takes its files as one space-separated list */
    if (status == CC_OK && strchr(dir, ' ') && (rf->nscen > 1 || nwf > 0 || has_pl))
        status = cc_fail(&err, CC_EUSAGE,
                         "plot: %s: comparison and workforce charts cannot be drawn in a "
                         "folder with spaces in its path",
                         dir);
    char datadir[4200];
    snprintf(datadir, sizeof datadir, "%s/data", dir);
    if (status == CC_OK)
        status = cli_make_dir(datadir, &err);
    double *table = malloc(sizeof *table * (size_t)rf->M * rf->C * RUNFILE_NSTATS);
    double *scratch = malloc(sizeof *scratch * (size_t)rf->M * rf->C * RUNFILE_NSTATS);
    if (status == CC_OK && (!table || !scratch || !draw_it))
        status = cc_fail(&err, CC_ENOMEM, "out of memory");
    if (status == CC_OK)
        status = runfile_read_summary(rf, scen, "stock", table, &err);
    for (int c = 0; status == CC_OK && c < rf->C; c++) {
        if (!draw_it[c] || !runfile_cohort_used(rf, table, c))
            continue;
        char hist[4200];
        snprintf(hist, sizeof hist, "%s/data/%s_history.csv", dir, rf->cohorts[c]);
        status = write_history(rf, c, hist, 0, &err);
        if (status == CC_OK)
            status = draw_fan(rf, c, table, scen, dir, fmt, &err);
        if (status == CC_OK && rf->nscen > 1)
            status = draw_compare(rf, c, false, scratch, dir, fmt, &err);
        if (status == CC_OK && rf->nscen > 1)
            status = draw_compare(rf, c, true, scratch, dir, fmt, &err);
    }
    if (status == CC_OK && wf && wf[si])
        status = draw_workforce(rf, scen, wf, dir, fmt, &err);
    if (status == CC_OK && has_pl)
        status = draw_placements(rf, scen, dir, fmt, &err);
    if (status == CC_OK && has_fin)
        status = draw_finance(rf, scen, dir, fmt, &err);
    free(wf);
    free(table);
    free(scratch);
    free(draw_it);
    model_free(m);
    runfile_close(rf);
    return cli_report(status, &err);
}
