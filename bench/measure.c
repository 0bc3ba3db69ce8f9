/*
 * measure CMD [ARG...]: runs CMD, passing its exit status on, and writes
 * "SECONDS MAXRSS_KIB\n" (wall time from fork to reaping, the child's peak
 * RSS) to file descriptor 3.
 *
 * The benchmark program starts every command through this small process.
 * Started by the benchmark itself (posix_spawn, a vfork), a command would
 * report the benchmark's own peak RSS: at exec Linux keeps the larger of
 * the old and new address spaces' peaks in the process's maxrss.
 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid < 0) return 126;
    if (pid == 0) {
        close(3);
        execv(argv[1], argv + 1);
        _exit(127);
    }
    int status = 0;
    struct rusage usage;
    if (wait4(pid, &status, 0, &usage) < 0) return 126;
    clock_gettime(CLOCK_MONOTONIC, &end);
    double seconds = (double)(end.tv_sec - start.tv_sec) + (double)(end.tv_nsec - start.tv_nsec) / 1e9;
    dprintf(3, "%.9f %ld\n", seconds, usage.ru_maxrss);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
