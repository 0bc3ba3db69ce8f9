/* Counts packets and passes them. */
#include "common.h"

COUNTER_MAP(xdp_count);

SEC("xdp")
int xdp_counter(struct xdp_md *ctx) {
    bump(&xdp_count, 1);
    return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
