/* Dereferences a pointer made from a random number: the verifier rejects
 * it with "invalid mem access 'scalar'". */
#include "common.h"

SEC("tracepoint/syscalls/sys_enter_getppid")
int rejected(void *ctx) {
    long *pointer = (long *)(unsigned long)bpf_get_prandom_u32();
    return (int)*pointer;
}

char LICENSE[] SEC("license") = "GPL";
