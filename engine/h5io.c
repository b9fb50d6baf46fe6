/* h5io.c -- HDF5 helpers: atomic files, described datasets, checked reads. */
#include "h5io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void h5io_init(void)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

int h5io_create(h5io_file *f, const char *path, bool force, cc_err *err)
{
    f->id = -1;
    if (strlen(path) >= sizeof f->path)
        return cc_fail(err, CC_EUSAGE, "%s: path too long", path);
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return cc_fail(err, CC_EUSAGE, "%s: is a folder; expected a file name for the output",
                       path);
    if (!force && util_exists(path))
        return cc_fail(err, CC_EEXIST,
                       "%s: output exists; use --force to replace it (nothing was written)", path);
    util_copy(f->path, path, sizeof f->path);
    snprintf(f->tmp, sizeof f->tmp, "%s.tmp.%ld", path, (long)getpid());
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5Pset_libver_bounds(fapl, H5F_LIBVER_V18, H5F_LIBVER_LATEST);
    f->id = H5Fcreate(f->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
    H5Pclose(fapl);
    if (f->id < 0)
        return cc_fail(err, CC_EUSAGE,
                       "%s: cannot create the output (does its folder exist, "
                       "and is it writable?)",
                       path);
    return CC_OK;
}

int h5io_commit(h5io_file *f, cc_err *err)
{
    herr_t rc = H5Fclose(f->id);
    f->id = -1;
    if (rc < 0) {
        unlink(f->tmp);
        return cc_fail(err, CC_EHDF5, "%s: closing the file failed", f->tmp);
    }
    if (rename(f->tmp, f->path) != 0) {
        unlink(f->tmp);
        return cc_fail(err, CC_EIO, "%s: cannot rename into place", f->path);
    }
    return CC_OK;
}

void h5io_discard(h5io_file *f)
{
    if (f->id >= 0)
        H5Fclose(f->id);
    f->id = -1;
    if (f->tmp[0])
        unlink(f->tmp);
}

hid_t h5io_open(const char *path, cc_err *err, int *status)
{
    if (!util_exists(path)) {
        *status = cc_fail(err, CC_EINPUT, "%s: no such file", path);
        return -1;
    }
    if (H5Fis_hdf5(path) <= 0) {
        *status = cc_fail(err, CC_EINPUT, "%s: not an HDF5 file (corrupt or another format)", path);
        return -1;
    }
    hid_t id = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (id < 0) {
        *status = cc_fail(err, CC_EINPUT, "%s: cannot open the HDF5 file (corrupt?)", path);
        return -1;
    }
    *status = CC_OK;
    return id;
}

hid_t h5io_group(hid_t loc, const char *name)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) > 0)
        return H5Gopen2(loc, name, H5P_DEFAULT);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
    H5Pset_obj_track_times(gcpl, 0);
    hid_t g = H5Gcreate2(loc, name, lcpl, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    H5Pclose(lcpl);
    return g;
}

/* Link creation that makes missing intermediate groups ("months/end_date"). */
static hid_t intermediate_lcpl(void)
{
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    return lcpl;
}

/* Chunk shape: whole rows of the trailing axes, as many leading-axis entries (replicates)
 * as fit in about 256 KiB, so one replicate can be read without the others. */
static hid_t chunked_dcpl(hid_t type, int rank, const hsize_t *dims)
{
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    hsize_t total = 1;
    for (int i = 0; i < rank; i++)
        total *= dims[i];
    if (total == 0 || rank == 0)
        return dcpl;
    hsize_t chunk[8];
    hsize_t row = H5Tget_size(type);
    for (int i = 1; i < rank; i++) {
        chunk[i] = dims[i];
        row *= dims[i];
    }
    hsize_t lead = (256 * 1024) / (row ? row : 1);
    if (lead < 1)
        lead = 1;
    if (lead > dims[0])
        lead = dims[0];
    chunk[0] = lead;
    H5Pset_chunk(dcpl, rank, chunk);
    H5Pset_fletcher32(dcpl);
    H5Pset_shuffle(dcpl);
    H5Pset_deflate(dcpl, 1);
    return dcpl;
}

int h5io_write(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
               const void *data, const char *description, const char *units, cc_err *err)
{
    hid_t space = H5Screate_simple(rank, dims, NULL);
    hid_t dcpl = chunked_dcpl(type, rank, dims);
    hid_t lcpl = intermediate_lcpl();
    hid_t ds = H5Dcreate2(loc, name, type, space, lcpl, dcpl, H5P_DEFAULT);
    herr_t rc = -1;
    if (ds >= 0) {
        rc = H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
        if (rc >= 0 && h5io_attr_text(ds, "description", description) < 0)
            rc = -1;
        if (rc >= 0 && h5io_attr_text(ds, "units", units) < 0)
            rc = -1;
        H5Dclose(ds);
    }
    H5Pclose(lcpl);
    H5Pclose(dcpl);
    H5Sclose(space);
    if (rc < 0)
        return cc_fail(err, CC_EHDF5, "writing dataset '%s' failed", name);
    return CC_OK;
}

static hid_t vlen_string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    return t;
}

int h5io_write_text(hid_t loc, const char *name, const char *text, const char *description,
                    cc_err *err)
{
    hid_t t = vlen_string_type();
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    hid_t lcpl = intermediate_lcpl();
    hid_t ds = H5Dcreate2(loc, name, t, space, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(lcpl);
    herr_t rc = -1;
    if (ds >= 0) {
        rc = H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text);
        if (rc >= 0)
            rc = h5io_attr_text(ds, "description", description);
        if (rc >= 0)
            rc = h5io_attr_text(ds, "units", "text");
        H5Dclose(ds);
    }
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Tclose(t);
    if (rc < 0)
        return cc_fail(err, CC_EHDF5, "writing text '%s' failed", name);
    return CC_OK;
}

int h5io_write_strings(hid_t loc, const char *name, const char *const *items, size_t n,
                       const char *description, cc_err *err)
{
    hid_t t = vlen_string_type();
    hsize_t dims[1] = {n};
    hid_t space = H5Screate_simple(1, dims, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    H5Pset_obj_track_times(dcpl, 0);
    hid_t lcpl = intermediate_lcpl();
    hid_t ds = H5Dcreate2(loc, name, t, space, lcpl, dcpl, H5P_DEFAULT);
    H5Pclose(lcpl);
    herr_t rc = -1;
    if (ds >= 0) {
        rc = n ? H5Dwrite(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, items) : 0;
        if (rc >= 0)
            rc = h5io_attr_text(ds, "description", description);
        if (rc >= 0)
            rc = h5io_attr_text(ds, "units", "text");
        H5Dclose(ds);
    }
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Tclose(t);
    if (rc < 0)
        return cc_fail(err, CC_EHDF5, "writing strings '%s' failed", name);
    return CC_OK;
}

static int write_attr(hid_t loc, const char *name, hid_t type, const void *value)
{
    if (H5Aexists(loc, name) > 0)
        H5Adelete(loc, name);
    hid_t space = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT);
    herr_t rc = a >= 0 ? H5Awrite(a, type, value) : -1;
    if (a >= 0)
        H5Aclose(a);
    H5Sclose(space);
    return rc < 0 ? -1 : 0;
}

int h5io_attr_text(hid_t loc, const char *name, const char *value)
{
    hid_t t = vlen_string_type();
    int rc = write_attr(loc, name, t, &value);
    H5Tclose(t);
    return rc;
}

int h5io_attr_long(hid_t loc, const char *name, long long value)
{
    return write_attr(loc, name, H5T_NATIVE_LLONG, &value);
}

int h5io_attr_double(hid_t loc, const char *name, double value)
{
    return write_attr(loc, name, H5T_NATIVE_DOUBLE, &value);
}

int h5io_dims(hid_t loc, const char *name, hsize_t *dims)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return -1;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0)
        return -1;
    hid_t space = H5Dget_space(ds);
    int rank = H5Sget_simple_extent_ndims(space);
    if (rank > 8)
        rank = -1;
    else if (rank >= 0)
        H5Sget_simple_extent_dims(space, dims, NULL);
    H5Sclose(space);
    H5Dclose(ds);
    return rank;
}

int h5io_read(hid_t loc, const char *name, hid_t memtype, void *buf, size_t nelem, const char *file,
              cc_err *err)
{
    hsize_t dims[8];
    int rank = h5io_dims(loc, name, dims);
    if (rank < 0)
        return cc_fail(err, CC_EINPUT, "%s: dataset '%s' is missing", file, name);
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    if (n != nelem)
        return cc_fail(err, CC_EINPUT, "%s: dataset '%s' has %zu values, expected %zu", file, name,
                       n, nelem);
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    herr_t rc = nelem ? H5Dread(ds, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) : 0;
    H5Dclose(ds);
    if (rc < 0)
        return cc_fail(err, CC_EINPUT, "%s: dataset '%s' cannot be read (corrupt?)", file, name);
    return CC_OK;
}

char *h5io_read_text(hid_t loc, const char *name)
{
    if (H5Lexists(loc, name, H5P_DEFAULT) <= 0)
        return NULL;
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    if (ds < 0)
        return NULL;
    hid_t t = vlen_string_type();
    char *raw = NULL;
    char *copy = NULL;
    if (H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &raw) >= 0 && raw) {
        copy = strdup(raw);
        H5free_memory(raw);
    }
    H5Tclose(t);
    H5Dclose(ds);
    return copy;
}

int h5io_read_strings(hid_t loc, const char *name, char *out, size_t width, size_t max)
{
    hsize_t dims[8];
    if (h5io_dims(loc, name, dims) != 1 || dims[0] > max)
        return -1;
    size_t n = dims[0];
    char **raw = calloc(n ? n : 1, sizeof *raw);
    hid_t ds = H5Dopen2(loc, name, H5P_DEFAULT);
    hid_t t = vlen_string_type();
    int rc = -1;
    if (raw && ds >= 0 && (n == 0 || H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, raw) >= 0)) {
        for (size_t i = 0; i < n; i++) {
            util_copy(out + i * width, raw[i] ? raw[i] : "", width);
            H5free_memory(raw[i]);
        }
        rc = (int)n;
    }
    H5Tclose(t);
    if (ds >= 0)
        H5Dclose(ds);
    free(raw);
    return rc;
}

static bool read_attr(hid_t loc, const char *name, hid_t memtype, void *value)
{
    if (H5Aexists(loc, name) <= 0)
        return false;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    bool ok = a >= 0 && H5Aread(a, memtype, value) >= 0;
    if (a >= 0)
        H5Aclose(a);
    return ok;
}

bool h5io_get_long(hid_t loc, const char *name, long long *value)
{
    return read_attr(loc, name, H5T_NATIVE_LLONG, value);
}

bool h5io_get_double(hid_t loc, const char *name, double *value)
{
    return read_attr(loc, name, H5T_NATIVE_DOUBLE, value);
}

bool h5io_get_text(hid_t loc, const char *name, char *buf, size_t size)
{
    hid_t t = vlen_string_type();
    char *raw = NULL;
    bool ok = read_attr(loc, name, t, &raw) && raw;
    if (ok)
        util_copy(buf, raw, size);
    if (raw)
        H5free_memory(raw);
    H5Tclose(t);
    return ok;
}
