import BPF
import Crypto
import Foundation
import Testing

/// Paths and conditions shared by the tests.
package enum TestEnvironment {
    /// The repository root.
    package static let repoRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// Whether the tests run as root.
    package static let isRoot = geteuid() == 0

    /// Whether the tests run in CI, where gates fail instead of skipping: `CI`
    /// set to a non-empty value other than `false` or `0` (the Makefile
    /// exports `CI=` empty when it is unset).
    package static let isCI: Bool = {
        guard let value = ProcessInfo.processInfo.environment["CI"] else { return false }
        return !["", "false", "0"].contains(value.lowercased())
    }()

    /// Whether privileged tests run: as root, or in CI (where they then fail
    /// loudly if not root).
    package static let privileged = isRoot || isCI

    /// The built `bpfman` executable.
    package static var bpfman: String { binary("bpfman") }

    /// The built `bpfman-ns` executable.
    package static var bpfmanNS: String { binary("bpfman-ns") }

    /// The `bpfman-agent` executable.
    package static var bpfmanAgent: String { binary("bpfman-agent") }

    private static func binary(_ name: String) -> String {
        if let path = ProcessInfo.processInfo.environment["BPFMAN_TEST_BIN_DIR"] { return path + "/" + name }
        return repoRoot + "/.build/debug/" + name
    }

    /// Whether the tests run in the guest lane's full kernel (`make test-guest`),
    /// where kprobes, trampolines and BPF LSM must work.
    package static let guestLane = ProcessInfo.processInfo.environment["BPFMAN_GUEST_LANE"] == "1"

    /// Whether this machine's kernel has `feature`, by bpfman's own probe:
    /// kernel-hook tests assert the real behaviour where it is and the
    /// named-feature error where it is not. The guest lane's kernel has
    /// every feature, so there a missing one fails the test instead.
    package static func kernelHas(_ feature: KernelFeature) -> Bool {
        let has = (try? KernelFeatures.shared.availability(of: feature)) == .available
        if guestLane && !has { Issue.record("the guest lane's kernel lacks \(feature.name)") }
        return has
    }

    /// `value`'s bytes in little-endian order as hex, the form of `-g NAME=HEX`.
    package static func littleEndianHex<T: FixedWidthInteger>(_ value: T) -> String {
        withUnsafeBytes(of: value.littleEndian) { $0.map { String(format: "%02x", $0) }.joined() }
    }

    /// The SHA-256 of `bytes`, in lowercase hex.
    package static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// A compiled test BPF object (`make bpf` builds them into build/bpf).
    package static func object(_ name: String) -> String { repoRoot + "/build/bpf/\(name).bpf.o" }

    /// The probe target test binary.
    package static var probeTarget: String { repoRoot + "/build/probe_target" }
}

extension Trait where Self == ConditionTrait {
    /// Runs only as root (or in CI, where a non-root run then fails).
    package static var requiresRoot: Self {
        .enabled(if: TestEnvironment.privileged, "needs root (run with sudo, or `make test`)")
    }
}

extension Tag {
    /// Needs root and the real kernel.
    @Tag package static var privileged: Self
    /// Starts real containers.
    @Tag package static var containers: Self
    /// Needs kernel features only the guest lane's kernel has (kprobes, BPF trampolines, BPF LSM).
    @Tag package static var guestKernel: Self
}
