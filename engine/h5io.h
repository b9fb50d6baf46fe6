/* h5io.h -- the few HDF5 patterns carecast uses, each in one call.
 *
 * Writing: h5io_create() opens a new file under a temporary name beside the target;
 * h5io_commit() closes it and renames it into place, h5io_discard() removes it. An
 * existing target is refused unless `force` is set, before anything is written. Every
 * dataset gets a `description` and a `units` attribute; arrays are chunked along their
 * first axis (replicates) with shuffle, deflate and Fletcher-32 checksums; object
 * timestamps are off so the same content gives the same bytes.
 *
 * Reading: small helpers that check shape and type and name the object on failure.
 * HDF5's own error printing is switched off; messages come through cc_err instead.
 */
#ifndef CC_H5IO_H
#define CC_H5IO_H

#include <stdbool.h>
#include <stddef.h>

#include <hdf5.h>

#include "error.h"

typedef struct h5io_file {
    hid_t id;
    char path[4096]; /* final name */
    char tmp[4200];  /* temporary name written to */
} h5io_file;

/* Public API */

/* Silences HDF5's default error printing (call once at start-up). */
void h5io_init(void);

/* Creates `path` under a temporary name. CC_EEXIST if it exists and !force. */
int h5io_create(h5io_file *f, const char *path, bool force, cc_err *err);

/* Closes and renames the file into place; on failure removes the temporary file. */
int h5io_commit(h5io_file *f, cc_err *err);

/* Closes and removes the temporary file (after a failure). */
void h5io_discard(h5io_file *f);

/* Opens an existing file read-only; names the file in the message on failure. */
hid_t h5io_open(const char *path, cc_err *err, int *status);

/* Creates a group (intermediate groups too); returns its id or a negative value. */
hid_t h5io_group(hid_t loc, const char *name);

/* Writes an n-dimensional array of `type` (H5T_NATIVE_INT, _DOUBLE, _LLONG) with its
 * description and units. Returns CC_OK or CC_EHDF5 with the dataset named. */
int h5io_write(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
               const void *data, const char *description, const char *units, cc_err *err);

/* Writes a text as a scalar string dataset, and an array of strings as a 1-D dataset. */
int h5io_write_text(hid_t loc, const char *name, const char *text, const char *description,
                    cc_err *err);
int h5io_write_strings(hid_t loc, const char *name, const char *const *items, size_t n,
                       const char *description, cc_err *err);

/* Attributes on a file, group or dataset. */
int h5io_attr_text(hid_t loc, const char *name, const char *value);
int h5io_attr_long(hid_t loc, const char *name, long long value);
int h5io_attr_double(hid_t loc, const char *name, double value);

/* Shape of a dataset: fills dims (up to 8) and returns the rank, or -1 if absent. */
int h5io_dims(hid_t loc, const char *name, hsize_t *dims);

/* Reads a whole dataset of `nelem` elements into buf as `memtype`. Fails (CC_EINPUT,
 * naming file and dataset) if it is missing or has another number of elements. */
int h5io_read(hid_t loc, const char *name, hid_t memtype, void *buf, size_t nelem, const char *file,
              cc_err *err);

/* Reads a scalar string dataset into a malloc'd string; NULL on failure. */
char *h5io_read_text(hid_t loc, const char *name);

/* Reads a 1-D string dataset into `out` (n strings of `width` bytes). Returns the
 * count read or -1. */
int h5io_read_strings(hid_t loc, const char *name, char *out, size_t width, size_t max);

/* Reads attributes; return false if absent or of another kind. */
bool h5io_get_long(hid_t loc, const char *name, long long *value);
bool h5io_get_double(hid_t loc, const char *name, double *value);
bool h5io_get_text(hid_t loc, const char *name, char *buf, size_t size);

#endif
