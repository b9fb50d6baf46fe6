/* synth.c -- a synthetic history of one large council, from known true parameters.
 *
 * DESIGN. The true model is the table `truth` below: each row is a transition with an
 * annual base rate, a multiplier per age band and one per duration-in-state band of the
 * standard model definition. Hazard per day = base / 365.25 x age[a] x duration[d].
 * New children arrive per child in the population (rates per child-year by age band).
 * The council has about 3,300 children in each year of age (60,000 aged 0-17, like a
 * large London borough), growing 0.5% a year.
 *
 * synth builds that model, runs the simulation kernel once from an empty council for a
 * 30-year burn-in plus the history window, and records every episode that overlaps the
 * window. The episodes are written as the canonical episodes CSV, the population as a
 * CSV, and the true model (with the recorded history) as truth.h5, which `run` reads
 * and `fit` will be tested against. At steady state the council holds about 700-800
 * children in need, 200-250 on protection plans, 280-320 looked after and receives
 * 3,500-4,500 referrals a year (checked in the tests).
 */
#include "synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "date.h"
#include "model.h"
#include "sim.h"
#include "util.h"

#define NA 9 /* age bands of the standard definition: -1,0,1,5,10,16,18,21,25 */
#define ND 7 /* duration bands: 0,14,91,182,365,730,1461 days */

typedef struct truth_row {
    const char *from, *to;
    double per_year;
    const double *age, *dur;
} truth_row;

/* Age profiles (unborn, <1, 1-4, 5-9, 10-15, 16-17, 18-20, 21-24, 25+). */
static const double A_CHILD[NA] = {1, 1, 1, 1, 1, 1, 0, 0, 0};
static const double A_BORN[NA] = {0, 1, 1, 1, 1, 1, 0, 0, 0};
static const double A_INFANT[NA] = {0, 1.5, 1, 0.2, 0, 0, 0, 0, 0};
static const double A_OLDER[NA] = {0, 0, 0, 0.3, 1, 1.5, 0, 0, 0};
static const double A_TEEN[NA] = {0, 0, 0, 0, 1, 1.2, 0, 0, 0};
static const double A_16[NA] = {0, 0, 0, 0, 0, 1, 0, 0, 0};
static const double A_FOSTER[NA] = {0, 1.3, 1.1, 1, 0.9, 0.6, 0, 0, 0};
static const double A_LEAVER[NA] = {0, 0, 0, 0, 0, 0, 1, 3, 3};

/* Duration profiles (0-13 days, 14-90, 91-181, 182-364, 1-2 years, 2-4 years, 4+). */
static const double D_FLAT[ND] = {1, 1, 1, 1, 1, 1, 1};
static const double D_REF[ND] = {0.5, 1.3, 1.6, 1.6, 1.6, 1.6, 1.6};
static const double D_CIN[ND] = {0.4, 0.6, 1.1, 1.3, 1.2, 1, 1};
static const double D_CP[ND] = {0.2, 0.4, 1.1, 1.5, 2, 2.5, 2.5};
static const double D_HOME[ND] = {9, 1.6, 1.1, 0.8, 0.55, 0.35, 0.25};
static const double D_MOVE[ND] = {0.6, 1.2, 1.1, 1, 0.8, 0.6, 0.5};
static const double D_ORDER[ND] = {0, 0.2, 0.6, 1.2, 1.5, 1, 0.6};
static const double D_ADOPT[ND] = {0, 0.1, 0.6, 1.5, 1.6, 1, 0.6};
static const double D_REREF[ND] = {2.2, 1.5, 1, 0.8, 0.6, 0.4, 0.4};

static const truth_row truth[] = {
    /* referral or assessment: mostly closed, a third to CIN, a few to CP or care */
    {"REF", "nfa", 5.2, A_CHILD, D_REF},
    {"REF", "CIN", 2.6, A_CHILD, D_REF},
    {"REF", "CP", 0.6, A_CHILD, D_REF},
    {"REF", "CLA_FOS", 0.125, A_FOSTER, D_REF},
    {"REF", "CLA_KIN", 0.055, A_BORN, D_REF},
    {"REF", "CLA_RES", 0.03, A_TEEN, D_REF},
    {"REF", "CLA_SUP", 0.06, A_16, D_REF},
    {"REF", "CLA_PWP", 0.01, A_BORN, D_REF},
    {"REF", "CLA_OTH", 0.006, A_TEEN, D_REF},
    /* child in need */
    {"CIN", "case_closed", 1.75, A_CHILD, D_CIN},
    {"CIN", "CP", 0.12, A_CHILD, D_CIN},
    {"CIN", "CLA_FOS", 0.025, A_FOSTER, D_CIN},
    {"CIN", "CLA_KIN", 0.012, A_BORN, D_CIN},
    {"CIN", "CLA_RES", 0.008, A_OLDER, D_CIN},
    /* child protection */
    {"CP", "CIN", 1.1, A_CHILD, D_CP},
    {"CP", "case_closed", 0.4, A_CHILD, D_CP},
    {"CP", "CLA_FOS", 0.135, A_FOSTER, D_CP},
    {"CP", "CLA_KIN", 0.06, A_BORN, D_CP},
    {"CP", "CLA_PWP", 0.02, A_BORN, D_CP},
    {"CP", "CLA_RES", 0.015, A_OLDER, D_CP},
    /* looked after: leaving care (short stays return home quickly, long stays rarely) */
    {"CLA_FOS", "returned_home", 0.34, A_CHILD, D_HOME},
    {"CLA_KIN", "returned_home", 0.3, A_CHILD, D_HOME},
    {"CLA_RES", "returned_home", 0.3, A_CHILD, D_HOME},
    {"CLA_SUP", "returned_home", 0.12, A_CHILD, D_HOME},
    {"CLA_PWP", "returned_home", 0.9, A_CHILD, D_ORDER},
    {"CLA_OTH", "returned_home", 0.5, A_CHILD, D_HOME},
    {"CLA_KIN", "sgo", 0.3, A_BORN, D_ORDER},
    {"CLA_FOS", "sgo", 0.04, A_BORN, D_ORDER},
    {"CLA_KIN", "cao", 0.05, A_BORN, D_ORDER},
    {"CLA_ADO", "adopted", 1.1, A_BORN, D_ADOPT},
    {"CLA_SUP", "independent", 0.2, A_16, D_FLAT},
    {"CLA_FOS", "other", 0.02, A_CHILD, D_FLAT},
    {"CLA_RES", "other", 0.08, A_CHILD, D_FLAT},
    {"CLA_OTH", "other", 0.4, A_CHILD, D_FLAT},
    /* looked after: placement moves */
    {"CLA_FOS", "CLA_ADO", 0.55, A_INFANT, D_ADOPT},
    {"CLA_KIN", "CLA_ADO", 0.1, A_INFANT, D_ADOPT},
    {"CLA_FOS", "CLA_RES", 0.07, A_OLDER, D_MOVE},
    {"CLA_FOS", "CLA_SUP", 0.45, A_16, D_MOVE},
    {"CLA_FOS", "CLA_KIN", 0.04, A_CHILD, D_MOVE},
    {"CLA_KIN", "CLA_FOS", 0.06, A_CHILD, D_MOVE},
    {"CLA_RES", "CLA_FOS", 0.12, A_CHILD, D_MOVE},
    {"CLA_RES", "CLA_SUP", 0.5, A_16, D_MOVE},
    {"CLA_RES", "CLA_OTH", 0.03, A_TEEN, D_MOVE},
    {"CLA_OTH", "CLA_RES", 0.6, A_CHILD, D_MOVE},
    {"CLA_PWP", "CLA_FOS", 0.08, A_CHILD, D_MOVE},
    {"CLA_ADO", "CLA_FOS", 0.05, A_CHILD, D_MOVE},
    /* care leavers: support ends, more often after 21 */
    {"CL", "support_ended", 0.12, A_LEAVER, D_FLAT},
    /* recently closed: re-referral, most likely soon after closure */
    {"CLOSED", "REF", 0.17, A_CHILD, D_REREF},
};

/* New children per child-year by age band, into REF (referrals) and, for 16-17 year
 * olds arriving unaccompanied, straight into care. */
static const double ENTRY_REF[NA] = {0.038, 0.072, 0.047, 0.043, 0.048, 0.043, 0, 0, 0};
static const double ENTRY_UASC[NA] = {0, 0, 0, 0, 0, 0.0012, 0, 0, 0};

#define CHILDREN_PER_AGE 3300.0
#define GROWTH           0.005
#define BURN_IN_YEARS    30

static int lookup_target(const modeldef *d, const char *name)
{
    int s = modeldef_state_index(d, name);
    if (s >= 0)
        return s;
    int e = modeldef_exit_index(d, name);
    return e >= 0 ? d->nstates + e : -1;
}

/* Builds the true model over the standard definition. */
static model *truth_model(modeldef *def, double scale, int year0, int nyears, cc_err *err,
                          int *status)
{
    if (def->nage != NA || def->ndur != ND) {
        *status = cc_fail(err, CC_EINPUT,
                          "synth needs the standard definition's %d age and "
                          "%d duration bands (found %d and %d)",
                          NA, ND, def->nage, def->ndur);
        modeldef_free(def);
        return NULL;
    }
    int nrows = (int)(sizeof truth / sizeof truth[0]);
    model *m = model_alloc(def, nrows);
    if (!m) {
        modeldef_free(def);
        *status = cc_fail(err, CC_ENOMEM, "out of memory");
        return NULL;
    }
    for (int i = 0; i < nrows; i++) {
        int from = modeldef_state_index(def, truth[i].from);
        int to = lookup_target(def, truth[i].to);
        if (from < 0 || to < 0) {
            *status = cc_fail(err, CC_EINPUT,
                              "synth: the model definition has no '%s' or "
                              "'%s' (synth needs the standard states)",
                              truth[i].from, truth[i].to);
            model_free(m);
            return NULL;
        }
        int k = model_transition(m, from, to);
        double *rate = model_rate(m, k);
        for (int a = 0; a < NA; a++)
            for (int d = 0; d < ND; d++)
                rate[a * ND + d] = truth[i].per_year / 365.25 * truth[i].age[a] * truth[i].dur[d];
    }
    int ref = modeldef_state_index(def, "REF"), sup = modeldef_state_index(def, "CLA_SUP");
    for (int a = 0; a < NA; a++) {
        m->entry[ref * NA + a] = ENTRY_REF[a] / 365.25;
        m->entry[sup * NA + a] = ENTRY_UASC[a] / 365.25;
    }
    double *pop = malloc(sizeof *pop * (size_t)nyears * MODEL_POP_AGES);
    if (!pop) {
        model_free(m);
        *status = cc_fail(err, CC_ENOMEM, "out of memory");
        return NULL;
    }
    for (int y = 0; y < nyears; y++)
        for (int a = 0; a < MODEL_POP_AGES; a++)
            pop[y * MODEL_POP_AGES + a] =
                round(scale * CHILDREN_PER_AGE * pow(1 + GROWTH, year0 + y - 2015));
    model_set_population(m, year0, nyears, pop);
    free(pop);
    *status = CC_OK;
    return m;
}

/* ---- recording episodes ----------------------------------------------------------- */

typedef struct recorder {
    const modeldef *def;
    int window_start, extract; /* record episodes overlapping [window_start, extract] */
    model_episode *ep;
    int64_t n, cap;
    uint64_t key; /* child being followed */
    int64_t id;   /* its identifier in the history (0 = none yet) */
    int64_t next_id;
    int dob, state;
    double since;
    bool failed;
} recorder;

static void record(recorder *r, int end_day, int reason)
{
    if (r->state < 0 || !r->def->states[r->state].in_history)
        return;
    int start = (int)floor(r->since);
    if (end_day != MODEL_OPEN_END && end_day < r->window_start)
        return;
    if (start > r->extract)
        return;
    if (r->n == r->cap) {
        int64_t cap = r->cap ? 2 * r->cap : 65536;
        model_episode *grown = realloc(r->ep, sizeof *grown * (size_t)cap);
        if (!grown) {
            r->failed = true;
            return;
        }
        r->ep = grown;
        r->cap = cap;
    }
    if (r->id == 0)
        r->id = r->next_id++;
    model_episode *e = &r->ep[r->n++];
    e->child = r->id;
    e->dob = r->dob;
    e->start = start;
    e->end = end_day;
    e->state = (int16_t)r->state;
    e->reason = (int16_t)reason;
}

static void observe(void *ctx, const sim_event *ev)
{
    recorder *r = ctx;
    if (ev->from < 0) { /* a new child: close the previous one's open stay */
        record(r, MODEL_OPEN_END, MODEL_REASON_OPEN);
        r->key = ev->child;
        r->id = 0;
        r->dob = ev->dob;
        r->state = ev->then;
        r->since = ev->time;
        return;
    }
    if (ev->target < 0) /* still there at the extract date: recorded as open */
        return;
    int S = r->def->nstates;
    int reason = ev->target < S ? MODEL_REASON_MOVE : ev->target - S;
    record(r, (int)floor(ev->time), reason);
    r->state = ev->then;
    r->since = ev->time;
}

/* ---- output files ----------------------------------------------------------------- */

/* Writes the canonical episodes CSV (format in README.md) to f. */
static void episodes_rows(FILE *f, const model *m)
{
    fprintf(f, "child_id,date_of_birth,state,start_date,end_date,end_reason\n");
    const modeldef *d = m->def;
    for (int64_t i = 0; i < m->nepisodes; i++) {
        const model_episode *e = &m->episodes[i];
        char dob[11], start[11], end[11] = "";
        date_format(e->dob, dob);
        date_format(e->start, start);
        if (e->end != MODEL_OPEN_END)
            date_format(e->end, end);
        const char *reason = e->reason == MODEL_REASON_OPEN   ? ""
                             : e->reason == MODEL_REASON_MOVE ? "moved"
                                                              : d->exits[e->reason].name;
        fprintf(f, "%lld,%s,%s,%s,%s,%s\n", (long long)e->child, dob, d->states[e->state].name,
                start, end, reason);
    }
}

/* Writes the population CSV (year,age,children) to f. */
static void population_rows(FILE *f, const model *m)
{
    fprintf(f, "year,age,children\n");
    for (int y = 0; y < m->pop_nyears; y++)
        for (int a = 0; a < MODEL_POP_AGES; a++)
            fprintf(f, "%d,%d,%.0f\n", m->pop_year0 + y, a, m->population[y * MODEL_POP_AGES + a]);
}

/* Writes a CSV under a temporary name with `rows` and renames it into place. */
static int write_csv(const char *path, void (*rows)(FILE *, const model *), const model *m,
                     cc_err *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return cc_fail(err, CC_EIO, "%s: cannot create", tmp);
    rows(f, m);
    if (ferror(f) | (fclose(f) != 0) || rename(tmp, path) != 0) {
        remove(tmp);
        return cc_fail(err, CC_EIO, "%s: writing failed", path);
    }
    return CC_OK;
}

/* Simulates the council and fills the model's history. */
static int simulate(model *m, uint64_t seed, int window_start, int extract, cc_err *err)
{
    int status;
    int start = date_month_start(window_start, -12 * BURN_IN_YEARS);
    int months = 0;
    while (date_month_start(start, months) <= extract)
        months++;
    sim_setup *s = sim_setup_alloc(m, start, months, seed, err, &status);
    if (!s)
        return status;
    sim_work *w = sim_work_alloc(s);
    sim_ledger *led = sim_ledger_alloc(s);
    recorder r = {m->def, window_start, extract, NULL, 0, 0, 0, 0, 100001, 0, -1, 0, false};
    status = CC_OK;
    if (!w || !led) {
        status = cc_fail(err, CC_ENOMEM, "out of memory simulating the council");
    } else {
        sim_work_observe(w, observe, &r);
        sim_replicate(s, w, 0, led);
        record(&r, MODEL_OPEN_END, MODEL_REASON_OPEN);
        if (r.failed)
            status = cc_fail(err, CC_ENOMEM, "out of memory recording episodes");
    }
    /* Stays cut by the horizon are open at the extract date. */
    for (int64_t i = 0; i < r.n; i++)
        if (r.ep[i].end > extract) {
            r.ep[i].end = MODEL_OPEN_END;
            r.ep[i].reason = MODEL_REASON_OPEN;
        }
    if (status == CC_OK) {
        model_set_history(m, r.ep, r.n, extract);
        m->history_start = window_start;
    } else
        free(r.ep);
    sim_ledger_free(led);
    sim_work_free(w);
    sim_setup_free(s);
    return status;
}

const cli_spec synth_options[] = {
    {"out", CLI_TEXT, "DIR", "folder to write episodes.csv, population.csv and truth.h5"},
    {"seed", CLI_LONG, "N", "random seed (default 1)"},
    {"scale", CLI_DOUBLE, "F", "population multiplier (default 1: about 60,000 children)"},
    {"history-years", CLI_LONG, "N", "years of recorded history (default 10)"},
    {"extract", CLI_DATE, "DATE", "last day of the history (default 2025-03-31)"},
    {"definition", CLI_TEXT, "FILE", "model definition (default models/standard.ini)"},
    {"force", CLI_FLAG, NULL, "replace existing output files"},
    {NULL, 0, NULL, NULL}};

int synth_main(int argc, char **argv)
{
    cli_opts o;
    cc_err err = {{0}, 0};
    int status = cli_parse(argc, argv, synth_options, &o, &err);
    if (status != CC_OK)
        return cli_report(status, &err);
    const char *out = cli_text(&o, "out", NULL);
    long seed = cli_long(&o, "seed", 1);
    double scale = cli_double(&o, "scale", 1.0);
    long years = cli_long(&o, "history-years", 10);
    int extract = cli_date(&o, "extract", date_from_ymd(2025, 3, 31));
    if (!out)
        status = cc_fail(&err, CC_EUSAGE, "synth: --out DIR is required");
    else if (seed < 0)
        status = cc_fail(&err, CC_EUSAGE, "synth: --seed %ld: expected an integer >= 0", seed);
    else if (!(scale > 0 && scale <= 1000))
        status =
            cc_fail(&err, CC_EUSAGE, "synth: --scale %g: expected a number in (0, 1000]", scale);
    else if (years < 1 || years > 40)
        status = cc_fail(&err, CC_EUSAGE, "synth: --history-years %ld: expected 1 to 40", years);
    if (status != CC_OK)
        return cli_report(status, &err);

    char paths[3][4200];
    static const char *names[3] = {"episodes.csv", "population.csv", "truth.h5"};
    for (int i = 0; i < 3; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", out, names[i]);
        if (!o.force && util_exists(paths[i]))
            status = cc_fail(&err, CC_EEXIST,
                             "%s: output exists; use --force to replace it "
                             "(nothing was written)",
                             paths[i]);
    }
    if (status == CC_OK && cli_make_dir(out, &err) != CC_OK)
        status = CC_EIO;
    if (status != CC_OK)
        return cli_report(status, &err);

    modeldef *def =
        modeldef_alloc(cli_text(&o, "definition", cli_default_definition()), &err, &status);
    if (!def)
        return cli_report(status, &err);
    int y_extract, mm, dd;
    date_to_ymd(extract, &y_extract, &mm, &dd);
    int window_start = date_add_years(extract + 1, -(int)years);
    int year0 = y_extract - (int)years - BURN_IN_YEARS - 1;
    model *m = truth_model(def, scale, year0, (int)years + BURN_IN_YEARS + 20, &err, &status);
    if (!m)
        return cli_report(status, &err);
    status = simulate(m, (uint64_t)seed, window_start, extract, &err);
    char from[11], to[11];
    date_format(window_start, from);
    date_format(extract, to);
    snprintf(m->source, sizeof m->source,
             "carecast synth --seed %ld --scale %g: true parameters "
             "of the synthetic council; history %s to %s",
             seed, scale, from, to);
    if (status == CC_OK)
        status = write_csv(paths[0], episodes_rows, m, &err);
    if (status == CC_OK)
        status = write_csv(paths[1], population_rows, m, &err);
    if (status == CC_OK)
        status = model_write(m, paths[2], true, &err);
    if (status == CC_OK)
        fprintf(stderr,
                "synth: %lld episodes of %s to %s written to %s (episodes.csv, "
                "population.csv, truth.h5)\n",
                (long long)m->nepisodes, from, to, out);
    model_free(m);
    return status == CC_OK ? CC_OK : cli_report(status, &err);
}
