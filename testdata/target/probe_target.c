/* The process tests probe. Usage: probe_target N [mode]
 * Waits for one byte on stdin (so a test can attach first), then calls
 * bpfman_test_probe N times (mode "probe", the default) or malloc N times
 * (mode "malloc"), prints "done" and exits. Uses no stdio before the calls. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile unsigned long bpfman_test_sink;

__attribute__((noinline)) int bpfman_test_probe(int value) {
    bpfman_test_sink += (unsigned long)value;   /* side effect keeps calls */
    return value + 1;
}

int main(int argc, char **argv) {
    long count = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
    int use_malloc = argc > 2 && strcmp(argv[2], "malloc") == 0;
    char byte;
    if (read(0, &byte, 1) < 0)
        return 2;
    for (long i = 0; i < count; i++) {
        if (use_malloc) {
            void *volatile p = malloc(64);
            bpfman_test_sink += (unsigned long)p & 1;
            free(p);
        } else {
            bpfman_test_probe((int)i);
        }
    }
    if (write(1, "done\n", 5) != 5)
        return 3;
    return 0;
}
