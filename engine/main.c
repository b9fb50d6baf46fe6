/* main.c -- the carecast command line: a table of commands and the dispatch.
 *
 * Each command lives in its own module (synth.c, run.c, plot.c, info.c) and exports
 * an option table and a main function; this file only routes argv to it, prints help,
 * and turns the returned status into the exit status (0 ok, 1 failure, 2 usage/input).
 * Commands planned but not yet built are listed so `help` shows the whole workflow.
 */
#include <stdio.h>
#include <string.h>

#include "backtest.h"
#include "cli.h"
#include "error.h"
#include "fit.h"
#include "h5io.h"
#include "info.h"
#include "plot.h"
#include "report.h"
#include "run.h"
#include "scenario.h"
#include "synth.h"
#include "util.h"
#include "version.h"

static const cli_command commands[] = {
    {"synth", "synth --out DIR [--seed N] [--scale F] [--history-years N] [--force]",
     "Writes a synthetic council's history (episodes.csv, population.csv) and its true "
     "model (truth.h5), from the documented true parameters in engine/synth.c.",
     synth_options, synth_main},
    {"run",
     "run --model MODEL.h5 [BASELINE.ini [SCENARIO.ini...]] --out RUN.h5 [--replicates N] "
     "[--threads N] [--seed S] [--start YYYY-MM-DD] [--horizon MONTHS] [--fixed-parameters] "
     "[--force]",
     "Projects the children open on the start date and new arrivals, month by month, in "
     "N Monte Carlo replicates run in parallel, and writes every replicate and the "
     "quantile summaries to an HDF5 run file. Scenario files (carecast help scenario) are "
     "run on the same random numbers as the first, the baseline, and the run file keeps "
     "each scenario's per-replicate difference from it.",
     run_options, run_main},
    {"plot",
     "plot RUN.h5|BACKTEST.h5 --out DIR [--format png|svg|pdf] [--scenario NAME] "
     "[--geography NAME] [--force]",
     "Draws a fan chart per cohort (REF, CIN, CP, CLA and each placement need, CL): "
     "observed history, median, P25-P75 and P5-P95 bands; with several scenarios also a "
     "comparison chart (each scenario's median and 90% band) and a difference-from-"
     "baseline chart per cohort. Runs with a workforce add caseload, FTE and agency "
     "charts; runs with placements the sufficiency gap and placements by provider per "
     "need, and with unit costs the cost by financial year against the budget and the "
     "cost by line. A backtest file gets the spread of forecast errors across councils by "
     "horizon, and each origin's forecast against the published (or recorded) series for "
     "--geography.",
     plot_options, plot_main},
    {"info", "info FILE.h5 [--csv [--difference] [--measure NAME]]",
     "Shows a run file's provenance and the median and 90% interval of each cohort at "
     "12, 24, 36 and 60 months (or a model file's contents); --csv prints every summary as "
     "scenario,date,cohort,mean,p5,p10,p25,p50,p75,p90,p95.",
     info_options, info_main},
    {"fit",
     "fit --episodes FILE | --ssda903 DIR [--population FILE] --window START:END --out "
     "MODEL.h5 [--extract DATE] [--prior-events K] [--entry-trend] [--entry-seasonality] "
     "[--force]",
     "Estimates a model from a council's records: hazards by age and duration band as "
     "events over person-days in the window (shrunk toward each transition's pooled rate, "
     "with Gamma posteriors), entry rates per child by Poisson regression, and a check of "
     "fitted against observed stock.",
     fit_options, fit_main},
    {"check", "check FILE|DIR... [--definition FILE] [--extract DATE] [--max-problems N]",
     "Validates episodes, SSDA903 and population files without fitting and lists every "
     "problem with its file, line and column; exit status 2 if any is an error.",
     check_options, check_main},
    {"report", "report RUN.h5 --out DIR [--force]",
     "Writes CSV tables for a spreadsheet: cost by financial year and line (mean, P10, P50, "
     "P90, budget, probability of overspending, difference from the baseline), placement "
     "sufficiency by need and year, cohorts on each 31 March and, with a workforce, the "
     "workforce by team and year.",
     report_options, report_main},
    {"backtest",
     "backtest (DATA... | --episodes FILE | --ssda903 DIR) --out FILE.h5 [--geography "
     "NAME|all] [--origins FIRST:LAST] [--horizons N] [--replicates N] [--seed S] "
     "[--threads N] [--csv FILE] [--cases FILE] [--force]",
     "Reads the DfE's published statistics (files or folders of CSVs), and for every "
     "council and origin year fits the aggregate model on the data up to the origin, "
     "projects it and compares the projection with what was published 1 to N years later: "
     "absolute percentage error, bias and interval coverage for CLA, CIN and CP at 31 March "
     "and their starts, against two naive forecasts (last value; 3-year linear trend). "
     "Given a council's records instead (--episodes, --ssda903, --population), cuts them "
     "at each origin, fits and runs the model as `fit` and `run` do, and scores every "
     "recorded state, looked-after children and starts in care against the records.",
     backtest_options, backtest_main},
};
#define NCOMMANDS ((int)(sizeof commands / sizeof commands[0]))

static void overview(FILE *f)
{
    fprintf(f,
            "carecast %s -- demand forecasting for children's social care\n\n"
            "usage: carecast COMMAND [options]\n\ncommands:\n",
            CARECAST_VERSION);
    for (int i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-9s %s%s\n", commands[i].name, commands[i].main ? "" : "(planned) ",
                commands[i].synopsis);
    fprintf(f, "\n'carecast help COMMAND' or 'carecast COMMAND --help' describes a command;\n"
               "'carecast help scenario' lists every key of a scenario file.\n"
               "Exit status: 0 success, 1 failure while running, 2 usage or input error.\n");
}

static const cli_command *lookup(const char *name)
{
    for (int i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

static int unknown(const char *name)
{
    const char *names[NCOMMANDS];
    for (int i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    fprintf(stderr,
            "carecast: unknown command '%s'; did you mean '%s'? (carecast help lists "
            "them)\n",
            name, names[util_nearest(name, names, NCOMMANDS)]);
    return 2;
}

int main(int argc, char **argv)
{
    cc_install_gsl_handler();
    h5io_init();
    cli_set_command_line(argc, argv);
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        overview(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("carecast %s (revision %s)\n", CARECAST_VERSION, CARECAST_REVISION);
        return 0;
    }
    if (!strcmp(argv[1], "help")) {
        if (argc < 3) {
            overview(stdout);
            return 0;
        }
        if (!strcmp(argv[2], "scenario")) {
            scenario_help(stdout);
            return 0;
        }
        const cli_command *c = lookup(argv[2]);
        if (!c)
            return unknown(argv[2]);
        cli_usage(stdout, c);
        return 0;
    }
    const cli_command *c = lookup(argv[1]);
    if (!c)
        return unknown(argv[1]);
    for (int i = 2; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            cli_usage(stdout, c);
            return 0;
        }
    if (!c->main) {
        fprintf(stderr, "carecast: '%s' is planned but not available in this version\n", c->name);
        return 2;
    }
    return cc_exit_status(c->main(argc - 1, argv + 1));
}
