/* problems.c -- a capped list of input problems (see problems.h). */
#include "problems.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

typedef struct problem {
    problem_level level;
    char text[512];
} problem;

struct problems {
    int cap, n;
    long count[2];
    problem *list;
};

problems *problems_alloc(int cap)
{
    problems *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->cap = cap > 0 ? cap : 1;
    p->list = calloc((size_t)p->cap, sizeof *p->list);
    if (!p->list) {
        free(p);
        return NULL;
    }
    return p;
}

void problems_free(problems *p)
{
    if (!p)
        return;
    free(p->list);
    free(p);
}

void problems_add(problems *p, problem_level level, const char *file, long line,
                  const char *column, const char *fmt, ...)
{
    p->count[level]++;
    if (p->n >= p->cap)
        return;
    problem *q = &p->list[p->n++];
    q->level = level;
    size_t at = 0, size = sizeof q->text;
    if (file)
        at += (size_t)snprintf(q->text + at, size - at, "%s:", file);
    if (file && line > 0 && at < size)
        at += (size_t)snprintf(q->text + at, size - at, "%ld:", line);
    if (column && at < size)
        at += (size_t)snprintf(q->text + at, size - at, " column %s:", column);
    if (at < size)
        at += (size_t)snprintf(q->text + at, size - at, "%s%s: ", at ? " " : "",
                               level == PROBLEM_ERROR ? "error" : "warning");
    if (at < size) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(q->text + at, size - at, fmt, ap);
        va_end(ap);
    }
}

long problems_errors(const problems *p) { return p->count[PROBLEM_ERROR]; }

long problems_warnings(const problems *p) { return p->count[PROBLEM_WARNING]; }

void problems_print(const problems *p, FILE *out)
{
    long shown[2] = {0, 0};
    for (int i = 0; i < p->n; i++) {
        fprintf(out, "%s\n", p->list[i].text);
        shown[p->list[i].level]++;
    }
    long more_e = p->count[PROBLEM_ERROR] - shown[PROBLEM_ERROR];
    long more_w = p->count[PROBLEM_WARNING] - shown[PROBLEM_WARNING];
    if (more_e || more_w)
        fprintf(out, "... and %ld more error%s and %ld more warning%s not shown\n", more_e,
                more_e == 1 ? "" : "s", more_w, more_w == 1 ? "" : "s");
}

int problems_status(const problems *p, cc_err *err)
{
    if (p->count[PROBLEM_ERROR] == 0)
        return CC_OK;
    int shown = 0;
    for (int i = 0; i < p->n && shown < 20; i++)
        if (p->list[i].level == PROBLEM_ERROR) {
            cc_fail(err, CC_EINPUT, "%s", p->list[i].text);
            shown++;
        }
    return cc_fail(err, CC_EINPUT, "%ld error%s in the input (%ld shown; `carecast check` lists them all)",
                   p->count[PROBLEM_ERROR], p->count[PROBLEM_ERROR] == 1 ? "" : "s", (long)shown);
}
