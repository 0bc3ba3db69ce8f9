#include <sys/auxv.h>
#include "CLinuxShims.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#ifndef __NR_bpf
#define __NR_bpf 321
#endif

unsigned long cshim_program_headers(void) { return getauxval(AT_PHDR); }
unsigned long cshim_program_header_count(void) { return getauxval(AT_PHNUM); }
int cshim_pipe_cloexec(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
int cshim_setns(int fd, int nstype) { return setns(fd, nstype); }
int cshim_set_thread_name(const char *name) {
    char truncated[16];
    strncpy(truncated, name, sizeof truncated - 1);
    truncated[sizeof truncated - 1] = 0;
    return pthread_setname_np(pthread_self(), truncated);
}
static _Thread_local int thread_tainted;
void cshim_thread_taint(void) { thread_tainted = 1; }
int cshim_thread_tainted(void) { return thread_tainted; }
long cshim_statfs_type(const char *path) {
    struct statfs info;
    if (statfs(path, &info) != 0) return -1;
    return (long)info.f_type;
}
int cshim_mount(const char *source, const char *target, const char *type,
                unsigned long flags, const char *data) {
    return mount(source, target, type, flags, data);
}
int cshim_clone_newns(void) { return CLONE_NEWNS; }
int cshim_clone_newnet(void) { return CLONE_NEWNET; }

int cshim_perf_event_open(uint32_t type, uint64_t config, uint64_t config1,
                          uint64_t config2, pid_t pid, int cpu) {
    struct perf_event_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.size = sizeof(attr);
    attr.type = type;
    attr.config = config;
    attr.config1 = config1;
    attr.config2 = config2;
    attr.sample_period = 1;
    attr.wakeup_events = 1;
    return (int)syscall(__NR_perf_event_open, &attr, pid, cpu, -1,
                        PERF_FLAG_FD_CLOEXEC);
}

uint32_t cshim_perf_type_tracepoint(void) { return PERF_TYPE_TRACEPOINT; }

/* The kernel's bpf_attr.link_create as of 6.6, spelled out because the
 * system's linux/bpf.h (6.1) lacks the tcx members. */
struct cshim_link_create_attr {
    uint32_t prog_fd;
    uint32_t target;          /* target_fd or target_ifindex */
    uint32_t attach_type;
    uint32_t flags;
    union {
        struct {
            uint32_t relative_id;
            uint32_t pad;
            uint64_t expected_revision;
        } tcx;
    };
};

struct cshim_query_attr {
    uint32_t target;          /* target_fd or target_ifindex */
    uint32_t attach_type;
    uint32_t query_flags;
    uint32_t attach_flags;
    uint64_t prog_ids;
    uint32_t count;
    uint32_t pad;
    uint64_t prog_attach_flags;
    uint64_t link_ids;
    uint64_t link_attach_flags;
    uint64_t revision;
};

enum { CSHIM_BPF_PROG_QUERY = 16, CSHIM_BPF_LINK_CREATE = 28 };

static int cshim_bpf(int cmd, void *attr, size_t size) {
    return (int)syscall(__NR_bpf, cmd, attr, size);
}

int cshim_bpf_link_create_tcx(int prog_fd, uint32_t ifindex,
                              uint32_t attach_type, uint32_t flags,
                              uint32_t relative_id, uint64_t expected_revision) {
    union { struct cshim_link_create_attr link; char raw[128]; } attr;
    memset(&attr, 0, sizeof(attr));
    attr.link.prog_fd = (uint32_t)prog_fd;
    attr.link.target = ifindex;
    attr.link.attach_type = attach_type;
    attr.link.flags = flags;
    attr.link.tcx.relative_id = relative_id;
    attr.link.tcx.expected_revision = expected_revision;
    return cshim_bpf(CSHIM_BPF_LINK_CREATE, &attr, sizeof(attr.link));
}

int cshim_bpf_prog_query_tcx(uint32_t ifindex, uint32_t attach_type,
                             uint32_t *prog_ids, uint32_t *link_ids,
                             uint32_t *count, uint64_t *revision) {
    union { struct cshim_query_attr query; char raw[128]; } attr;
    memset(&attr, 0, sizeof(attr));
    attr.query.target = ifindex;
    attr.query.attach_type = attach_type;
    attr.query.prog_ids = (uint64_t)(uintptr_t)prog_ids;
    attr.query.link_ids = (uint64_t)(uintptr_t)link_ids;
    attr.query.count = *count;
    int ret = cshim_bpf(CSHIM_BPF_PROG_QUERY, &attr, sizeof(attr.query));
    if (ret == 0 || errno == ENOSPC) {
        *count = attr.query.count;
        *revision = attr.query.revision;
    }
    return ret;
}
