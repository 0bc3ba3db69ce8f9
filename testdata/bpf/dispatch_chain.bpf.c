/* Members of a dispatcher chain. Each loaded instance gets its own `tag`
 * (1, 2, ...) and the instances share maps through --map-owner-id:
 *   visits[tag]    packets this instance saw;
 *   previous[tag]  the tag of the instance that ran just before it, so the
 *                  map proves the order the dispatcher ran them in;
 *   verdicts[tag]  the action to return plus 10, set by the test; 0 keeps
 *                  the default (XDP_PASS, TC_ACT_PIPE), which lets the
 *                  dispatcher go on with its default --proceed-on. */
#include "common.h"
#include <linux/pkt_cls.h>

const volatile __u32 tag = 1;

#define TAG_MAP(name)                           \
    struct {                                    \
        __uint(type, BPF_MAP_TYPE_ARRAY);       \
        __uint(max_entries, 16);                \
        __type(key, __u32);                     \
        __type(value, __u64);                   \
    } name SEC(".maps")

TAG_MAP(visits);
TAG_MAP(previous);
TAG_MAP(verdicts);
COUNTER_MAP(last_tag);

static __always_inline int visit(int fallback) {
    __u32 key = tag, zero = 0;
    __u64 *count = bpf_map_lookup_elem(&visits, &key);
    if (count)
        __sync_fetch_and_add(count, 1);
    __u64 *last = bpf_map_lookup_elem(&last_tag, &zero);
    __u64 *before = bpf_map_lookup_elem(&previous, &key);
    if (last && before) {
        *before = *last;
        *last = tag;
    }
    __u64 *verdict = bpf_map_lookup_elem(&verdicts, &key);
    if (verdict && *verdict)
        return (int)*verdict - 10;
    return fallback;
}

SEC("xdp")
int xdp_chain(struct xdp_md *ctx) {
    return visit(XDP_PASS);
}

SEC("tc")
int tc_chain(struct __sk_buff *skb) {
    return visit(TC_ACT_PIPE);
}

char LICENSE[] SEC("license") = "GPL";
