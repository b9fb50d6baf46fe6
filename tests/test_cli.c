/* test_cli.c -- the command line's contract on bad input, run against the real binary.
 *
 * Build and run one program from the repository root:
 *   make carecast build/tests/test_cli && \
 *     CARECAST_BIN=$PWD/build/carecast CARECAST_HOME=$PWD build/tests/test_cli
 *
 * Needs CARECAST_BIN (the binary under test) and CARECAST_HOME (the source folder holding
 * models/ and plots/). Every case runs the binary with fork/exec (no shell) inside a fresh
 * temporary folder, capturing stdout and stderr, and checks:
 *   - the exit status (2 for a usage or input error, 0 for success: see error.h);
 *   - that stderr names the problem (the file, option or value at fault);
 *   - that nothing was written: the --out path does not exist afterwards (or is
 *     byte-identical when it existed before) and no "*.tmp*" file is left anywhere.
 * The group setup makes a small valid model with `carecast synth --history-years 2` and
 * one small run file; the temporary folder is removed at the end.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/spawn.h"

#define MAX_ARGS 32
#define CAPTURE  65536

/* Shared by every test: paths made in the group setup. */
static struct {
    char bin[4096];
    char tmp[4096];   /* the temporary folder */
    char model[4200]; /* TMP/hist/truth.h5, a valid model */
    char runf[4200];  /* TMP/good.h5, a valid run file */
} G;

typedef struct result {
    int status;        /* exit status, or -1 - SIGNAL when killed (spawn.h) */
    char out[CAPTURE]; /* stdout */
    char err[CAPTURE]; /* stderr */
} result;

static result R; /* the last command's result (large: kept out of the stack) */

/* ---- helpers -------------------------------------------------------------------------- */

static void path_in(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", G.tmp, name);
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Runs CARECAST_BIN with the given arguments (NULL-terminated) in the temporary folder and
 * fills R with its exit status, stdout and stderr (support/spawn.c). */
static void carecast(const char *arg, ...)
{
    char *argv[MAX_ARGS + 2];
    int n = 0;
    argv[n++] = "carecast";
    va_list ap;
    va_start(ap, arg);
    for (const char *a = arg; a && n <= MAX_ARGS; a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;

    R.status = spawn_capture(G.bin, argv, G.tmp, R.out, sizeof R.out, R.err, sizeof R.err);
    if (R.status == -1000)
        fail_msg("fork or waitpid failed: %s", strerror(errno));
    if (R.status == 126 || R.status == 127)
        fail_msg("could not run %s (status %d)", G.bin, R.status);
    if (R.status < 0)
        fail_msg("%s was killed by signal %d\nstderr:\n%s", G.bin, -1 - R.status, R.err);
}

/* Fails with the captured output unless the last command exited with `want`. */
static void expect_status(int want)
{
    if (R.status != want)
        fail_msg("exit status %d, expected %d\nstdout:\n%s\nstderr:\n%s", R.status, want, R.out,
                 R.err);
}

/* Fails unless `text` (stdout or stderr of the last command) contains `needle`. */
static void expect_in(const char *text, const char *what, const char *needle)
{
    if (!strstr(text, needle))
        fail_msg("%s does not contain \"%s\":\n%s", what, needle, text);
}
#define expect_err(needle) expect_in(R.err, "stderr", (needle))
#define expect_out(needle) expect_in(R.out, "stdout", (needle))

/* Fails unless, after "did you mean" on some line of stderr, `want` follows on that line. */
static void expect_suggestion(const char *want)
{
    for (const char *p = strstr(R.err, "did you mean"); p; p = strstr(p + 1, "did you mean")) {
        const char *nl = strchr(p, '\n');
        size_t span = nl ? (size_t)(nl - p) : strlen(p);
        const char *s = strstr(p, want);
        if (s && (size_t)(s - p) < span)
            return;
    }
    fail_msg("stderr does not suggest \"%s\" (after \"did you mean\"):\n%s", want, R.err);
}

/* Fails if `path` exists. */
static void expect_absent(const char *path)
{
    if (exists(path))
        fail_msg("%s exists after a failed command\nstderr:\n%s", path, R.err);
}

/* Counts files whose name contains ".tmp" under `dir`, recursively, printing each. */
static int count_tmp(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char sub[4400];
        snprintf(sub, sizeof sub, "%s/%s", dir, e->d_name);
        if (strstr(e->d_name, ".tmp")) {
            print_error("left behind: %s\n", sub);
            n++;
        }
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            n += count_tmp(sub);
    }
    closedir(d);
    return n;
}

static void expect_no_tmp(void)
{
    int n = count_tmp(G.tmp);
    if (n)
        fail_msg("%d temporary file(s) left in %s\nstderr:\n%s", n, G.tmp, R.err);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        fail_msg("cannot create %s: %s", path, strerror(errno));
    if (fwrite(data, 1, len, f) != len || fclose(f) != 0)
        fail_msg("cannot write %s", path);
}

/* Reads up to `size` bytes of a file; returns the number read, or -1. */
static long read_file(const char *path, void *buf, size_t size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, size, f);
    fclose(f);
    return (long)n;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* ---- group setup: a model and a run file ---------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    const char *bin = getenv("CARECAST_BIN"), *home = getenv("CARECAST_HOME");
    if (!bin || !*bin || !home || !*home) {
        print_error("CARECAST_BIN and CARECAST_HOME must be set (the binary under test and "
                    "the source folder), e.g.\n  CARECAST_BIN=$PWD/build/carecast "
                    "CARECAST_HOME=$PWD build/tests/test_cli\n");
        return -1;
    }
    if (access(bin, X_OK) != 0) {
        print_error("CARECAST_BIN=%s is not an executable file\n", bin);
        return -1;
    }
    snprintf(G.bin, sizeof G.bin, "%s", bin);
    const char *tmpdir = getenv("TMPDIR");
    snprintf(G.tmp, sizeof G.tmp, "%s/carecast-test-cli-XXXXXX",
             tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(G.tmp)) {
        print_error("mkdtemp(%s) failed: %s\n", G.tmp, strerror(errno));
        return -1;
    }
    char hist[4200];
    path_in(hist, sizeof hist, "hist");
    path_in(G.model, sizeof G.model, "hist/truth.h5");
    path_in(G.runf, sizeof G.runf, "good.h5");

    /* carecast() reports failures with fail_msg, which only works inside a test; run the
     * setup commands and check the statuses here. */
    carecast("synth", "--out", hist, "--history-years", "2", NULL);
    if (R.status != 0 || !exists(G.model)) {
        print_error("setup: carecast synth failed (status %d):\n%s\n", R.status, R.err);
        return -1;
    }
    carecast("run", "--model", G.model, "--out", G.runf, "--replicates", "5", "--horizon", "3",
             NULL);
    if (R.status != 0 || !exists(G.runf)) {
        print_error("setup: carecast run failed (status %d):\n%s\n", R.status, R.err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (G.tmp[0] && nftw(G.tmp, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0) {
        print_error("could not remove %s\n", G.tmp);
        return -1;
    }
    return 0;
}

/* ---- run: bad model files ------------------------------------------------------------- */

static void test_run_missing_model(void **state)
{
    (void)state;
    char model[4200], out[4200];
    path_in(model, sizeof model, "no-such-model.h5");
    path_in(out, sizeof out, "r-missing.h5");
    carecast("run", "--model", model, "--out", out, "--replicates", "5", "--horizon", "3", NULL);
    expect_status(2);
    expect_err(model);
    expect_absent(out);
    expect_no_tmp();
}

static void test_run_text_file_as_model(void **state)
{
    (void)state;
    char model[4200], out[4200];
    path_in(model, sizeof model, "bad.h5");
    path_in(out, sizeof out, "r-text.h5");
    static const char text[] = "this is a text file, not an HDF5 model\n";
    write_file(model, text, sizeof text - 1);
    carecast("run", "--model", model, "--out", out, "--replicates", "5", "--horizon", "3", NULL);
    expect_status(2);
    expect_err(model);
    expect_absent(out);
    expect_no_tmp();
}

static void test_run_truncated_model(void **state)
{
    (void)state;
    static char buf[1000];
    long n = read_file(G.model, buf, sizeof buf);
    assert_int_equal(n, 1000); /* truth.h5 is much larger than 1000 bytes */
    char model[4200], out[4200];
    path_in(model, sizeof model, "truncated.h5");
    path_in(out, sizeof out, "r-trunc.h5");
    write_file(model, buf, sizeof buf);
    carecast("run", "--model", model, "--out", out, "--replicates", "5", "--horizon", "3", NULL);
    expect_status(2);
    expect_err(model);
    expect_absent(out);
    expect_no_tmp();
}

/* A valid HDF5 file that is not a model: the run file made in the setup. */
static void test_run_runfile_as_model(void **state)
{
    (void)state;
    char out[4200];
    path_in(out, sizeof out, "r-notmodel.h5");
    carecast("run", "--model", G.runf, "--out", out, "--replicates", "5", "--horizon", "3", NULL);
    expect_status(2);
    expect_err(G.runf);
    expect_err("model");
    expect_absent(out);
    expect_no_tmp();
}

/* ---- run: bad options and values ------------------------------------------------------ */

static void test_run_unknown_option(void **state)
{
    (void)state;
    char out[4200];
    path_in(out, sizeof out, "r-opt.h5");
    carecast("run", "--model", G.model, "--out", out, "--replicats", "5", "--horizon", "3", NULL);
    expect_status(2);
    expect_err("unknown option");
    expect_err("--replicats");
    expect_suggestion("--replicates");
    expect_absent(out);
    expect_no_tmp();
}

static void test_run_bad_date(void **state)
{
    (void)state;
    char out[4200];
    path_in(out, sizeof out, "r-date.h5");
    carecast("run", "--model", G.model, "--out", out, "--replicates", "5", "--horizon", "3",
             "--start", "2025-02-30", NULL);
    expect_status(2);
    expect_err("--start");
    expect_err("2025-02-30");
    expect_absent(out);
    expect_no_tmp();
}

/* A start before the history begins: the children open then are not known. */
static void test_run_start_before_history(void **state)
{
    (void)state;
    char out[4200];
    path_in(out, sizeof out, "r-early.h5");
    carecast("run", "--model", G.model, "--out", out, "--replicates", "3", "--horizon", "2",
             "--start", "1990-01-01", NULL);
    expect_status(2);
    expect_err("1990-01-01");
    expect_err("before");
    expect_absent(out);
    expect_no_tmp();
}

/* An output in a folder that does not exist, or an output that is a folder. */
static void test_run_bad_output_path(void **state)
{
    (void)state;
    char out[4200];
    path_in(out, sizeof out, "no-such-folder/r.h5");
    carecast("run", "--model", G.model, "--out", out, "--replicates", "3", "--horizon", "2", NULL);
    expect_status(2);
    expect_err("no-such-folder/r.h5:");
    expect_absent(out);
    path_in(out, sizeof out, "");
    carecast("run", "--model", G.model, "--out", out, "--replicates", "3", "--horizon", "2",
             "--force", NULL);
    expect_status(2);
    expect_err("is a folder");
    expect_no_tmp();
}

static void test_run_negative_replicates(void **state)
{
    (void)state;
    char out[4200];
    path_in(out, sizeof out, "r-neg.h5");
    carecast("run", "--model", G.model, "--out", out, "--replicates", "-3", "--horizon", "3", NULL);
    expect_status(2);
    expect_err("--replicates");
    expect_err("-3");
    expect_absent(out);
    expect_no_tmp();
}

static void test_run_zero_horizon(void **state)
{
    (void)state;
    char out[4200];
    path_in(out, sizeof out, "r-zero.h5");
    carecast("run", "--model", G.model, "--out", out, "--replicates", "5", "--horizon", "0", NULL);
    expect_status(2);
    expect_err("--horizon");
    expect_absent(out);
    expect_no_tmp();
}

/* ---- existing outputs ----------------------------------------------------------------- */

static void test_run_existing_output(void **state)
{
    (void)state;
    char out[4200];
    path_in(out, sizeof out, "existing.h5");
    static const char before[] = "precious: this file must survive a run without --force\n";
    write_file(out, before, sizeof before - 1);

    carecast("run", "--model", G.model, "--out", out, "--replicates", "5", "--horizon", "3", NULL);
    expect_status(2);
    expect_err(out);
    expect_err("--force");
    static char after[4096];
    long n = read_file(out, after, sizeof after);
    assert_int_equal(n, (long)(sizeof before - 1));
    assert_memory_equal(after, before, sizeof before - 1);
    expect_no_tmp();

    /* with --force the run succeeds and replaces the file with an HDF5 file */
    carecast("run", "--model", G.model, "--out", out, "--replicates", "5", "--horizon", "3",
             "--force", NULL);
    expect_status(0);
    static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    n = read_file(out, after, sizeof after);
    assert_true(n >= 8);
    assert_memory_equal(after, sig, 8);
    expect_no_tmp();
}

static void test_synth_existing_output(void **state)
{
    (void)state;
    char dir[4200], episodes[4300], population[4300], truth[4300];
    path_in(dir, sizeof dir, "synth-existing");
    snprintf(episodes, sizeof episodes, "%s/episodes.csv", dir);
    snprintf(population, sizeof population, "%s/population.csv", dir);
    snprintf(truth, sizeof truth, "%s/truth.h5", dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    static const char before[] = "child_id,hand,made\n1,2,3\n";
    write_file(episodes, before, sizeof before - 1);

    carecast("synth", "--out", dir, "--history-years", "2", NULL);
    expect_status(2);
    expect_err(episodes);
    expect_err("--force");
    static char after[4096];
    long n = read_file(episodes, after, sizeof after);
    assert_int_equal(n, (long)(sizeof before - 1));
    assert_memory_equal(after, before, sizeof before - 1);
    expect_absent(population);
    expect_absent(truth);
    expect_no_tmp();
}

/* ---- info and plot -------------------------------------------------------------------- */

static void test_info_missing_file(void **state)
{
    (void)state;
    char path[4200];
    path_in(path, sizeof path, "no-such-run.h5");
    carecast("info", path, NULL);
    expect_status(2);
    expect_err(path);
}

/* The run file made in the setup is readable by info (a control for the cases above). */
static void test_info_run_file(void **state)
{
    (void)state;
    carecast("info", G.runf, NULL);
    expect_status(0);
    expect_out(G.runf);
}

static void test_plot_bad_format(void **state)
{
    (void)state;
    char dir[4200];
    path_in(dir, sizeof dir, "charts-gif");
    carecast("plot", G.runf, "--out", dir, "--format", "gif", NULL);
    expect_status(2);
    expect_err("gif");
    expect_err("--format");
    expect_absent(dir);
    expect_no_tmp();
}

/* ---- commands and help ---------------------------------------------------------------- */

static void test_unknown_command(void **state)
{
    (void)state;
    carecast("rnu", NULL);
    expect_status(2);
    expect_err("rnu");
    expect_suggestion("run");
}

static void test_help(void **state)
{
    (void)state;
    carecast("help", "run", NULL);
    expect_status(0);
    expect_out("--replicates");
    expect_out("--model");

    carecast("run", "--help", NULL);
    expect_status(0);
    expect_out("--replicates");
    expect_out("--horizon");
}

static void test_no_arguments(void **state)
{
    (void)state;
    carecast(NULL);
    expect_status(2);
    expect_err("usage");
}

/* backtest with no data names what it expects; a missing --out is named */
static void test_backtest_usage(void **state)
{
    (void)state;
    carecast("backtest", NULL);
    expect_status(2);
    expect_err("published data");
    carecast("backtest", "scenarios/dfe", NULL);
    expect_status(2);
    expect_err("--out");
}

/* report without --out names the missing option; on a missing run file it names it */
static void test_report_usage(void **state)
{
    (void)state;
    carecast("report", "/nonexistent/run.h5", NULL);
    expect_status(2);
    expect_err("--out");
    carecast("report", "/nonexistent/run.h5", "--out", "/tmp/carecast-report-usage", NULL);
    expect_status(2);
    expect_err("/nonexistent/run.h5");
}

int main(void)
{
    const char *bin = getenv("CARECAST_BIN"), *home = getenv("CARECAST_HOME");
    if (!bin || !*bin || !home || !*home) {
        fprintf(stderr, "test_cli: CARECAST_BIN and CARECAST_HOME must be set, e.g.\n"
                        "  CARECAST_BIN=$PWD/build/carecast CARECAST_HOME=$PWD "
                        "build/tests/test_cli\n");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_missing_model),
        cmocka_unit_test(test_run_text_file_as_model),
        cmocka_unit_test(test_run_truncated_model),
        cmocka_unit_test(test_run_runfile_as_model),
        cmocka_unit_test(test_run_unknown_option),
        cmocka_unit_test(test_run_bad_date),
        cmocka_unit_test(test_run_start_before_history),
        cmocka_unit_test(test_run_bad_output_path),
        cmocka_unit_test(test_run_negative_replicates),
        cmocka_unit_test(test_run_zero_horizon),
        cmocka_unit_test(test_run_existing_output),
        cmocka_unit_test(test_synth_existing_output),
        cmocka_unit_test(test_info_missing_file),
        cmocka_unit_test(test_info_run_file),
        cmocka_unit_test(test_plot_bad_format),
        cmocka_unit_test(test_unknown_command),
        cmocka_unit_test(test_help),
        cmocka_unit_test(test_no_arguments),
        cmocka_unit_test(test_backtest_usage),
        cmocka_unit_test(test_report_usage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
