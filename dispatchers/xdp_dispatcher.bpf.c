/* bpfman's XDP dispatcher. bpfman fills in `conf` before loading each
 * revision; its layout is libxdp's dispatcher configuration, version 2, so
 * tools that read it understand it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "dispatcher.h"

struct dispatcher_config {
	__u8 magic;               /* 236 */
	__u8 dispatcher_version;  /* 2 */
	__u8 num_progs_enabled;
	__u8 is_xdp_frags;
	__u32 chain_call_actions[SLOTS];
	__u32 run_prios[SLOTS];
	__u32 program_flags[SLOTS];
};

volatile const struct dispatcher_config conf = {};

/* An empty slot returns 31 (`dispatcher_return`). */
DEFINE_SLOTS(struct xdp_md, 31, XDP_ABORTED)

SEC("xdp")
int xdp_dispatcher(struct xdp_md *ctx)
{
	RUN_SLOTS(0, XDP_PASS)
}

char LICENSE[] SEC("license") = "GPL";
