import Foundation
import Testing
import TestSupport

/// A container's own `/etc/ld.so.cache`, written by the test in the new
/// format only, is read the way glibc's loader in that container reads it:
/// the loader itself (`ld.so --preload NAME --list`) is asked first, and
/// bpfman must agree with it, resolve the library when the loader does and
/// count exactly the calls made through it.
@Suite(.requiresRoot, .tags(.privileged, .containers), .serialized)
struct ContainerLdSoCacheTests {
    /// One synthetic cache: its entry's flags, the header's flags byte, its `len_strings`.
    struct Variant: Sendable, CustomTestStringConvertible {
        var flags: Int32
        var endianFlag: UInt8
        var lenStrings: UInt32
        /// Whether glibc's loader (and so bpfman) resolves the library through it.
        var resolves: Bool
        var testDescription: String {
            "flags 0x\(String(flags, radix: 16)), endianness byte \(endianFlag), len_strings \(lenStrings)"
        }
    }

    /// `_DL_CACHE_DEFAULT_ID`: the only entry flags glibc's loader accepts on
    /// x86-64 (0x0303) and AArch64 (0x0a03); a plain FLAG_ELF (1) is ignored there.
    static let defaultID: Int32 = {
        #if arch(arm64)
        0x0a03
        #else
        0x0303
        #endif
    }()

    static let hostEndianFlag: UInt8 = 1.littleEndian == 1 ? 2 : 3

    static let variants: [Variant] = [
        Variant(flags: defaultID, endianFlag: 0, lenStrings: 0, resolves: true),
        Variant(flags: defaultID, endianFlag: hostEndianFlag, lenStrings: 0xffff_ffff, resolves: true),
        Variant(flags: 1, endianFlag: 0, lenStrings: 0, resolves: false),
        Variant(flags: defaultID, endianFlag: hostEndianFlag ^ 1, lenStrings: 0, resolves: false),
    ]

    static let library = "libbpfmantest.so.1"
    static let libraryPath = "/opt/bpfmantest/libbpfmantest.so.1"

    /// A new-format-only cache in host byte order with one entry `key` → `path`.
    static func cache(_ variant: Variant, key: String, path: String) -> [UInt8] {
        var bytes = Array("glibc-ld.so.cache1.1".utf8)
        func put(_ value: UInt32) { withUnsafeBytes(of: value) { bytes += $0 } }
        put(1)                                          // nlibs
        put(variant.lenStrings)                         // len_strings
        bytes += [variant.endianFlag, 0, 0, 0]          // flags, padding
        bytes += [UInt8](repeating: 0, count: 16)       // extension_offset, unused
        let keyOffset = UInt32(48 + 24)
        put(UInt32(bitPattern: variant.flags))
        put(keyOffset)
        put(keyOffset + UInt32(key.utf8.count + 1))
        put(0)                                          // osversion
        bytes += [UInt8](repeating: 0, count: 8)        // hwcap
        return bytes + Array(key.utf8) + [0] + Array(path.utf8) + [0]
    }

    /// The first file under `rootfs` named by the shell glob `pattern`.
    static func find(_ pattern: String, in rootfs: ContainerRootfs) throws -> String {
        let found = Command.shell("cd '\(rootfs.path)' && ls -d \(pattern) 2>/dev/null | head -1").stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        guard !found.isEmpty else { throw FixtureError("no \(pattern) in \(rootfs.path)") }
        return "/" + found
    }

    @Test("glibc's loader and bpfman agree on a synthetic new-format cache; a resolved library counts exactly",
          arguments: variants)
    func syntheticCache(variant: Variant) throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let rootfs = try ContainerRootfs(layout: "nocache")
        defer { rootfs.tearDown() }
        // The library is the container's own libc under another name (a hard
        // link: one inode), in a directory only the cache knows.
        let libc = try Self.find("lib/*/libc.so.6 usr/lib/*/libc.so.6", in: rootfs)
        try FileManager.default.createDirectory(atPath: rootfs.path + "/opt/bpfmantest", withIntermediateDirectories: true)
        try FileManager.default.linkItem(atPath: rootfs.path + libc, toPath: rootfs.path + Self.libraryPath)
        let bytes = Self.cache(variant, key: Self.library, path: Self.libraryPath)
        try Data(bytes).write(to: URL(fileURLWithPath: rootfs.path + "/etc/ld.so.cache"))

        // The oracle: the container's own glibc loader, in its root.
        let loader = try Self.find("lib64/ld-linux-*.so.* lib/ld-linux-*.so.*", in: rootfs)
        let oracle = Command.run("/usr/sbin/chroot", [rootfs.path, loader, "--preload", Self.library, "--list", "/usr/bin/probe_target"])
        #expect(oracle.status == 0, "\(oracle.stderr)")
        let loaderResolves = oracle.stdout.contains("\(Self.library) => \(Self.libraryPath)")
        #expect(loaderResolves == variant.resolves, "glibc's loader: \(oracle.stdout) \(oracle.stderr)")

        let container = try RuncContainer(rootfs: rootfs, ["/usr/bin/probe_target", "23", "malloc", "/tmp/go"])
        defer { container.stop() }
        let id = try bpfman.load("uprobe_counter", "uprobe:uprobe_counter")
        let attach = bpfman.bpfman(["link", "attach", "uprobe", String(id), "libbpfmantest", "--fn-name", "malloc",
                                    "--container-pid", String(container.pid), "-o", "json"])
        if variant.resolves {
            #expect(attach.status == 0, "\(attach.stderr)")
            let details = (attach.json["record"] as? [String: Any])?["details"] as? [String: Any]
            #expect(details?["target"] as? String == "libbpfmantest")
            rootfs.touch("/tmp/go")
            #expect(rootfs.waitFor("/tmp/go.done"))
            #expect(try bpfman.counter(program: id, map: "up_count") == 23)
        } else {
            #expect(attach.status == 1)
            #expect(attach.stderr.contains("in container \(container.pid): resolve target \"libbpfmantest\": not found in /etc/ld.so.cache"),
                    "\(attach.stderr)")
            #expect(attach.stdout.isEmpty)
            #expect(bpfman.bpfman(["link", "list", "-q"]).stdout.isEmpty)
        }
    }
}
