/* problems.h -- the problems found in a council's input files, listed for the user.
 *
 * Readers and checks add one entry per problem, naming the file, the line (0 when the
 * problem is about the whole file), the column and a message saying what was found and
 * what was expected. Errors stop a fit; warnings (for example an episode open for more
 * than ten years) are shown but do not. Only the first `cap` problems are kept for
 * printing; every problem is counted, so the user learns how many more there were.
 */
#ifndef CC_PROBLEMS_H
#define CC_PROBLEMS_H

#include <stdio.h>

#include "error.h"

typedef enum { PROBLEM_ERROR, PROBLEM_WARNING } problem_level;

typedef struct problems problems;

/* Public API */

/* An empty list keeping at most `cap` problems for printing. NULL when out of memory. */
problems *problems_alloc(int cap);

/* Frees a list (NULL allowed). */
void problems_free(problems *p);

/* Adds a problem. `file` may be NULL; `line` 0 means the whole file; `column` may be
 * NULL. The message says what was found and what was expected. */
void problems_add(problems *p, problem_level level, const char *file, long line,
                  const char *column, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Numbers of errors and warnings added (all of them, not only those kept). */
long problems_errors(const problems *p);
long problems_warnings(const problems *p);

/* Prints the kept problems, one per line ("FILE:LINE: column C: error: ..."), then how
 * many more of each level were not shown. */
void problems_print(const problems *p, FILE *out);

/* If there are errors, puts the first few and the totals into `err` and returns
 * CC_EINPUT; otherwise CC_OK. Used by commands that stop on bad input. */
int problems_status(const problems *p, cc_err *err);

#endif
