/* The process tests probe.
 *
 *   probe_target N [probe|malloc]           wait for a byte on stdin, make N calls, exit
 *   probe_target N [probe|malloc] TRIGGER   wait until file TRIGGER exists, make N calls,
 *                                           create TRIGGER.done, then sleep until killed
 *   probe_target 0 malloc-loop              call malloc ten times a second, forever
 *
 * A call is bpfman_test_probe() (mode probe, the default) or malloc()+free()
 * (mode malloc). Nothing else runs between the trigger and the calls, so a
 * probe sees exactly N of them. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile unsigned long bpfman_test_sink;

__attribute__((noinline)) int bpfman_test_probe(int value) {
    bpfman_test_sink += (unsigned long)value;   /* side effect keeps calls */
    return value + 1;
}

static void call_malloc(void) {
    void *volatile p = malloc(64);
    bpfman_test_sink += (unsigned long)p & 1;
    free(p);
}

int main(int argc, char **argv) {
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
    const char *mode = argc > 2 ? argv[2] : "probe";
    const char *trigger = argc > 3 ? argv[3] : NULL;
    int use_malloc = strncmp(mode, "malloc", 6) == 0;

    if (strcmp(mode, "malloc-loop") == 0) {
        for (;;) {
            call_malloc();
            usleep(100000);
        }
    }
    if (trigger) {
        while (access(trigger, F_OK) != 0)
            usleep(2000);
    } else {
        char byte;
        if (read(0, &byte, 1) < 0)
            return 2;
    }
    for (long i = 0; i < count; i++) {
        if (use_malloc)
            call_malloc();
        else
            bpfman_test_probe((int)i);
    }
    if (trigger) {
        char done[4096];
        strncpy(done, trigger, sizeof(done) - 8);
        done[sizeof(done) - 8] = 0;
        strcat(done, ".done");
        int fd = open(done, O_CREAT | O_WRONLY, 0644);
        if (fd >= 0)
            close(fd);
        for (;;)
            pause();
    }
    if (write(1, "done\n", 5) != 5)
        return 3;
    return 0;
}
