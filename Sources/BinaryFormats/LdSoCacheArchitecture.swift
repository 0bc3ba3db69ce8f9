extension LdSoCache {
    /// The architecture an `ld.so.cache` entry must be built for, as encoded in its flags.
    ///
    /// A cache entry matches when its low byte is `FLAG_ELF_LIBC6` (`0x03`) and
    /// its required-architecture byte (`flags & 0xff00`) equals `requiredFlags`.
    package struct Architecture: Hashable, Sendable {
        /// `FLAG_ELF_LIBC6`: the library type of every glibc library.
        package static let elfLibc6Flag: Int32 = 0x0003
        /// Mask of the library type byte (`FLAG_TYPE_MASK`).
        package static let typeMask: Int32 = 0x00ff
        /// Mask of the required-architecture byte (`FLAG_REQUIRED_MASK`).
        package static let requiredMask: Int32 = 0xff00

        /// The required-architecture bits, for example `0x0300` (`FLAG_X8664_LIB64`).
        package let requiredFlags: Int32

        /// Creates an architecture from its `FLAG_*` required-architecture bits.
        package init(requiredFlags: Int32) {
            self.requiredFlags = requiredFlags & Architecture.requiredMask
        }

        /// x86-64 (`FLAG_X8664_LIB64`, `0x0300`).
        package static let x86_64 = Architecture(requiredFlags: 0x0300)
        /// AArch64 (`FLAG_AARCH64_LIB64`, `0x0a00`).
        package static let aarch64 = Architecture(requiredFlags: 0x0a00)
        /// 32-bit x86, which has no required-architecture bits.
        package static let i386 = Architecture(requiredFlags: 0x0000)
        /// 64-bit little-endian PowerPC (`FLAG_POWERPC_LIB64`, `0x0500`).
        package static let ppc64 = Architecture(requiredFlags: 0x0500)
        /// s390x (`FLAG_S390_LIB64`, `0x0400`).
        package static let s390x = Architecture(requiredFlags: 0x0400)
        /// RISC-V 64 with the double-float ABI (`FLAG_RISCV_FLOAT_ABI_DOUBLE`, `0x1000`).
        package static let riscv64 = Architecture(requiredFlags: 0x1000)

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

        /// Whether an entry with `flags` is an ELF libc6 library for this architecture.
        package func matches(flags: Int32) -> Bool {
            flags & Architecture.typeMask == Architecture.elfLibc6Flag
                && flags & Architecture.requiredMask == requiredFlags
        }
    }
}
