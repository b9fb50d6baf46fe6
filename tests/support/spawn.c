/* spawn.c -- see spawn.h. */
#include "support/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* Reads a capture file into buf (may be NULL) and removes it. */
static void take(const char *path, char *buf, size_t size)
{
    if (buf && size > 0) {
        buf[0] = '\0';
        FILE *f = fopen(path, "rb");
        if (f) {
            size_t n = fread(buf, 1, size - 1, f);
            buf[n] = '\0';
            fclose(f);
        }
    }
    unlink(path);
}

int spawn_capture(const char *exe, char *const *argv, const char *dir, char *out, size_t out_size,
                  char *err, size_t err_size)
{
    char out_path[4200], err_path[4200];
    snprintf(out_path, sizeof out_path, "%s/capture.stdout", dir);
    snprintf(err_path, sizeof err_path, "%s/capture.stderr", dir);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0)
        return -1000;
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (in < 0 || o < 0 || e < 0 || chdir(dir) != 0)
            _exit(126);
        dup2(in, STDIN_FILENO);
        dup2(o, STDOUT_FILENO);
        dup2(e, STDERR_FILENO);
        execv(exe, argv);
        _exit(127);
    }
    int ws = 0;
    while (waitpid(pid, &ws, 0) < 0)
        if (errno != EINTR)
            return -1000;
    take(out_path, out, out_size);
    take(err_path, err, err_size);
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1 - WTERMSIG(ws);
}
