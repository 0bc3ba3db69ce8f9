// Umbrella header over Debian's libbpf (libbpf-dev), plus inline helpers for
// the few BTF accessors libbpf only ships as macros or header-inline code.
#ifndef CLIBBPF_H
#define CLIBBPF_H

#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <linux/bpf.h>

/// Number of `btf_var_secinfo` entries of a DATASEC type.
static inline unsigned clibbpf_btf_vlen(const struct btf_type *t) {
    return btf_vlen(t);
}

/// Whether `t` is a DATASEC type.
static inline int clibbpf_btf_is_datasec(const struct btf_type *t) {
    return btf_is_datasec(t);
}

/// The `index`th variable of a DATASEC type.
static inline const struct btf_var_secinfo *
clibbpf_btf_var_secinfo(const struct btf_type *t, unsigned index) {
    return btf_var_secinfos(t) + index;
}

#endif
