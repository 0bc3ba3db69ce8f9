// Thin C wrappers for Linux calls that Glibc's Swift overlay hides (they need
// _GNU_SOURCE) or that take structs Swift cannot build (perf_event_attr with
// bitfields, bpf_attr layouts newer than the system headers). Every symbol is
// prefixed `cshim_`; each returns what the syscall returns (-1 and errno set).
#ifndef CLINUXSHIMS_H
#define CLINUXSHIMS_H

#include <stdint.h>
#include <sys/types.h>

/// getauxval(3) for AT_PHDR: the address of the executable's program headers.
unsigned long cshim_program_headers(void);
/// getauxval(3) for AT_PHNUM: how many program headers the executable has.
unsigned long cshim_program_header_count(void);

/// pipe2(2) with O_CLOEXEC: both ends close-on-exec from the start, so a
/// spawn on another thread cannot inherit them.
int cshim_pipe_cloexec(int fds[2]);
/// setns(2).
int cshim_setns(int fd, int nstype);
/// pthread_setname_np(3) on the calling thread (at most 15 bytes are kept).
int cshim_set_thread_name(const char *name);
/// Marks the calling thread as left in a state it cannot undo (a namespace
/// it failed to leave). A thread-local flag; it is never cleared.
void cshim_thread_taint(void);
/// Whether `cshim_thread_taint` was called on the calling thread.
int cshim_thread_tainted(void);
/// The CLONE_NEWNS constant.
int cshim_clone_newns(void);
/// The CLONE_NEWNET constant.
int cshim_clone_newnet(void);

/// statfs(2)'s `f_type` for `path`, or -1 with errno set.
long cshim_statfs_type(const char *path);
/// mount(2).
int cshim_mount(const char *source, const char *target, const char *type,
                unsigned long flags, const char *data);

/// perf_event_open(2) for a tracing event: `type` is the PMU (uprobe PMU,
/// PERF_TYPE_TRACEPOINT...), with `config`, `config1` (uprobe: path pointer),
/// `config2` (uprobe: file offset). Sample period 1, close-on-exec.
int cshim_perf_event_open(uint32_t type, uint64_t config, uint64_t config1,
                          uint64_t config2, pid_t pid, int cpu);

/// The PERF_TYPE_TRACEPOINT constant.
uint32_t cshim_perf_type_tracepoint(void);

/// Raw BPF_LINK_CREATE for tcx (attach types BPF_TCX_INGRESS/EGRESS, kernel
/// 6.6+), whose bpf_attr fields the system headers predate: `relative_id` and
/// `expected_revision` fill `link_create.tcx`.
int cshim_bpf_link_create_tcx(int prog_fd, uint32_t ifindex,
                              uint32_t attach_type, uint32_t flags,
                              uint32_t relative_id, uint64_t expected_revision);


/// Raw BPF_PROG_QUERY for tcx: fills `prog_ids`/`link_ids` (capacity `*count`,
/// updated to the real count) and `*revision`.
int cshim_bpf_prog_query_tcx(uint32_t ifindex, uint32_t attach_type,
                             uint32_t *prog_ids, uint32_t *link_ids,
                             uint32_t *count, uint64_t *revision);

#endif
