/* bpfman's TC dispatcher, attached as a direct-action cls_bpf filter.
 * bpfman fills in `conf` before loading each revision. TC action codes
 * start at -1 (TC_ACT_UNSPEC), so action N sits at bit N + 1 of a slot's
 * bitmask. When every enabled slot asked to go on, the packet is accepted. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "dispatcher.h"

struct dispatcher_config {
	__u8 num_progs_enabled;
	__u32 chain_call_actions[SLOTS];
	__u32 run_prios[SLOTS];
};

volatile const struct dispatcher_config conf = {};

/* An empty slot returns 30 (`dispatcher_return`). */
DEFINE_SLOTS(struct __sk_buff, 30, TC_ACT_SHOT)

SEC("tc")
int tc_dispatcher(struct __sk_buff *ctx)
{
	RUN_SLOTS(-1, TC_ACT_OK)
}

char LICENSE[] SEC("license") = "GPL";
