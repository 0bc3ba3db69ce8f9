/* Counts packets and records which program saw the first one: `tag` is set
 * per loaded instance, and the instances share `first_tag` through
 * --map-owner-id, so the map proves the order the kernel ran them in.
 * Returns TC_ACT_UNSPEC (TCX_NEXT), so the chain continues. */
#include "common.h"

const volatile __u64 tag = 1;

COUNTER_MAP(tc_count);
COUNTER_MAP(first_tag);

SEC("tc")
int tc_counter(struct __sk_buff *skb) {
    __u32 key = 0;
    bump(&tc_count, 1);
    __u64 *first = bpf_map_lookup_elem(&first_tag, &key);
    if (first && *first == 0)
        __sync_val_compare_and_swap(first, 0, tag);
    return -1;
}

char LICENSE[] SEC("license") = "GPL";
