/* The floor for bpfman's benchmarks: the same syscalls a bpfman command
 * makes (libbpf open/load/pin, perf_event_open + BPF link + pin, id walks),
 * with nothing else. Each mode does one operation and exits.
 *
 *   floor load OBJ PROG PINDIR          open, load, pin prog and maps
 *   floor attach PROGPIN PATH OFF LINK  uprobe perf event + link + pin
 *   floor attach-ns PID PROGPIN PATH OFF LINK   the same after setns into PID's mount ns
 *   floor list                          walk every program id and read its info
 *   floor unpin PATH...                 unlink pins
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int read_int(const char *path) {
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0) return -1;
    close(fd);
    const char *p = strchr(buf, ':');
    return atoi(p ? p + 1 : buf);
}

static int uprobe(const char *prog_pin, const char *path, unsigned long off, const char *link_pin, int ns_pid) {
    int type = read_int("/sys/bus/event_source/devices/uprobe/type");
    int prog = bpf_obj_get(prog_pin);
    int home = -1;
    if (ns_pid > 0) {
        char ns[64];
        snprintf(ns, sizeof(ns), "/proc/%d/ns/mnt", ns_pid);
        home = open("/proc/self/ns/mnt", O_RDONLY);
        int target = open(ns, O_RDONLY);
        if (setns(target, CLONE_NEWNS)) { perror("setns"); return 1; }
    }
    struct perf_event_attr attr = {.size = sizeof(attr), .type = type, .config1 = (unsigned long)path, .config2 = off,
                                   .sample_period = 1, .wakeup_events = 1};
    int pfd = syscall(__NR_perf_event_open, &attr, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
    if (home >= 0 && setns(home, CLONE_NEWNS)) { perror("setns back"); return 1; }
    if (pfd < 0) { perror("perf_event_open"); return 1; }
    int link = bpf_link_create(prog, pfd, BPF_PERF_EVENT, NULL);
    if (link < 0 || bpf_obj_pin(link, link_pin)) { perror("link"); return 1; }
    return 0;
}

int main(int argc, char **argv) {
    libbpf_set_print(NULL);
    if (argc < 2) return 2;
    if (!strcmp(argv[1], "load") && argc == 5) {
        struct bpf_object *obj = bpf_object__open_file(argv[2], NULL);
        if (!obj || bpf_object__load(obj)) return 1;
        char path[4096];
        snprintf(path, sizeof(path), "%s/prog", argv[4]);
        if (bpf_program__pin(bpf_object__find_program_by_name(obj, argv[3]), path)) return 1;
        struct bpf_map *map;
        bpf_object__for_each_map(map, obj) {
            if (bpf_map__is_internal(map)) continue;
            snprintf(path, sizeof(path), "%s/%s", argv[4], bpf_map__name(map));
            if (bpf_map__pin(map, path)) return 1;
        }
        return 0;
    }
    if (!strcmp(argv[1], "attach") && argc == 6) return uprobe(argv[2], argv[3], strtoul(argv[4], 0, 0), argv[5], 0);
    if (!strcmp(argv[1], "attach-ns") && argc == 7) return uprobe(argv[3], argv[4], strtoul(argv[5], 0, 0), argv[6], atoi(argv[2]));
    if (!strcmp(argv[1], "list")) {
        __u32 id = 0;
        while (!bpf_prog_get_next_id(id, &id)) {
            int fd = bpf_prog_get_fd_by_id(id);
            struct bpf_prog_info info = {0};
            __u32 len = sizeof(info);
            bpf_obj_get_info_by_fd(fd, &info, &len);
            close(fd);
        }
        return 0;
    }
    if (!strcmp(argv[1], "unpin")) {
        for (int i = 2; i < argc; i++) unlink(argv[i]);
        return 0;
    }
    return 2;
}
