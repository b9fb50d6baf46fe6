/* cli.c -- option tables, parsing, help text and resource paths. */
#include "cli.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "date.h"
#include "util.h"

static int find(const cli_spec *spec, const char *name, size_t len)
{
    for (int i = 0; spec[i].name; i++)
        if (strlen(spec[i].name) == len && !strncmp(spec[i].name, name, len))
            return i;
    return -1;
}

static const char *type_text(cli_type t)
{
    switch (t) {
    case CLI_LONG:
        return "an integer";
    case CLI_DOUBLE:
        return "a number";
    case CLI_DATE:
        return "a date YYYY-MM-DD";
    default:
        return "a value";
    }
}

int cli_parse(int argc, char **argv, const cli_spec *spec, cli_opts *o, cc_err *err)
{
    memset(o, 0, sizeof *o);
    o->spec = spec;
    int bad = 0;
    const char *cmd = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            if (a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9')) {
                cc_fail(err, CC_EUSAGE, "%s: unknown option '%s' (options start with --)", cmd, a);
                bad++;
            } else if (o->npos < CLI_MAX_POS) {
                o->pos[o->npos++] = a;
            }
            continue;
        }
        const char *name = a + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        int k = find(spec, name, len);
        if (k < 0) {
            const char *cands[CLI_MAX_OPTS];
            int n = 0;
            for (; spec[n].name && n < CLI_MAX_OPTS; n++)
                cands[n] = spec[n].name;
            char word[64];
            util_copy(word, name, len + 1 < sizeof word ? len + 1 : sizeof word);
            int near = util_nearest(word, cands, n);
            cc_fail(err, CC_EUSAGE, "%s: unknown option '--%s'%s%s%s (see carecast help %s)", cmd,
                    word, near >= 0 ? "; did you mean '--" : "", near >= 0 ? cands[near] : "",
                    near >= 0 ? "'?" : "", cmd);
            bad++;
            continue;
        }
        if (spec[k].type == CLI_FLAG) {
            o->value[k] = "yes";
            if (!strcmp(spec[k].name, "force"))
                o->force = true;
            continue;
        }
        const char *v = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!v) {
            cc_fail(err, CC_EUSAGE, "%s: option --%s needs %s (%s)", cmd, spec[k].name,
                    type_text(spec[k].type), spec[k].metavar);
            bad++;
            continue;
        }
        o->value[k] = v;
        bool ok = true;
        if (spec[k].type == CLI_LONG)
            ok = util_parse_long(v, &o->lval[k]);
        else if (spec[k].type == CLI_DOUBLE)
            ok = util_parse_double(v, &o->dval[k]);
        else if (spec[k].type == CLI_DATE) {
            int day;
            ok = date_parse(v, &day);
            o->lval[k] = day;
        }
        if (!ok) {
            cc_fail(err, CC_EUSAGE, "%s: --%s '%s': expected %s", cmd, spec[k].name, v,
                    type_text(spec[k].type));
            bad++;
        }
    }
    return bad ? CC_EUSAGE : CC_OK;
}

static int index_of(const cli_opts *o, const char *name)
{
    int k = find(o->spec, name, strlen(name));
    return k >= 0 && o->value[k] ? k : -1;
}

const char *cli_text(const cli_opts *o, const char *name, const char *def)
{
    int k = index_of(o, name);
    return k >= 0 ? o->value[k] : def;
}

long cli_long(const cli_opts *o, const char *name, long def)
{
    int k = index_of(o, name);
    return k >= 0 ? o->lval[k] : def;
}

double cli_double(const cli_opts *o, const char *name, double def)
{
    int k = index_of(o, name);
    return k >= 0 ? o->dval[k] : def;
}

int cli_date(const cli_opts *o, const char *name, int def)
{
    int k = index_of(o, name);
    return k >= 0 ? (int)o->lval[k] : def;
}

bool cli_given(const cli_opts *o, const char *name)
{
    return index_of(o, name) >= 0;
}

int cli_report(int status, const cc_err *err)
{
    if (status == CC_OK)
        return status;
    const char *p = err->msg;
    if (!*p) {
        fprintf(stderr, "carecast: %s\n", cc_strerror(status));
        return status;
    }
    while (*p) {
        const char *nl = strchr(p, '\n');
        int len = nl ? (int)(nl - p) : (int)strlen(p);
        fprintf(stderr, "carecast: %.*s\n", len, p);
        p += len + (nl ? 1 : 0);
    }
    return status;
}

void cli_usage(FILE *f, const cli_command *cmd)
{
    fprintf(f, "usage: carecast %s\n\n%s\n", cmd->synopsis, cmd->summary);
    if (!cmd->options || !cmd->options[0].name)
        return;
    fprintf(f, "\noptions:\n");
    for (int i = 0; cmd->options[i].name; i++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", cmd->options[i].name,
                 cmd->options[i].metavar ? " " : "",
                 cmd->options[i].metavar ? cmd->options[i].metavar : "");
        fprintf(f, "  %-24s %s\n", left, cmd->options[i].help);
    }
    fprintf(f, "  %-24s %s\n", "--help", "show this help");
}

const char *cli_home(void)
{
    static char home[PATH_MAX];
    if (home[0])
        return home;
    const char *env = getenv("CARECAST_HOME");
    if (env && *env) {
        util_copy(home, env, sizeof home);
        return home;
    }
    /* The binary sits in the source tree's build/ (or build/san-NAME); look upwards from it
     * for the folder that holds models/standard.ini. */
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    util_copy(home, ".", sizeof home);
    if (n <= 0)
        return home;
    exe[n] = '\0';
    char *dir = dirname(exe);
    for (int up = 0; up < 3; up++) {
        char probe[PATH_MAX + 32];
        snprintf(probe, sizeof probe, "%s/models/standard.ini", dir);
        if (util_exists(probe)) {
            util_copy(home, dir, sizeof home);
            break;
        }
        dir = dirname(dir);
    }
    return home;
}

const char *cli_default_definition(void)
{
    static char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/models/standard.ini", cli_home());
    return path;
}

int cli_make_dir(const char *dir, cc_err *err)
{
    char buf[PATH_MAX];
    util_copy(buf, dir, sizeof buf);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return cc_fail(err, CC_EIO, "%s: cannot create folder", buf);
        *p = '/';
    }
    if (mkdir(buf, 0777) != 0 && errno != EEXIST)
        return cc_fail(err, CC_EIO, "%s: cannot create folder", buf);
    return CC_OK;
}

static char command_line[4096];

const char *cli_command_line(void)
{
    return command_line;
}

void cli_set_command_line(int argc, char **argv)
{
    size_t used = 0;
    for (int i = 0; i < argc && used + 2 < sizeof command_line; i++) {
        int n = snprintf(command_line + used, sizeof command_line - used, "%s%s", i ? " " : "",
                         argv[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}
