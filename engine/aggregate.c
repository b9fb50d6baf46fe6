/* aggregate.c -- reading the DfE's published tables (see aggregate.h).
 *
 * Each file's layout is recognised from its header: a long file has geography, year,
 * measure and value; an "Explore education statistics" file has time_period and
 * geographic_level; a wide SFR table has geog_l, geog_c and geog_n. The measure columns
 * of each layout are found through the tables below, so a renamed column is one line
 * here. Every value goes through one parser that tells numbers from suppression codes.
 */
#include "aggregate.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "csvfile.h"
#include "util.h"

#define NATIONAL_CODE "E92000001"

static const char *const measure_names[AGG_NMEASURES] = {
    "cla_at_31_march", "cla_started_in_year", "cla_ceased_in_year",
    "cin_at_31_march", "cin_episodes_started", "cpp_at_31_march",
    "cpp_started_in_year", "referrals", "population_0_17_used_by_dfe"};

static const char *const code_names[AGG_NCODES] = {"x", "c", "z", "u", ":", "..", "low", "blank"};

/* Long-format measure names that are read; `shift` moves a mid-year population to the
 * year ending 31 March that uses it. */
static const struct {
    const char *name;
    agg_measure m;
    int shift;
} long_names[] = {
    {"ons_mye_population_0_17_mid_year", AGG_POPULATION, 1},
};

/* Columns of "Explore education statistics" files holding one measure each. */
static const struct {
    const char *column;
    agg_measure m;
} ees_columns[] = {
    {"At31_episodes", AGG_CIN_STOCK},     {"Started_episodes", AGG_CIN_STARTED},
    {"CPP_At31", AGG_CP_STOCK},           {"CPP_start", AGG_CP_STARTED},
    {"referral_count", AGG_REFERRALS},    {"population_estimate", AGG_POPULATION},
};

/* Labels in the population_count column of the CLA tables (matched as substrings). */
static const struct {
    const char *label;
    agg_measure m;
} ees_labels[] = {
    {"looked after at 31 March", AGG_CLA_STOCK},
    {"starting to be looked after", AGG_CLA_STARTED},
    {"ceasing to be looked after", AGG_CLA_CEASED},
};

/* Column-name prefixes of the wide SFR tables; a prefix is followed by nothing or by a
 * four-digit year (CLA_Mar2016), except where `year_inside` says the year sits between
 * prefix and suffix (Mid2009Pop0-17, a mid-year population). */
static const struct {
    const char *prefix, *suffix;
    agg_measure m;
    int shift;
} wide_columns[] = {
    {"CLA_Mar", "", AGG_CLA_STOCK, 0},        {"MarTotal_", "", AGG_CLA_STOCK, 0},
    {"CLA_started", "", AGG_CLA_STARTED, 0},  {"StartTotal_", "", AGG_CLA_STARTED, 0},
    {"CLA_cease", "", AGG_CLA_CEASED, 0},     {"CeasedTotal_", "", AGG_CLA_CEASED, 0},
    {"Mid", "Pop0-17", AGG_POPULATION, 1},
};

aggdata *aggdata_alloc(void)
{
    return calloc(1, sizeof(aggdata));
}

void aggdata_free(aggdata *a)
{
    if (!a)
        return;
    free(a->geo);
    free(a->value);
    free(a);
}

const char *aggdata_measure_name(agg_measure m)
{
    return m >= 0 && m < AGG_NMEASURES ? measure_names[m] : "?";
}

const char *aggdata_code_name(int code)
{
    return code >= 0 && code < AGG_NCODES ? code_names[code] : "?";
}

static size_t cell(int g, agg_measure m, int year)
{
    return ((size_t)g * AGG_NMEASURES + (size_t)m) * AGG_NYEARS + (size_t)(year - AGG_YEAR0);
}

double aggdata_get(const aggdata *a, int g, agg_measure m, int year)
{
    if (g < 0 || g >= a->ngeo || year < AGG_YEAR0 || year >= AGG_YEAR0 + AGG_NYEARS)
        return NAN;
    return a->value[cell(g, m, year)];
}

/* Lower-case letters and digits only, "&" read as "and": "Bristol, City of" and
 * "bristol city of" are the same council. */
static void normalise(const char *name, char *out, size_t size)
{
    size_t n = 0;
    for (; *name && n + 4 < size; name++) {
        if (*name == '&') {
            memcpy(out + n, "and", 3);
            n += 3;
        } else if (isalnum((unsigned char)*name))
            out[n++] = (char)tolower((unsigned char)*name);
    }
    out[n] = '\0';
}

int aggdata_find(const aggdata *a, const char *code_or_name)
{
    for (int g = 0; g < a->ngeo; g++)
        if (!strcasecmp(a->geo[g].code, code_or_name))
            return g;
    char want[128], have[128];
    normalise(code_or_name, want, sizeof want);
    for (int g = 0; g < a->ngeo; g++) {
        normalise(a->geo[g].name, have, sizeof have);
        if (!strcmp(want, have))
            return g;
    }
    return -1;
}

/* The geography with this code, added if new (NULL name keeps the present one). */
static int geography(aggdata *a, const char *code, const char *name, agg_level level, int year)
{
    int g = 0;
    while (g < a->ngeo && strcmp(a->geo[g].code, code))
        g++;
    if (g == a->ngeo) {
        if (a->ngeo == a->cap) {
            int cap = a->cap ? 2 * a->cap : 256;
            agg_geo *geo = realloc(a->geo, (size_t)cap * sizeof *geo);
            if (geo)
                a->geo = geo;
            double *v = realloc(a->value, (size_t)cap * AGG_NMEASURES * AGG_NYEARS * sizeof *v);
            if (v)
                a->value = v;
            if (!geo || !v)
                return -1;
            a->cap = cap;
        }
        memset(&a->geo[g], 0, sizeof a->geo[g]);
        util_copy(a->geo[g].code, code, sizeof a->geo[g].code);
        a->geo[g].level = level;
        a->geo[g].name_year = -1;
        for (size_t k = 0; k < (size_t)AGG_NMEASURES * AGG_NYEARS; k++)
            a->value[(size_t)g * AGG_NMEASURES * AGG_NYEARS + k] = NAN;
        a->ngeo++;
    }
    if (name && *name && year >= a->geo[g].name_year) {
        char buf[96];
        util_copy(buf, name, sizeof buf);
        util_copy(a->geo[g].name, util_trim(buf), sizeof a->geo[g].name);
        a->geo[g].name_year = year;
    }
    return g;
}

/* Parses one published value: a non-negative number (stored), or a suppression code
 * (counted, left missing). Anything else is an error naming file, line and column. */
static void store(aggdata *a, csvfile *f, int col, int g, agg_measure m, int year, problems *p)
{
    char buf[64];
    util_copy(buf, csvfile_field(f, col), sizeof buf);
    const char *text = util_trim(buf);
    for (int c = 0; c < AGG_NCODES; c++)
        if (c != AGG_CODE_BLANK && !strcasecmp(text, code_names[c])) {
            a->suppressed[c]++;
            return;
        }
    if (!*text) {
        a->suppressed[AGG_CODE_BLANK]++;
        return;
    }
    double v;
    if (!util_parse_double(text, &v) || !isfinite(v) || v < 0) {
        char colname[80];
        snprintf(colname, sizeof colname, "%d", col + 1);
        problems_add(p, PROBLEM_ERROR, csvfile_path(f), csvfile_line(f), colname,
                     "value '%s' (%s, %d): expected a number of children (0 or more) or a "
                     "suppression code (x, c, z, u, :, .., low)",
                     text, measure_names[m], year);
        return;
    }
    if (g < 0 || year < AGG_YEAR0 || year >= AGG_YEAR0 + AGG_NYEARS)
        return;
    double *slot = &a->value[cell(g, m, year)];
    if (!isnan(*slot))
        a->replaced++;
    *slot = v;
    a->values++;
}

/* The geography of an EES row: England or a council (by old LA code); -1 for a region
 * or another level (counted), -2 on a row without a code (an error). */
static int ees_geography(aggdata *a, csvfile *f, const int *cols, int year, problems *p)
{
    const char *level = csvfile_field(f, cols[0]);
    if (!strcasecmp(level, "National"))
        return geography(a, NATIONAL_CODE, "England", AGG_NATIONAL, year);
    if (strcasecmp(level, "Local authority")) {
        a->skipped_regions++;
        return -1;
    }
    char code[16];
    util_copy(code, csvfile_field(f, cols[1]), sizeof code);
    if (!*util_trim(code)) {
        problems_add(p, PROBLEM_ERROR, csvfile_path(f), csvfile_line(f), "old_la_code",
                     "a local authority row without an LA code");
        return -2;
    }
    return geography(a, util_trim(code), csvfile_field(f, cols[2]), AGG_LA, year);
}

static bool parse_year(csvfile *f, int col, int shift, int *year, problems *p)
{
    long y;
    const char *text = csvfile_field(f, col);
    bool ok = util_parse_long(text, &y);
    /* A financial-year period is written 201920: the year ending 31 March 2020. */
    if (ok && y >= 190000 && y < 210000)
        y = y / 100 + 1;
    if (!ok || y < 1900 || y > 2100) {
        problems_add(p, PROBLEM_ERROR, csvfile_path(f), csvfile_line(f), "year",
                     "'%s': expected a year such as 2024 (the year ending 31 March)", text);
        return false;
    }
    *year = (int)y + shift;
    return true;
}

static void read_ees(aggdata *a, csvfile *f, problems *p)
{
    int geo_cols[3] = {csvfile_column(f, "geographic_level"), csvfile_column(f, "old_la_code"),
                       csvfile_column(f, "la_name")};
    int year_col = csvfile_column(f, "time_period");
    int label_col = csvfile_column(f, "population_count"), number_col = csvfile_column(f, "number");
    bool labelled = label_col >= 0 && number_col >= 0;
    /* A population file (one with age_group) holds mid-year estimates: filed a year on. */
    int shift = csvfile_column(f, "age_group") >= 0 ? 1 : 0;
    int ncols = 0, cols[8];
    agg_measure ms[8];
    for (size_t k = 0; !labelled && k < sizeof ees_columns / sizeof ees_columns[0]; k++) {
        int c = csvfile_column(f, ees_columns[k].column);
        if (c >= 0) {
            cols[ncols] = c;
            ms[ncols++] = ees_columns[k].m;
        }
    }
    if (!labelled && ncols == 0) {
        problems_add(p, PROBLEM_ERROR, csvfile_path(f), 1, NULL,
                     "no column of a measure carecast reads (expected one of At31_episodes, "
                     "Started_episodes, CPP_At31, CPP_start, referral_count, "
                     "population_estimate, or population_count with number)");
        return;
    }
    int r;
    while ((r = csvfile_next(f, p)) == 1) {
        int year;
        if (!parse_year(f, year_col, 0, &year, p))
            continue;
        int g = ees_geography(a, f, geo_cols, year, p);
        if (g < 0)
            continue;
        if (labelled) {
            const char *label = csvfile_field(f, label_col);
            for (size_t k = 0; k < sizeof ees_labels / sizeof ees_labels[0]; k++)
                if (strcasestr(label, ees_labels[k].label))
                    store(a, f, number_col, g, ees_labels[k].m, year, p);
        } else {
            for (int k = 0; k < ncols; k++)
                store(a, f, cols[k], g, ms[k], year + (ms[k] == AGG_POPULATION ? shift : 0), p);
        }
    }
}

/* The year a wide column's name carries after its prefix (CLA_Mar2016 -> 2016), 0 when
 * it carries none, -1 when the name is not this prefix's column at all. */
static int wide_match(const char *name, const char *prefix, const char *suffix)
{
    size_t n = strlen(prefix);
    if (strncasecmp(name, prefix, n))
        return -1;
    const char *rest = name + n;
    int year = 0;
    if (isdigit((unsigned char)rest[0])) {
        for (int k = 0; k < 4; k++)
            if (!isdigit((unsigned char)rest[k]))
                return -1;
        year = atoi(rest);
        rest += 4;
    }
    char tail[64];
    util_copy(tail, rest, sizeof tail);
    return strcasecmp(util_trim(tail), suffix) ? -1 : year;
}

static void read_wide(aggdata *a, csvfile *f, const char *path, problems *p)
{
    /* The year of a wide table: the four digits its file name starts with, as the DfE
     * names them (2015_SFR34_ADM2015.csv), else the year in its column names. Where the
     * two disagree (the 2015 starts table heads its column CLA_started2014) the file
     * name wins, with a warning. */
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int file_year = 0;
    if (strlen(base) > 4 && isdigit((unsigned char)base[0]) && isdigit((unsigned char)base[1]) &&
        isdigit((unsigned char)base[2]) && isdigit((unsigned char)base[3]) &&
        !isdigit((unsigned char)base[4]))
        file_year = atoi(base);
    int level_col = csvfile_column(f, "geog_l"), code_col = csvfile_column(f, "geog_c"),
        name_col = csvfile_column(f, "geog_n");
    int ncols = 0, cols[8], years[8];
    agg_measure ms[8];
    for (int c = 0; c < csvfile_ncolumns(f) && ncols < 8; c++) {
        const char *name = csvfile_column_name(f, c);
        for (size_t k = 0; k < sizeof wide_columns / sizeof wide_columns[0]; k++) {
            int y = wide_match(name, wide_columns[k].prefix, wide_columns[k].suffix);
            if (y < 0)
                continue;
            int shift = wide_columns[k].shift;
            if (y && shift) /* a dated population column: its own year decides */
                y += shift;
            else if (file_year) {
                if (y && y != file_year)
                    problems_add(p, PROBLEM_WARNING, path, 1, name,
                                 "the column's name says %d but the file name says %d; "
                                 "read as %d (the file name)",
                                 y, file_year, file_year);
                y = file_year;
            } else if (!y) {
                problems_add(p, PROBLEM_ERROR, path, 1, name,
                             "cannot tell the year: neither the column name nor the file name "
                             "(expected to start with the year, e.g. 2016_...) carries it");
                continue;
            }
            cols[ncols] = c;
            years[ncols] = y;
            ms[ncols++] = wide_columns[k].m;
            break;
        }
    }
    if (ncols == 0) {
        problems_add(p, PROBLEM_ERROR, path, 1, NULL,
                     "no column of a measure carecast reads (expected CLA_MarYYYY, "
                     "CLA_startedYYYY, CLA_cease, MarTotal_YYYY, StartTotal_YYYY, "
                     "CeasedTotal_YYYY or MidYYYYPop0-17)");
        return;
    }
    int r;
    while ((r = csvfile_next(f, p)) == 1) {
        const char *level = csvfile_field(f, level_col);
        int g;
        if (!strcasecmp(level, "National"))
            g = geography(a, NATIONAL_CODE, "England", AGG_NATIONAL, years[0]);
        else if (!strcasecmp(level, "LA")) {
            char code[16];
            util_copy(code, csvfile_field(f, code_col), sizeof code);
            g = geography(a, util_trim(code), csvfile_field(f, name_col), AGG_LA, years[0]);
        } else {
            if (*level)
                a->skipped_regions++;
            continue;
        }
        for (int k = 0; k < ncols; k++)
            store(a, f, cols[k], g, ms[k], years[k], p);
    }
}

static void read_long(aggdata *a, csvfile *f, problems *p)
{
    const char *names[4] = {"geography", "year", "measure", "value"};
    int idx[4];
    if (!csvfile_require(f, names, 4, idx, p))
        return;
    int code_col = csvfile_column(f, "code");
    long unused = 0;
    int r;
    while ((r = csvfile_next(f, p)) == 1) {
        const char *measure = csvfile_field(f, idx[2]);
        int m = -1, shift = 0;
        for (int k = 0; k < AGG_NMEASURES && m < 0; k++)
            if (!strcasecmp(measure, measure_names[k]))
                m = k;
        for (size_t k = 0; m < 0 && k < sizeof long_names / sizeof long_names[0]; k++)
            if (!strcasecmp(measure, long_names[k].name)) {
                m = (int)long_names[k].m;
                shift = long_names[k].shift;
            }
        if (m < 0) {
            unused++;
            continue;
        }
        int year;
        if (!parse_year(f, idx[1], shift, &year, p))
            continue;
        const char *name = csvfile_field(f, idx[0]);
        char buf[96];
        util_copy(buf, code_col >= 0 ? csvfile_field(f, code_col) : "", sizeof buf);
        const char *code = util_trim(buf);
        /* By code first; else by name, and a council first met by name alone takes the
         * code now given, so file order does not split a council in two. */
        int g = *code ? aggdata_find(a, code) : -1;
        if (g < 0) {
            g = aggdata_find(a, name);
            if (g >= 0 && *code && !strncmp(a->geo[g].code, "name:", 5))
                util_copy(a->geo[g].code, code, sizeof a->geo[g].code);
        }
        if (g < 0) {
            char key[96] = "name:";
            normalise(name, key + 5, sizeof key - 5);
            bool england = !strcmp(key, "name:england");
            g = geography(a, *code ? code : england ? NATIONAL_CODE : key, name,
                          england ? AGG_NATIONAL : AGG_LA, year);
        }
        if (g >= 0)
            store(a, f, idx[3], g, (agg_measure)m, year, p);
    }
    if (unused)
        problems_add(p, PROBLEM_WARNING, csvfile_path(f), 0, "measure",
                     "%ld rows of measures carecast does not use were skipped (it reads %s, "
                     "%s, %s, %s, %s, %s, %s, %s, %s and ons_mye_population_0_17_mid_year)",
                     unused, measure_names[0], measure_names[1], measure_names[2],
                     measure_names[3], measure_names[4], measure_names[5], measure_names[6],
                     measure_names[7], measure_names[8]);
}

void aggdata_read(aggdata *a, const char *path, problems *p)
{
    csvfile *f = csvfile_open(path, p);
    if (!f)
        return;
    if (a->nfiles < (int)(sizeof a->files / sizeof a->files[0]))
        util_copy(a->files[a->nfiles++], path, sizeof a->files[0]);
    if (csvfile_column(f, "measure") >= 0 && csvfile_column(f, "value") >= 0)
        read_long(a, f, p);
    else if (csvfile_column(f, "time_period") >= 0 && csvfile_column(f, "geographic_level") >= 0)
        read_ees(a, f, p);
    else if (csvfile_column(f, "geog_l") >= 0 && csvfile_column(f, "geog_c") >= 0)
        read_wide(a, f, path, p);
    else
        problems_add(p, PROBLEM_ERROR, path, 1, NULL,
                     "the header is not a layout carecast reads: expected a long file "
                     "(geography, year, measure, value), a DfE Explore education statistics "
                     "file (time_period, geographic_level, ...) or a wide SFR table (geog_l, "
                     "geog_c, geog_n, ...)");
    csvfile_close(f);
}

void aggdata_summary(const aggdata *a, FILE *f)
{
    int las = 0;
    for (int g = 0; g < a->ngeo; g++)
        las += a->geo[g].level == AGG_LA;
    fprintf(f, "read %ld values for %d councils%s from %d files", a->values, las,
            aggdata_find(a, NATIONAL_CODE) >= 0 ? " and England" : "", a->nfiles);
    if (a->replaced)
        fprintf(f, "; %ld replaced by a later file", a->replaced);
    fprintf(f, "\n");
    long total = 0;
    for (int c = 0; c < AGG_NCODES; c++)
        total += a->suppressed[c];
    if (total) {
        fprintf(f, "suppressed or unavailable values, left missing: %ld (", total);
        const char *sep = "";
        for (int c = 0; c < AGG_NCODES; c++)
            if (a->suppressed[c]) {
                fprintf(f, "%s%ld '%s'", sep, a->suppressed[c], code_names[c]);
                sep = ", ";
            }
        fprintf(f, ")\n");
    }
}
