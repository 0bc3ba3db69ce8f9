/* Shared definitions for bpfman's test programs. */
#ifndef BPFMAN_TEST_COMMON_H
#define BPFMAN_TEST_COMMON_H
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* A one-slot u64 counter map. */
#define COUNTER_MAP(name)                       \
    struct {                                    \
        __uint(type, BPF_MAP_TYPE_ARRAY);       \
        __uint(max_entries, 1);                 \
        __type(key, __u32);                     \
        __type(value, __u64);                   \
    } name SEC(".maps")

static __always_inline void bump(void *map, __u64 by) {
    __u32 key = 0;
    __u64 *value = bpf_map_lookup_elem(map, &key);
    if (value)
        __sync_fetch_and_add(value, by);
}

/* Whether the current process passes a `0 = any` pid filter. */
static __always_inline int pid_matches(__u32 expected) {
    return expected == 0 || (bpf_get_current_pid_tgid() >> 32) == expected;
}
#endif
