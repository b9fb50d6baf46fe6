/* util.h -- small helpers shared by the readers and the command line. */
#ifndef CC_UTIL_H
#define CC_UTIL_H

#include <stdbool.h>
#include <stddef.h>

/* Public API */

/* Index of the candidate closest to `word` by edit distance (case-insensitive), or -1
 * if there are no candidates. Used to suggest the valid key nearest to a typo. */
int util_nearest(const char *word, const char *const *cands, int n);

/* Reads a whole file into a NUL-terminated malloc'd buffer; NULL if it cannot. */
char *util_read_file(const char *path);

/* Copies at most size-1 bytes of src into dst and terminates it; returns dst. */
char *util_copy(char *dst, const char *src, size_t size);

/* Parses a whole string as a long / double (surrounding blanks allowed). */
bool util_parse_long(const char *text, long *value);
bool util_parse_double(const char *text, double *value);

/* Splits a comma-separated list of numbers; returns the count or -1 on a bad item
 * (whose text is copied into `bad`, at least 64 bytes) or more than `max` items. */
int util_parse_list(const char *text, double *out, int max, char *bad);

/* Strips leading and trailing blanks (spaces, tabs) in place; returns the first
 * non-blank character. */
char *util_trim(char *text);

/* True if `path` exists (any type). */
bool util_exists(const char *path);

#endif
