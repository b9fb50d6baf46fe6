/* csvfile.c -- row-by-row CSV reading on top of libcsv (see csvfile.h).
 *
 * libcsv is fed one physical line at a time; a record ends at most once per line, so
 * after each line we know whether a whole row is ready. Fields of the current row are
 * kept in one growing buffer (NUL-terminated, offsets in `off`).
 */
#include "csvfile.h"

#include <csv.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct csvfile {
    char *path;
    FILE *in;
    struct csv_parser parser;
    char *line;
    size_t line_cap;
    long lineno;     /* physical lines read */
    long row_line;   /* line the current row started on */
    long next_start; /* line the row being parsed started on */
    bool row_done, at_eof;
    /* the current row */
    char *buf;
    size_t buf_len, buf_cap;
    size_t *off;
    int nf, off_cap;
    /* the header */
    char **names;
    int ncols;
};

static void on_field(void *data, size_t len, void *vf)
{
    csvfile *f = vf;
    if (f->row_done) { /* a new row starts: forget the previous one */
        f->row_done = false;
        f->nf = 0;
        f->buf_len = 0;
    }
    if (f->nf == f->off_cap) {
        int cap = f->off_cap ? 2 * f->off_cap : 32;
        size_t *grown = realloc(f->off, sizeof *grown * (size_t)cap);
        if (!grown)
            return;
        f->off = grown;
        f->off_cap = cap;
    }
    if (f->buf_len + len + 1 > f->buf_cap) {
        size_t cap = 2 * (f->buf_len + len + 1) + 256;
        char *grown = realloc(f->buf, cap);
        if (!grown)
            return;
        f->buf = grown;
        f->buf_cap = cap;
    }
    f->off[f->nf++] = f->buf_len;
    if (len)
        memcpy(f->buf + f->buf_len, data, len);
    f->buf[f->buf_len + len] = '\0';
    f->buf_len += len + 1;
}

static void on_record(int c, void *vf)
{
    (void)c;
    csvfile *f = vf;
    if (f->row_done) { /* an empty record: keep it as one empty field */
        f->nf = 0;
        f->buf_len = 0;
    }
    f->row_done = true;
    f->row_line = f->next_start;
}

/* Feeds lines until a row is complete: 1 row, 0 end of file, -1 malformed. */
static int read_row(csvfile *f, problems *p)
{
    f->row_done = false;
    f->nf = 0;
    f->buf_len = 0;
    f->next_start = f->lineno + 1;
    for (;;) {
        if (f->at_eof)
            return 0;
        ssize_t n = getline(&f->line, &f->line_cap, f->in);
        if (n < 0) {
            f->at_eof = true;
            if (csv_fini(&f->parser, on_field, on_record, f) != 0) {
                problems_add(p, PROBLEM_ERROR, f->path, f->next_start, NULL,
                             "malformed CSV (%s): a quoted field is not closed",
                             csv_strerror(csv_error(&f->parser)));
                return -1;
            }
            return f->row_done ? 1 : 0;
        }
        f->lineno++;
        char *text = f->line;
        if (f->lineno == 1 && n >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
            text += 3;
            n -= 3;
        }
        bool was_idle = !f->row_done && f->nf == 0;
        if (was_idle)
            f->next_start = f->lineno;
        if (csv_parse(&f->parser, text, (size_t)n, on_field, on_record, f) != (size_t)n) {
            problems_add(p, PROBLEM_ERROR, f->path, f->lineno, NULL,
                         "malformed CSV (%s): expected a quote only around a whole field",
                         csv_strerror(csv_error(&f->parser)));
            f->at_eof = true;
            return -1;
        }
        if (f->row_done)
            return 1;
    }
}

csvfile *csvfile_open(const char *path, problems *p)
{
    csvfile *f = calloc(1, sizeof *f);
    if (!f || !(f->path = strdup(path))) {
        free(f);
        problems_add(p, PROBLEM_ERROR, path, 0, NULL, "out of memory");
        return NULL;
    }
    f->in = fopen(path, "r");
    if (!f->in) {
        problems_add(p, PROBLEM_ERROR, path, 0, NULL, "cannot open the file: %s",
                     strerror(errno));
        csvfile_close(f);
        return NULL;
    }
    csv_init(&f->parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
    if (read_row(f, p) != 1) {
        if (!f->at_eof || f->nf == 0)
            problems_add(p, PROBLEM_ERROR, path, 0, NULL,
                         "the file is empty: expected a header row naming the columns");
        csvfile_close(f);
        return NULL;
    }
    f->ncols = f->nf;
    f->names = calloc((size_t)f->ncols, sizeof *f->names);
    for (int i = 0; f->names && i < f->ncols; i++)
        f->names[i] = strdup(f->buf + f->off[i]);
    return f;
}

void csvfile_close(csvfile *f)
{
    if (!f)
        return;
    if (f->in) {
        fclose(f->in);
        csv_free(&f->parser);
    }
    for (int i = 0; f->names && i < f->ncols; i++)
        free(f->names[i]);
    free(f->names);
    free(f->line);
    free(f->buf);
    free(f->off);
    free(f->path);
    free(f);
}

int csvfile_ncolumns(const csvfile *f)
{
    return f->ncols;
}

const char *csvfile_column_name(const csvfile *f, int col)
{
    return col >= 0 && col < f->ncols ? f->names[col] : "";
}

int csvfile_column(const csvfile *f, const char *name)
{
    for (int i = 0; i < f->ncols; i++)
        if (f->names[i] && strcasecmp(f->names[i], name) == 0)
            return i;
    return -1;
}

bool csvfile_require(const csvfile *f, const char *const *names, int n, int *idx, problems *p)
{
    bool ok = true;
    for (int i = 0; i < n; i++) {
        idx[i] = csvfile_column(f, names[i]);
        if (idx[i] >= 0)
            continue;
        char have[512] = "";
        size_t at = 0;
        for (int c = 0; c < f->ncols && at < sizeof have; c++)
            at += (size_t)snprintf(have + at, sizeof have - at, "%s%s", c ? "," : "",
                                   f->names[c] ? f->names[c] : "");
        problems_add(p, PROBLEM_ERROR, f->path, 1, names[i],
                     "missing column '%s': the header has %s", names[i], have);
        ok = false;
    }
    return ok;
}

int csvfile_next(csvfile *f, problems *p) { return read_row(f, p); }

const char *csvfile_field(const csvfile *f, int col)
{
    return col >= 0 && col < f->nf ? f->buf + f->off[col] : "";
}

int csvfile_nfields(const csvfile *f) { return f->nf; }

long csvfile_line(const csvfile *f) { return f->row_line; }

const char *csvfile_path(const csvfile *f) { return f->path; }
