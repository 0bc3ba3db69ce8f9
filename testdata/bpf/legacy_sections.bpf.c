/* One program per legacy or alternative section name that libbpf's loose
 * matching, cilium/ebpf and the reference bpfman accept but libbpf 1.x's
 * strict matching does not (or matches to another type): upstream bpfman's
 * own test bytecode puts TC and TCX programs in `classifier/NAME`. Each
 * program counts its runs in its own map. */
#include "common.h"

const volatile __u32 expected_pid = 0;

COUNTER_MAP(tcx_stats_count);
COUNTER_MAP(classifier_count);
COUNTER_MAP(action_count);
COUNTER_MAP(xdp_legacy_count);
COUNTER_MAP(xdp_frags_count);
COUNTER_MAP(tp_short_count);

/* Two more map types, for their names in `program get` and image labels. */
struct {
    __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
    __uint(max_entries, 1);
    __type(key, __u32);
    __type(value, __u64);
} per_cpu_counts SEC(".maps");

struct {
    __uint(type, BPF_MAP_TYPE_LRU_HASH);
    __uint(max_entries, 16);
    __type(key, __u32);
    __type(value, __u64);
} lru_table SEC(".maps");

SEC("classifier/tcx_stats")
int tcx_stats(struct __sk_buff *skb) {
    bump(&tcx_stats_count, 1);
    return -1; /* TCX_NEXT / TC_ACT_UNSPEC */
}

SEC("classifier")
int tc_classifier(struct __sk_buff *skb) {
    bump(&classifier_count, 1);
    return -1;
}

SEC("action/tc_action")
int tc_action(struct __sk_buff *skb) {
    bump(&action_count, 1);
    return -1;
}

SEC("xdp/xdp_legacy")
int xdp_legacy(struct xdp_md *ctx) {
    bump(&xdp_legacy_count, 1);
    return XDP_PASS;
}

SEC("xdp.frags")
int xdp_frags(struct xdp_md *ctx) {
    bump(&xdp_frags_count, 1);
    return XDP_PASS;
}

SEC("tp/syscalls/sys_enter_getppid")
int tp_short(void *ctx) {
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    __u64 one = 1;
    if (pid_matches(expected_pid))
        bump(&tp_short_count, 1);
    bump(&per_cpu_counts, 1);
    bpf_map_update_elem(&lru_table, &pid, &one, BPF_ANY);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
