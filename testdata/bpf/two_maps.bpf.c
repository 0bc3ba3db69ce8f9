/* A program with two maps of different types. */
#include "common.h"

COUNTER_MAP(calls);

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 64);
    __type(key, __u32);
    __type(value, __u64);
} per_pid SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int two_maps(void *ctx) {
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    __u64 one = 1;
    bump(&calls, 1);
    bpf_map_update_elem(&per_pid, &pid, &one, BPF_ANY);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
