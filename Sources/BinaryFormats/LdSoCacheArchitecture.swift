extension LdSoCache {
    /// Which `ld.so.cache` entries glibc's loader uses on one architecture:
    /// its `_dl_cache_check_flags`.
    ///
    /// glibc's generic check (`sysdeps/generic/dl-cache.h`) accepts flags
    /// equal to `FLAG_ELF` (1) or to `_DL_CACHE_DEFAULT_ID`. x86-64, AArch64,
    /// 64-bit PowerPC, s390x and RISC-V override it to accept only their
    /// default id (`sysdeps/unix/sysv/linux/*/dl-cache.h`); Debian 12's glibc
    /// 2.36 on x86-64 ignores an entry whose flags are 1. 32-bit x86 keeps
    /// the generic check.
    package struct Architecture: Hashable, Sendable {
        /// `_DL_CACHE_DEFAULT_ID`: the flags ldconfig writes for this
        /// architecture's libraries, `FLAG_ELF_LIBC6` (3) with the
        /// architecture's `FLAG_*` bits.
        package let defaultID: Int32
        /// Whether glibc's generic check applies, which also accepts plain `FLAG_ELF` (1).
        package let acceptsPlainELF: Bool

        /// Creates an architecture from its default id and check.
        package init(defaultID: Int32, acceptsPlainELF: Bool) {
            self.defaultID = defaultID
            self.acceptsPlainELF = acceptsPlainELF
        }

        /// x86-64 (`FLAG_X8664_LIB64 | FLAG_ELF_LIBC6`, `0x0303`), default id only.
        package static let x86_64 = Architecture(defaultID: 0x0303, acceptsPlainELF: false)
        /// AArch64 (`FLAG_AARCH64_LIB64 | FLAG_ELF_LIBC6`, `0x0a03`), default id only.
        package static let aarch64 = Architecture(defaultID: 0x0a03, acceptsPlainELF: false)
        /// 32-bit x86: the generic check, `FLAG_ELF` (1) or `FLAG_ELF_LIBC6` (3).
        package static let i386 = Architecture(defaultID: 0x0003, acceptsPlainELF: true)
        /// 64-bit PowerPC (`FLAG_POWERPC_LIB64 | FLAG_ELF_LIBC6`, `0x0503`), default id only.
        package static let ppc64 = Architecture(defaultID: 0x0503, acceptsPlainELF: false)
        /// s390x (`FLAG_S390_LIB64 | FLAG_ELF_LIBC6`, `0x0403`), default id only.
        package static let s390x = Architecture(defaultID: 0x0403, acceptsPlainELF: false)
        /// RISC-V 64 with the double-float ABI (`FLAG_RISCV_FLOAT_ABI_DOUBLE | FLAG_ELF_LIBC6`, `0x1003`), default id only.
        package static let riscv64 = Architecture(defaultID: 0x1003, acceptsPlainELF: false)

        /// The architecture this code was compiled for, or `nil` when it has no known encoding.
        package static var current: Architecture? {
            #if arch(x86_64)
            return .x86_64
            #elseif arch(arm64)
            return .aarch64
            #elseif arch(i386)
            return .i386
            #elseif arch(powerpc64le) || arch(powerpc64)
            return .ppc64
            #elseif arch(s390x)
            return .s390x
            #elseif arch(riscv64)
            return .riscv64
            #else
            return nil
            #endif
        }

        /// Whether glibc's loader on this architecture uses an entry with `flags`.
        package func accepts(flags: Int32) -> Bool {
            flags == defaultID || (acceptsPlainELF && flags == 1)
        }
    }
}
