/* Several programs in one object, of different types. */
#include "common.h"

COUNTER_MAP(multi_count);

SEC("uprobe")
int multi_uprobe(void *ctx) { bump(&multi_count, 1); return 0; }

SEC("tracepoint/syscalls/sys_enter_getppid")
int multi_tracepoint(void *ctx) { bump(&multi_count, 1); return 0; }

SEC("xdp")
int multi_xdp(struct xdp_md *ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
