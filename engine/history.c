/* history.c -- reading and cleaning a council's records (see history.h).
 *
 * Rows are first read as they are, each remembering its file and line. history_finish()
 * then works one child at a time:
 *   1. SSDA903 rows get the child's date of birth from the header (the latest return's
 *      header wins) and are cleaned as councils' demand models do: sorted by DECOM, then
 *      DEC with open episodes first; the same DECOM twice keeps the last (an episode
 *      open in one return and closed in the next); the same DEC twice keeps the first
 *      (the longer); an episode still open, or ending after the next one starts, ends
 *      when the next one starts.
 *   2. Canonical rows are checked: no overlaps, `moved` only when the next episode
 *      starts that day.
 *   3. Both: an episode followed the same day by another is a move, whatever its reason
 *      says; consecutive episodes in the same state are merged (a change of foster
 *      carer within one placement need is not a transition of the model); an episode
 *      reaching the state's max_age birthday ends there by the forced exit; a child who
 *      ages out of care in SSDA903-only records becomes a care leaver.
 *   4. If the child also has SSDA903 episodes, its canonical episodes are cut around
 *      them (SSDA903 is the record of care).
 */
#include "history.h"

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "csvfile.h"
#include "date.h"
#include "util.h"

#define CHILD_LEN      24
#define OPEN_YEARS_MAX 10 /* an episode open longer than this draws a warning */
#define NO_DATE        INT32_MIN

typedef struct row {
    char child[CHILD_LEN];
    int32_t dob, start, end; /* end = MODEL_OPEN_END when open */
    int16_t state, reason;   /* reason: exit index, MODEL_REASON_MOVE / _OPEN */
    int16_t file, year;
    int32_t line;
    uint8_t ssda903, drop;
    int8_t provider; /* enum model_provider */
} row;

typedef struct header_row {
    char child[CHILD_LEN];
    int32_t dob;
    int16_t file, year;
    int32_t line;
} header_row;

struct history_raw {
    row *rows;
    int64_t n, cap;
    header_row *hdr;
    int64_t nh, caph;
    char **files;
    int nfiles;
    int32_t latest_903; /* latest DECOM or DEC in SSDA903 rows */
    long repeated, same_dec, dropped_canonical;
};

history *history_alloc(const modeldef *def)
{
    history *h = calloc(1, sizeof *h);
    if (!h || !(h->raw = calloc(1, sizeof *h->raw))) {
        free(h);
        return NULL;
    }
    h->def = def;
    h->raw->latest_903 = NO_DATE;
    h->extract_date = NO_DATE;
    return h;
}

void history_free(history *h)
{
    if (!h)
        return;
    if (h->raw) {
        free(h->raw->rows);
        free(h->raw->hdr);
        for (int i = 0; i < h->raw->nfiles; i++)
            free(h->raw->files[i]);
        free(h->raw->files);
        free(h->raw);
    }
    free(h->episodes);
    free(h->population);
    free(h);
}

/* ---- small helpers ---------------------------------------------------------------- */

static int add_file(history *h, const char *path)
{
    history_raw *r = h->raw;
    char **grown = realloc(r->files, sizeof *grown * (size_t)(r->nfiles + 1));
    if (!grown)
        return -1;
    r->files = grown;
    if (!(r->files[r->nfiles] = strdup(path)))
        return -1;
    h->nfiles++;
    return r->nfiles++;
}

static row *new_row(history_raw *r)
{
    if (r->n == r->cap) {
        int64_t cap = r->cap ? 2 * r->cap : 4096;
        row *grown = realloc(r->rows, sizeof *grown * (size_t)cap);
        if (!grown)
            return NULL;
        r->rows = grown;
        r->cap = cap;
    }
    row *w = &r->rows[r->n++];
    memset(w, 0, sizeof *w);
    return w;
}

/* Parses a date field; reports a problem naming the column unless it parses. */
static bool field_date(csvfile *f, int col, const char *name, bool optional, int32_t *day,
                       problems *p)
{
    const char *text = csvfile_field(f, col);
    if (!*text) {
        *day = MODEL_OPEN_END;
        if (optional)
            return true;
        problems_add(p, PROBLEM_ERROR, csvfile_path(f), csvfile_line(f), name,
                     "empty: expected a date (YYYY-MM-DD or DD/MM/YYYY)");
        return false;
    }
    int d;
    if (!date_parse(text, &d)) {
        problems_add(p, PROBLEM_ERROR, csvfile_path(f), csvfile_line(f), name,
                     "'%s' is not a date: expected YYYY-MM-DD or DD/MM/YYYY", text);
        return false;
    }
    *day = d;
    return true;
}

static bool field_child(csvfile *f, int col, const char *name, char *out, problems *p)
{
    const char *text = csvfile_field(f, col);
    if (!*text || strlen(text) >= CHILD_LEN) {
        problems_add(p, PROBLEM_ERROR, csvfile_path(f), csvfile_line(f), name,
                     "'%s': expected a child identifier of 1 to %d characters", text,
                     CHILD_LEN - 1);
        return false;
    }
    util_copy(out, text, CHILD_LEN);
    return true;
}

/* Names of the states (or exits) usable in a canonical file, for "did you mean". */
static int state_of_name(const modeldef *d, const char *name)
{
    for (int s = 0; s < d->nstates; s++)
        if (d->states[s].in_history && !strcmp(d->states[s].name, name))
            return s;
    return -1;
}

static const char *nearest_state(const modeldef *d, const char *name)
{
    const char *cands[MD_MAX];
    int n = 0;
    for (int s = 0; s < d->nstates; s++)
        if (d->states[s].in_history)
            cands[n++] = d->states[s].name;
    int i = util_nearest(name, cands, n);
    return i >= 0 ? cands[i] : "";
}

static const char *nearest_exit(const modeldef *d, const char *name)
{
    const char *cands[MD_MAX + 1];
    int n = 0;
    for (int e = 0; e < d->nexits; e++)
        cands[n++] = d->exits[e].name;
    cands[n++] = "moved";
    int i = util_nearest(name, cands, n);
    return i >= 0 ? cands[i] : "";
}

/* The year of a return from a file name or its folder: the last 4-digit number in the
 * path (so 2019/episodes.csv and returns/2019-episodes.csv both give 2019). */
static int year_of_path(const char *path)
{
    for (const char *c = path + strlen(path); c > path; c--) {
        const char *s = c - 1;
        if (s >= path + 3 && s[0] >= '0' && s[0] <= '9' && s[-1] >= '0' && s[-1] <= '9' &&
            s[-2] >= '0' && s[-2] <= '9' && s[-3] >= '1' && s[-3] <= '2' &&
            (s - 4 < path || s[-4] < '0' || s[-4] > '9') && (s[1] < '0' || s[1] > '9'))
            return (s[-3] - '0') * 1000 + (s[-2] - '0') * 100 + (s[-1] - '0') * 10 +
                   (s[0] - '0');
    }
    return 0;
}

static int row_year(csvfile *f, int year_col, int fallback, problems *p)
{
    if (year_col < 0)
        return fallback;
    long y;
    const char *text = csvfile_field(f, year_col);
    if (!util_parse_long(text, &y) || y < 1900 || y > 2200) {
        problems_add(p, PROBLEM_ERROR, csvfile_path(f), csvfile_line(f), "YEAR",
                     "'%s': expected the return's year (1900-2200)", text);
        return fallback;
    }
    return (int)y;
}

/* ---- canonical episodes ----------------------------------------------------------- */

int history_read_episodes(history *h, const char *path, problems *p)
{
    static const char *const cols[] = {"child_id",   "date_of_birth", "state",
                                       "start_date", "end_date",      "end_reason"};
    const modeldef *d = h->def;
    csvfile *f = csvfile_open(path, p);
    if (!f)
        return CC_OK;
    int idx[6], file = add_file(h, path);
    if (file < 0) {
        csvfile_close(f);
        return CC_ENOMEM;
    }
    h->has_canonical = true;
    if (!csvfile_require(f, cols, 6, idx, p)) {
        csvfile_close(f);
        return CC_OK;
    }
    int got;
    while ((got = csvfile_next(f, p)) == 1) {
        row w = {.file = (int16_t)file, .line = (int32_t)csvfile_line(f)};
        bool ok = field_child(f, idx[0], cols[0], w.child, p);
        ok &= field_date(f, idx[1], cols[1], false, &w.dob, p);
        ok &= field_date(f, idx[3], cols[3], false, &w.start, p);
        ok &= field_date(f, idx[4], cols[4], true, &w.end, p);
        const char *state = csvfile_field(f, idx[2]);
        int s = state_of_name(d, state);
        if (s < 0) {
            problems_add(p, PROBLEM_ERROR, path, w.line, cols[2],
                         "unknown state '%s': expected a recorded state of model '%s' "
                         "(nearest: %s)",
                         state, d->name, nearest_state(d, state));
            ok = false;
        }
        w.state = (int16_t)s;
        const char *reason = csvfile_field(f, idx[5]);
        if (w.end == MODEL_OPEN_END) {
            w.reason = MODEL_REASON_OPEN;
            if (*reason) {
                problems_add(p, PROBLEM_ERROR, path, w.line, cols[5],
                             "'%s' given but end_date is empty: expected both or neither",
                             reason);
                ok = false;
            }
        } else if (!*reason) {
            problems_add(p, PROBLEM_ERROR, path, w.line, cols[5],
                         "empty but end_date is given: expected an exit reason or 'moved'");
            ok = false;
        } else if (!strcmp(reason, "moved")) {
            w.reason = MODEL_REASON_MOVE;
        } else {
            int e = modeldef_exit_index(d, reason);
            if (e < 0) {
                problems_add(p, PROBLEM_ERROR, path, w.line, cols[5],
                             "unknown exit reason '%s': expected an exit of model '%s' or "
                             "'moved' (nearest: %s)",
                             reason, d->name, nearest_exit(d, reason));
                ok = false;
            }
            w.reason = (int16_t)e;
        }
        if (ok && w.end != MODEL_OPEN_END && w.end < w.start) {
            char a[11], b[11];
            date_format(w.start, a);
            date_format(w.end, b);
            problems_add(p, PROBLEM_ERROR, path, w.line, cols[4],
                         "%s is before start_date %s: expected an end on or after the start",
                         b, a);
            ok = false;
        }
        if (!ok)
            continue;
        row *slot = new_row(h->raw);
        if (!slot) {
            csvfile_close(f);
            return CC_ENOMEM;
        }
        *slot = w;
    }
    csvfile_close(f);
    return CC_OK;
}

/* ---- SSDA903 ---------------------------------------------------------------------- */

static int read_903_header(history *h, csvfile *f, int file, problems *p)
{
    static const char *const cols[] = {"CHILD", "DOB"};
    int idx[2];
    if (!csvfile_require(f, cols, 2, idx, p))
        return CC_OK;
    int year_col = csvfile_column(f, "YEAR"), fallback = year_of_path(csvfile_path(f));
    history_raw *r = h->raw;
    while (csvfile_next(f, p) == 1) {
        header_row w = {.file = (int16_t)file, .line = (int32_t)csvfile_line(f)};
        w.year = (int16_t)row_year(f, year_col, fallback, p);
        if (!field_child(f, idx[0], cols[0], w.child, p) ||
            !field_date(f, idx[1], cols[1], false, &w.dob, p))
            continue;
        if (r->nh == r->caph) {
            int64_t cap = r->caph ? 2 * r->caph : 1024;
            header_row *grown = realloc(r->hdr, sizeof *grown * (size_t)cap);
            if (!grown)
                return CC_ENOMEM;
            r->hdr = grown;
            r->caph = cap;
        }
        r->hdr[r->nh++] = w;
    }
    return CC_OK;
}

static int read_903_episodes(history *h, csvfile *f, int file, problems *p)
{
    static const char *const cols[] = {"CHILD", "DECOM", "DEC", "PLACE", "REC"};
    const modeldef *d = h->def;
    int idx[5];
    if (!csvfile_require(f, cols, 5, idx, p))
        return CC_OK;
    int year_col = csvfile_column(f, "YEAR"), fallback = year_of_path(csvfile_path(f));
    int provider_col = csvfile_column(f, "PLACE_PROVIDER");
    const char *path = csvfile_path(f);
    while (csvfile_next(f, p) == 1) {
        row w = {.file = (int16_t)file, .line = (int32_t)csvfile_line(f), .ssda903 = 1};
        w.year = (int16_t)row_year(f, year_col, fallback, p);
        w.dob = NO_DATE;
        bool ok = field_child(f, idx[0], cols[0], w.child, p);
        ok &= field_date(f, idx[1], cols[1], false, &w.start, p);
        ok &= field_date(f, idx[2], cols[2], true, &w.end, p);
        const char *place = csvfile_field(f, idx[3]);
        int s = modeldef_place_state(d, place, csvfile_field(f, provider_col));
        w.provider = (int8_t)model_provider_code(csvfile_field(f, provider_col));
        if (s < 0) {
            problems_add(p, PROBLEM_ERROR, path, w.line, cols[3],
                         "unknown PLACE code '%s': expected a code of [ssda903.place] in "
                         "model '%s' (U1-U6, K1-K3, R1-R5, H5, P1-P3, A3-A6, S1, T0-T4, Z1)",
                         place, d->name);
            ok = false;
        }
        w.state = (int16_t)s;
        const char *rec = csvfile_field(f, idx[4]);
        if (w.end == MODEL_OPEN_END) {
            w.reason = MODEL_REASON_OPEN;
        } else if (!*rec) {
            problems_add(p, PROBLEM_ERROR, path, w.line, cols[4],
                         "empty but DEC is given: expected the reason the episode ceased "
                         "(X1 or an E code)");
            ok = false;
        } else {
            int e = modeldef_rec_exit(d, rec);
            if (e == MD_NONE) {
                problems_add(p, PROBLEM_ERROR, path, w.line, cols[4],
                             "unknown REC code '%s': expected a code of [ssda903.rec] in "
                             "model '%s' (X1, E11-E17, E2, E3, E41-E48, E4A, E4B, E5-E9)",
                             rec, d->name);
                ok = false;
            }
            w.reason = (int16_t)(e == MD_MOVE ? MODEL_REASON_MOVE : e);
        }
        if (ok && w.end != MODEL_OPEN_END && w.end < w.start) {
            char a[11], b[11];
            date_format(w.start, a);
            date_format(w.end, b);
            problems_add(p, PROBLEM_ERROR, path, w.line, cols[2],
                         "%s is before DECOM %s: expected a date on or after DECOM", b, a);
            ok = false;
        }
        if (!ok)
            continue;
        row *slot = new_row(h->raw);
        if (!slot)
            return CC_ENOMEM;
        *slot = w;
        int32_t last = w.end != MODEL_OPEN_END ? w.end : w.start;
        if (h->raw->latest_903 == NO_DATE || last > h->raw->latest_903)
            h->raw->latest_903 = last;
    }
    return CC_OK;
}

static bool name_has(const char *path, const char *word)
{
    const char *base = strrchr(path, '/');
    return strcasestr(base ? base + 1 : path, word) != NULL;
}

/* Reads one SSDA903 file, its kind told by its name or, failing that, its columns. */
static int read_903_file(history *h, const char *path, problems *p)
{
    csvfile *f = csvfile_open(path, p);
    if (!f)
        return CC_OK;
    int file = add_file(h, path), status = CC_OK;
    if (file < 0) {
        csvfile_close(f);
        return CC_ENOMEM;
    }
    h->has_ssda903 = true;
    bool episodes = name_has(path, "episodes") || csvfile_column(f, "DECOM") >= 0;
    bool header = !episodes && (name_has(path, "header") || csvfile_column(f, "DOB") >= 0);
    if (episodes)
        status = read_903_episodes(h, f, file, p);
    else if (header)
        status = read_903_header(h, f, file, p);
    else
        problems_add(p, PROBLEM_ERROR, path, 0, NULL,
                     "not an SSDA903 header or episodes file: expected a name containing "
                     "'header' or 'episodes', or the columns CHILD,DOB or CHILD,DECOM");
    csvfile_close(f);
    return status;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The SSDA903 files in a folder and its subfolders (one level), in name order. */
static int read_903_dir(history *h, const char *dir, int depth, problems *p, int *found)
{
    DIR *dp = opendir(dir);
    if (!dp) {
        problems_add(p, PROBLEM_ERROR, dir, 0, NULL, "cannot read the folder");
        return CC_OK;
    }
    char **names = NULL;
    int n = 0, status = CC_OK;
    struct dirent *de;
    while ((de = readdir(dp))) {
        if (de->d_name[0] == '.')
            continue;
        char **grown = realloc(names, sizeof *grown * (size_t)(n + 1));
        if (!grown || !(grown[n] = malloc(strlen(dir) + strlen(de->d_name) + 2))) {
            names = grown ? grown : names;
            status = CC_ENOMEM;
            break;
        }
        names = grown;
        sprintf(names[n++], "%s/%s", dir, de->d_name);
    }
    closedir(dp);
    qsort(names, (size_t)n, sizeof *names, by_name);
    for (int i = 0; i < n && status == CC_OK; i++) {
        struct stat st;
        if (stat(names[i], &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth == 0)
            status = read_903_dir(h, names[i], 1, p, found);
        else if (S_ISREG(st.st_mode) && (name_has(names[i], "episodes") ||
                                         name_has(names[i], "header"))) {
            status = read_903_file(h, names[i], p);
            (*found)++;
        }
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return status;
}

int history_read_ssda903(history *h, const char *path, problems *p)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        problems_add(p, PROBLEM_ERROR, path, 0, NULL,
                     "no such file or folder: expected SSDA903 files or a folder of them");
        return CC_OK;
    }
    if (!S_ISDIR(st.st_mode))
        return read_903_file(h, path, p);
    int found = 0, status = read_903_dir(h, path, 0, p, &found);
    if (status == CC_OK && found == 0)
        problems_add(p, PROBLEM_ERROR, path, 0, NULL,
                     "no SSDA903 files found: expected files whose names contain 'header' "
                     "and 'episodes' (e.g. 2019-header.csv) here or in one folder per year");
    return status;
}

/* ---- population ------------------------------------------------------------------- */

int history_read_population(history *h, const char *path, problems *p)
{
    static const char *const cols[] = {"year", "age", "children"};
    csvfile *f = csvfile_open(path, p);
    if (!f)
        return CC_OK;
    int idx[3];
    if (add_file(h, path) < 0) {
        csvfile_close(f);
        return CC_ENOMEM;
    }
    if (!csvfile_require(f, cols, 3, idx, p)) {
        csvfile_close(f);
        return CC_OK;
    }
    enum { MAX_YEARS = 400, YEAR0 = 1900 };
    double *grid = malloc(sizeof *grid * MAX_YEARS * MODEL_POP_AGES);
    long *line = calloc(MAX_YEARS * MODEL_POP_AGES, sizeof *line);
    if (!grid || !line) {
        free(grid);
        free(line);
        csvfile_close(f);
        return CC_ENOMEM;
    }
    int lo = MAX_YEARS, hi = -1;
    long errors = problems_errors(p);
    while (csvfile_next(f, p) == 1) {
        long y, a;
        double c;
        long at = csvfile_line(f);
        const char *ty = csvfile_field(f, idx[0]), *ta = csvfile_field(f, idx[1]),
                   *tc = csvfile_field(f, idx[2]);
        if (!util_parse_long(ty, &y) || y < YEAR0 || y >= YEAR0 + MAX_YEARS) {
            problems_add(p, PROBLEM_ERROR, path, at, "year", "'%s': expected a year 1900-2299",
                         ty);
            continue;
        }
        if (!util_parse_long(ta, &a) || a < 0 || a >= MODEL_POP_AGES) {
            problems_add(p, PROBLEM_ERROR, path, at, "age",
                         "'%s': expected a single year of age 0-17", ta);
            continue;
        }
        if (!util_parse_double(tc, &c) || !(c >= 0)) {
            problems_add(p, PROBLEM_ERROR, path, at, "children",
                         "'%s': expected a number of children, 0 or more", tc);
            continue;
        }
        size_t k = (size_t)(y - YEAR0) * MODEL_POP_AGES + (size_t)a;
        if (line[k]) {
            problems_add(p, PROBLEM_ERROR, path, at, NULL,
                         "year %ld age %ld again: expected one row per year and age (first "
                         "on line %ld)",
                         y, a, line[k]);
            continue;
        }
        line[k] = at;
        grid[k] = c;
        if (y - YEAR0 < lo)
            lo = (int)(y - YEAR0);
        if (y - YEAR0 > hi)
            hi = (int)(y - YEAR0);
    }
    csvfile_close(f);
    for (int y = lo; y <= hi; y++)
        for (int a = 0; a < MODEL_POP_AGES; a++)
            if (!line[(size_t)y * MODEL_POP_AGES + a]) {
                problems_add(p, PROBLEM_ERROR, path, 0, NULL,
                             "no row for year %d age %d: expected ages 0-17 for every year "
                             "from %d to %d",
                             y + YEAR0, a, lo + YEAR0, hi + YEAR0);
                y = hi + 1; /* one message is enough */
                break;
            }
    if (hi < 0)
        problems_add(p, PROBLEM_ERROR, path, 0, NULL,
                     "no rows: expected children by year and age 0-17");
    if (hi >= 0 && problems_errors(p) == errors) {
        free(h->population);
        h->pop_year0 = lo + YEAR0;
        h->pop_nyears = hi - lo + 1;
        h->population = malloc(sizeof *h->population * (size_t)h->pop_nyears * MODEL_POP_AGES);
        if (h->population)
            memcpy(h->population, grid + (size_t)lo * MODEL_POP_AGES,
                   sizeof *h->population * (size_t)h->pop_nyears * MODEL_POP_AGES);
    }
    free(grid);
    free(line);
    return h->population || hi < 0 || problems_errors(p) > errors ? CC_OK : CC_ENOMEM;
}

int history_read_any(history *h, const char *path, problems *p)
{
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return history_read_ssda903(h, path, p);
    csvfile *f = csvfile_open(path, p);
    if (!f)
        return CC_OK;
    bool canonical = csvfile_column(f, "child_id") >= 0;
    bool population = csvfile_column(f, "children") >= 0 && csvfile_column(f, "age") >= 0;
    bool ssda903 = csvfile_column(f, "CHILD") >= 0;
    csvfile_close(f);
    if (canonical)
        return history_read_episodes(h, path, p);
    if (population)
        return history_read_population(h, path, p);
    if (ssda903)
        return history_read_ssda903(h, path, p);
    problems_add(p, PROBLEM_ERROR, path, 1, NULL,
                 "unknown kind of file: expected a canonical episodes file (child_id,...), "
                 "a population file (year,age,children) or SSDA903 (CHILD,...)");
    return CC_OK;
}

/* ---- cleaning, one child at a time ------------------------------------------------ */

static int by_child(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int c = strcmp(x->child, y->child);
    if (c)
        return c;
    if (x->ssda903 != y->ssda903)
        return y->ssda903 - x->ssda903; /* SSDA903 rows first */
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    /* SSDA903: open episodes first among equal starts (the clean-up rules rely on it);
     * canonical: shorter first, so a same-day stay precedes the episode it led to */
    int64_t open = x->ssda903 ? INT64_MIN : INT64_MAX;
    int64_t ex = x->end == MODEL_OPEN_END ? open : x->end;
    int64_t ey = y->end == MODEL_OPEN_END ? open : y->end;
    if (ex != ey)
        return ex < ey ? -1 : 1;
    if (x->year != y->year)
        return x->year < y->year ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static int by_header(const void *a, const void *b)
{
    const header_row *x = a, *y = b;
    int c = strcmp(x->child, y->child);
    if (c)
        return c;
    return y->year - x->year; /* latest return first */
}

typedef struct cleaner {
    history *h;
    problems *p;
    model_episode *out;
    int64_t nout, cap;
    int other_exit; /* exit used for an X1 with no next episode */
} cleaner;

static const char *file_of(const history *h, const row *w) { return h->raw->files[w->file]; }

static int emit(cleaner *c, const row *w, int64_t child)
{
    if (c->nout == c->cap) {
        int64_t cap = c->cap ? 2 * c->cap : 4096;
        model_episode *grown = realloc(c->out, sizeof *grown * (size_t)cap);
        if (!grown)
            return CC_ENOMEM;
        c->out = grown;
        c->cap = cap;
    }
    c->out[c->nout++] = (model_episode){.child = child,
                                        .dob = w->dob,
                                        .start = w->start,
                                        .end = w->end,
                                        .state = w->state,
                                        .reason = w->reason,
                                        .provider = w->provider};
    return CC_OK;
}

/* The SSDA903 rules on rows [a, b) of one child, sorted by DECOM then DEC (open first). */
static void clean_903(cleaner *c, row *rows, int64_t a, int64_t b)
{
    history *h = c->h;
    for (int64_t i = a; i < b; i++) { /* rule 1: same DECOM, keep the last */
        int64_t j = i + 1;
        while (j < b && rows[j].drop)
            j++;
        if (j < b && rows[j].start == rows[i].start) {
            rows[i].drop = 1;
            h->raw->repeated++;
        }
    }
    for (int64_t i = a; i < b; i++) { /* rule 2: same DEC, keep the first (longer) */
        if (rows[i].drop || rows[i].end == MODEL_OPEN_END)
            continue;
        for (int64_t j = i + 1; j < b; j++)
            if (!rows[j].drop && rows[j].end == rows[i].end) {
                rows[j].drop = 1;
                h->raw->same_dec++;
            }
    }
    for (int64_t i = a; i < b; i++) { /* rule 3: an overlap ends at the next DECOM */
        if (rows[i].drop)
            continue;
        int64_t j = i + 1;
        while (j < b && rows[j].drop)
            j++;
        if (j == b)
            break;
        if (rows[i].end == MODEL_OPEN_END || rows[i].end > rows[j].start) {
            char s[11];
            date_format(rows[j].start, s);
            problems_add(c->p, PROBLEM_WARNING, file_of(h, &rows[i]), rows[i].line, "DEC",
                         "child %s: episode %s but the next episode (%s line %d) starts on "
                         "%s: ended it then",
                         rows[i].child,
                         rows[i].end == MODEL_OPEN_END ? "still open" : "ends later",
                         file_of(h, &rows[j]), rows[j].line, s);
            rows[i].end = rows[j].start;
            rows[i].reason = MODEL_REASON_MOVE;
        }
    }
}

/* Checks the canonical rows [a, b) of one child: duplicates dropped, overlaps reported. */
static void check_canonical(cleaner *c, row *rows, int64_t a, int64_t b)
{
    history *h = c->h;
    int64_t prev = -1;
    for (int64_t i = a; i < b; i++) {
        if (rows[i].drop)
            continue;
        if (prev >= 0) {
            row *q = &rows[prev], *w = &rows[i];
            if (q->state == w->state && q->start == w->start && q->end == w->end) {
                problems_add(c->p, PROBLEM_WARNING, file_of(h, w), w->line, NULL,
                             "child %s: the same episode as line %d: dropped", w->child,
                             q->line);
                w->drop = 1;
                continue;
            }
            if (q->end == MODEL_OPEN_END || q->end > w->start) {
                char s[11];
                date_format(w->start, s);
                problems_add(c->p, PROBLEM_ERROR, file_of(h, w), w->line, "start_date",
                             "child %s: episode starts on %s, inside the episode on line %d: "
                             "expected episodes of one child not to overlap",
                             w->child, s, q->line);
                w->drop = 1;
                continue;
            }
        }
        prev = i;
    }
}

/* Moves, merges, ages, derived care-leaver episodes and emission for rows [a, b). */
static int finish_child(cleaner *c, row *rows, int64_t a, int64_t b, int64_t child)
{
    history *h = c->h;
    const modeldef *d = h->def;
    /* keep the rows, in order */
    int64_t n = 0;
    for (int64_t i = a; i < b; i++)
        if (!rows[i].drop)
            rows[a + n++] = rows[i];
    b = a + n;
    for (int64_t i = a; i < b; i++) {
        row *w = &rows[i];
        const md_state *st = &d->states[w->state];
        bool has_next = i + 1 < b;
        if (has_next && w->end == rows[i + 1].start) {
            w->reason = MODEL_REASON_MOVE;
        } else if (w->reason == MODEL_REASON_MOVE) {
            char e[11];
            date_format(w->end, e);
            problems_add(c->p, w->ssda903 ? PROBLEM_WARNING : PROBLEM_ERROR, file_of(h, w),
                         w->line, w->ssda903 ? "REC" : "end_reason",
                         "child %s: the episode ends on %s as a move but no episode starts "
                         "that day%s",
                         w->child, e,
                         w->ssda903 ? ": treated as leaving care for another reason"
                                    : ": expected the next episode to start on end_date");
            w->reason = (int16_t)c->other_exit;
        }
        /* dates of birth: looked-after children are born; others may be unborn by up
         * to a year (pre-birth referrals, the first age band) */
        int earliest = st->looked_after ? w->dob : date_add_years(w->dob, -1);
        if (w->start < earliest) {
            char s[11], dob[11];
            date_format(w->start, s);
            date_format(w->dob, dob);
            problems_add(c->p, PROBLEM_ERROR, file_of(h, w), w->line,
                         w->ssda903 ? "DECOM" : "start_date",
                         "child %s: born %s, after the episode starts (%s): expected a date "
                         "of birth %s",
                         w->child, dob, s,
                         st->looked_after ? "on or before the start" : "at most a year after");
        }
        if (st->max_age > 0) {
            int limit = date_add_years(w->dob, (int)st->max_age);
            if (w->start >= limit) {
                char s[11];
                date_format(w->start, s);
                problems_add(c->p, PROBLEM_ERROR, file_of(h, w), w->line,
                             w->ssda903 ? "DECOM" : "start_date",
                             "child %s: the %s episode starts on %s, at age %g or over: "
                             "expected it to start before that birthday",
                             w->child, st->name, s, st->max_age);
                w->drop = 1;
                continue;
            }
            bool open_past = w->end == MODEL_OPEN_END && h->extract_date >= limit;
            if (w->end > limit && (w->end != MODEL_OPEN_END || open_past)) {
                char l[11];
                date_format(limit, l);
                problems_add(c->p, PROBLEM_WARNING, file_of(h, w), w->line,
                             w->ssda903 ? "DEC" : "end_date",
                             "child %s: the %s episode %s past the age-%g birthday (%s): "
                             "ended it then",
                             w->child, st->name,
                             w->end == MODEL_OPEN_END ? "is still open" : "continues", st->max_age,
                             l);
            }
            if (w->end >= limit && (w->end != MODEL_OPEN_END || open_past)) {
                w->end = limit;
                w->reason = (int16_t)st->at_max_age;
                for (int64_t j = i + 1; j < b; j++)
                    if (rows[j].start >= limit && !rows[j].drop &&
                        d->states[rows[j].state].max_age <= st->max_age &&
                        d->states[rows[j].state].looked_after == st->looked_after)
                        rows[j].drop = 1; /* reported as errors above when reached */
            }
        }
    }
    /* emit, merging consecutive episodes in the same state */
    for (int64_t i = a; i < b; i++) {
        if (rows[i].drop)
            continue;
        row w = rows[i];
        int64_t j = i + 1;
        while (j < b && !rows[j].drop && w.reason == MODEL_REASON_MOVE &&
               rows[j].state == w.state && rows[j].start == w.end) {
            w.end = rows[j].end;
            w.reason = rows[j].reason;
            w.provider = rows[j].provider; /* the latest placement's provider */
            rows[j].drop = 1;
            j++;
        }
        if (emit(c, &w, child) != CC_OK)
            return CC_ENOMEM;
        /* a child ageing out of care in SSDA903-only records becomes a care leaver */
        const md_state *st = &d->states[w.state];
        if (w.ssda903 && w.reason >= 0 && w.reason == st->at_max_age && st->max_age > 0 &&
            w.end == date_add_years(w.dob, (int)st->max_age) &&
            d->exits[w.reason].then >= 0 && (j >= b || rows[j].start != w.end)) {
            int then = d->exits[w.reason].then;
            const md_state *next = &d->states[then];
            if (next->in_history && !next->looked_after && w.end <= h->extract_date) {
                row cl = w;
                cl.state = (int16_t)then;
                cl.start = w.end;
                cl.end = MODEL_OPEN_END;
                cl.reason = MODEL_REASON_OPEN;
                cl.provider = MODEL_PROVIDER_UNKNOWN;
                if (next->max_age > 0) {
                    int limit = date_add_years(w.dob, (int)next->max_age);
                    if (limit <= h->extract_date) {
                        cl.end = limit;
                        cl.reason = (int16_t)next->at_max_age;
                    }
                }
                if (emit(c, &cl, child) != CC_OK)
                    return CC_ENOMEM;
            }
        }
    }
    return CC_OK;
}

/* Cuts the canonical rows [ca, cb) around the SSDA903 episodes [sa, sb) of one child
 * (already cleaned, in order), appending the pieces at the end of the row array. */
static int cut_around(history *h, int64_t ca, int64_t cb, int64_t sa, int64_t sb)
{
    history_raw *r = h->raw;
    for (int64_t i = ca; i < cb; i++) {
        if (r->rows[i].drop)
            continue;
        row w = r->rows[i];
        r->rows[i].drop = 1;
        int32_t from = w.start;
        for (int64_t k = sa; k <= sb; k++) {
            while (k < sb && r->rows[k].drop)
                k++;
            int32_t cut_a = k < sb ? r->rows[k].start : MODEL_OPEN_END;
            int32_t cut_b = k < sb ? r->rows[k].end : MODEL_OPEN_END;
            if (cut_a > from && from < w.end) { /* a piece before this SSDA903 episode */
                row *piece = new_row(r);
                if (!piece)
                    return CC_ENOMEM;
                *piece = w;
                piece->start = from;
                if (cut_a < w.end) {
                    piece->end = cut_a;
                    piece->reason = MODEL_REASON_MOVE;
                }
                piece->drop = 2; /* marks a piece waiting to be sorted in */
            }
            if (cut_b == MODEL_OPEN_END || cut_b >= w.end)
                break;
            if (cut_b > from)
                from = cut_b;
        }
    }
    return CC_OK;
}

static int by_start(const void *a, const void *b)
{
    const row *x = a, *y = b;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return (x->end > y->end) - (x->end < y->end);
}

int history_finish(history *h, int extract_date, problems *p)
{
    history_raw *r = h->raw;
    const modeldef *d = h->def;
    int status = CC_OK;
    /* 1. dates of birth for SSDA903 rows, from the latest return's header */
    if (r->nh > 0)
        qsort(r->hdr, (size_t)r->nh, sizeof *r->hdr, by_header);
    for (int64_t i = 0; i < r->nh; i++) {
        if (i > 0 && !strcmp(r->hdr[i].child, r->hdr[i - 1].child)) {
            if (r->hdr[i].dob != r->hdr[i - 1].dob) {
                char x[11], y[11];
                date_format(r->hdr[i].dob, x);
                date_format(r->hdr[i - 1].dob, y);
                problems_add(p, PROBLEM_WARNING, r->files[r->hdr[i].file], r->hdr[i].line, "DOB",
                             "child %s: born %s here but %s in a later return: used %s",
                             r->hdr[i].child, x, y, y);
            }
        }
    }
    long no_header = 0;
    for (int64_t i = 0; i < r->n; i++) {
        row *w = &r->rows[i];
        if (!w->ssda903)
            continue;
        header_row key;
        util_copy(key.child, w->child, CHILD_LEN);
        key.year = INT16_MAX; /* sorts before every return of the child */
        int64_t lo = 0, hi = r->nh; /* first header >= key */
        while (lo < hi) {
            int64_t mid = (lo + hi) / 2;
            if (by_header(&r->hdr[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < r->nh && !strcmp(r->hdr[lo].child, w->child)) {
            w->dob = r->hdr[lo].dob;
        } else {
            if (no_header++ < 20)
                problems_add(p, PROBLEM_WARNING, r->files[w->file], w->line, "CHILD",
                             "child %s has episodes but no header row (date of birth): "
                             "episode dropped",
                             w->child);
            w->drop = 1;
        }
    }
    if (no_header > 20)
        problems_add(p, PROBLEM_WARNING, NULL, 0, NULL,
                     "%ld more SSDA903 episodes without a header row were dropped",
                     no_header - 20);
    /* 2. the extract date */
    int32_t latest = NO_DATE, first = INT32_MAX;
    for (int64_t i = 0; i < r->n; i++) {
        if (r->rows[i].drop)
            continue;
        int32_t last = r->rows[i].end != MODEL_OPEN_END ? r->rows[i].end : r->rows[i].start;
        if (last > latest)
            latest = last;
        if (r->rows[i].start < first)
            first = r->rows[i].start;
    }
    if (extract_date != NO_DATE) {
        h->extract_date = extract_date;
    } else if (r->latest_903 != NO_DATE) {
        int y, m, dd;
        date_to_ymd(r->latest_903, &y, &m, &dd);
        h->extract_date = date_from_ymd(m > 3 ? y + 1 : y, 3, 31);
        if (latest > h->extract_date) /* canonical records running later */
            h->extract_date = latest;
    } else {
        h->extract_date = latest;
    }
    h->first_day = first;
    /* 3. per child */
    if (r->n > 0)
        qsort(r->rows, (size_t)r->n, sizeof *r->rows, by_child);
    cleaner c = {.h = h, .p = p, .other_exit = modeldef_exit_index(d, "other")};
    for (int e = 0; c.other_exit < 0 && e < d->nexits; e++)
        if (d->exits[e].then == MD_OUT)
            c.other_exit = e;
    int64_t total = r->n, child = 0;
    for (int64_t a = 0; a < total && status == CC_OK;) {
        int64_t b = a;
        while (b < total && !strcmp(r->rows[b].child, r->rows[a].child))
            b++;
        int64_t s_end = a; /* SSDA903 rows come first */
        while (s_end < b && r->rows[s_end].ssda903)
            s_end++;
        if (s_end > a) /* this child has SSDA903 records: they are the record of care */
            for (int64_t i = s_end; i < b; i++)
                if (!r->rows[i].drop && d->states[r->rows[i].state].looked_after) {
                    r->rows[i].drop = 1; /* SSDA903 is the record of care */
                    r->dropped_canonical++;
                }
        clean_903(&c, r->rows, a, s_end);
        check_canonical(&c, r->rows, s_end, b);
        int64_t before = r->n;
        if (s_end > a && b > s_end)
            status = cut_around(h, s_end, b, a, s_end);
        if (status != CC_OK)
            break;
        /* gather this child's rows into a scratch array in start order */
        int64_t m = 0;
        for (int64_t i = a; i < b; i++)
            m += !r->rows[i].drop;
        m += r->n - before;
        row *mine = malloc(sizeof *mine * (size_t)(m ? m : 1));
        if (!mine) {
            status = CC_ENOMEM;
            break;
        }
        int64_t k = 0;
        for (int64_t i = a; i < b; i++)
            if (!r->rows[i].drop)
                mine[k++] = r->rows[i];
        for (int64_t i = before; i < r->n; i++) {
            mine[k] = r->rows[i];
            mine[k++].drop = 0;
        }
        r->n = before; /* the pieces now live in `mine` */
        qsort(mine, (size_t)k, sizeof *mine, by_start);
        if (k > 0)
            status = finish_child(&c, mine, 0, k, child++);
        free(mine);
        a = b;
    }
    if (status != CC_OK) {
        free(c.out);
        return status;
    }
    if (r->repeated)
        problems_add(p, PROBLEM_WARNING, NULL, 0, NULL,
                     "%ld SSDA903 episodes appeared in two returns with the same CHILD and "
                     "DECOM: kept the later (closed) one",
                     r->repeated);
    if (r->same_dec)
        problems_add(p, PROBLEM_WARNING, NULL, 0, NULL,
                     "%ld SSDA903 episodes shared CHILD and DEC with a longer one: kept the "
                     "longer",
                     r->same_dec);
    if (r->dropped_canonical)
        problems_add(p, PROBLEM_WARNING, NULL, 0, NULL,
                     "%ld looked-after episodes of the canonical file were replaced by the "
                     "SSDA903 records",
                     r->dropped_canonical);
    /* 4. the extract date bounds every episode; long open episodes are suspicious */
    int32_t earliest_end = INT32_MAX;
    int64_t kept = 0;
    for (int64_t i = 0; i < c.nout; i++) {
        model_episode *e = &c.out[i];
        char s[11], x[11];
        date_format(e->start, s);
        date_format(h->extract_date, x);
        if (e->start > h->extract_date) {
            problems_add(p, PROBLEM_ERROR, NULL, 0, NULL,
                         "an episode of %s starts on %s, after the extract date %s: expected "
                         "no records after the extract (set it with --extract)",
                         d->states[e->state].name, s, x);
            continue;
        }
        if (e->end != MODEL_OPEN_END && e->end > h->extract_date) {
            e->end = MODEL_OPEN_END;
            e->reason = MODEL_REASON_OPEN;
        }
        if (e->end == MODEL_OPEN_END &&
            e->start <= date_add_years(h->extract_date, -OPEN_YEARS_MAX))
            problems_add(p, PROBLEM_WARNING, NULL, 0, NULL,
                         "an episode of %s open since %s is still open at the extract date %s "
                         "(over %d years)",
                         d->states[e->state].name, s, x, OPEN_YEARS_MAX);
        if (e->end != MODEL_OPEN_END && e->end < earliest_end)
            earliest_end = e->end;
        c.out[kept++] = *e;
    }
    free(h->episodes);
    h->episodes = c.out;
    h->nepisodes = kept;
    h->nchildren = child;
    h->history_start = earliest_end != INT32_MAX ? earliest_end : h->first_day;
    return CC_OK;
}

int history_to_model(history *h, model *m)
{
    if (h->population &&
        model_set_population(m, h->pop_year0, h->pop_nyears, h->population) != CC_OK)
        return CC_ENOMEM;
    model_set_history(m, h->episodes, h->nepisodes, h->extract_date);
    m->history_start = h->history_start;
    h->episodes = NULL;
    h->nepisodes = 0;
    return CC_OK;
}
