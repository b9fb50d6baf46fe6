/* csvfile.h -- reading a CSV file row by row (libcsv), with columns found by name.
 *
 * The first row is the header. Columns are looked up by name, case-insensitively, so a
 * council's export may order them as it likes and add columns of its own. Each row
 * knows the line it started on, so every problem can name file, line and column.
 * Quoted fields, CRLF line ends and a UTF-8 byte-order mark are accepted; a malformed
 * quote is reported as a problem and ends the file.
 */
#ifndef CC_CSVFILE_H
#define CC_CSVFILE_H

#include <stdbool.h>

#include "problems.h"

typedef struct csvfile csvfile;

/* Public API */

/* Opens a CSV file and reads its header. On failure (cannot open, empty) adds a problem
 * and returns NULL. */
csvfile *csvfile_open(const char *path, problems *p);

/* Closes the file (NULL allowed). */
void csvfile_close(csvfile *f);

/* Number of columns in the header, and the name of column `col` ("" if out of range). */
int csvfile_ncolumns(const csvfile *f);
const char *csvfile_column_name(const csvfile *f, int col);

/* Index of the column with this name (case-insensitive), or -1. */
int csvfile_column(const csvfile *f, const char *name);

/* Finds each of the `n` named columns, storing indexes in idx[]. Every missing column
 * is reported (naming the file and the columns it does have); returns false if any is
 * missing. */
bool csvfile_require(const csvfile *f, const char *const *names, int n, int *idx, problems *p);

/* Reads the next row: 1 when a row was read, 0 at the end, -1 on a malformed file
 * (already reported). */
int csvfile_next(csvfile *f, problems *p);

/* Field `col` of the current row ("" when the row is short or col < 0). */
const char *csvfile_field(const csvfile *f, int col);

/* Number of fields in the current row. */
int csvfile_nfields(const csvfile *f);

/* Line on which the current row starts (1 = header). */
long csvfile_line(const csvfile *f);

/* The file's path, as given. */
const char *csvfile_path(const csvfile *f);

#endif
