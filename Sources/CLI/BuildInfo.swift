import LinuxSys
import Model

/// What `bpfman version` reports of the build: the architecture it was
/// compiled for, and the git commit, tree state, branch and date that
/// `scripts/build-id.sh` encodes in the executable's GNU build ID when the
/// Makefile links it (`unknown` for a plain `swift build`).
enum BuildInfo {
    static let version = "0.1.0-swift"

    /// `linux/<GOARCH-style name>`, from the compilation target.
    static var platform: String {
        #if arch(x86_64)
        "linux/amd64"
        #elseif arch(arm64)
        "linux/arm64"
        #elseif arch(powerpc64le)
        "linux/ppc64le"
        #elseif arch(s390x)
        "linux/s390x"
        #elseif arch(riscv64)
        "linux/riscv64"
        #else
        "linux/unknown"
        #endif
    }

    /// The git facts of the build, when the build ID carries them.
    struct Source: Equatable {
        var commit: String
        var dirty: Bool
        var date: Int64
        var branch: String

        /// The marker `scripts/build-id.sh` starts its build ID with.
        static let magic: [UInt8] = Array("bpfm".utf8)

        /// Decodes `magic`, 20 commit bytes, a state byte, an 8-byte
        /// big-endian date and the branch; nil for any other build ID.
        init?(buildID bytes: [UInt8]) {
            guard bytes.count >= 33, Array(bytes[0..<4]) == Self.magic else { return nil }
            commit = bytes[4..<24].map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
            dirty = bytes[24] != 0
            date = bytes[25..<33].reduce(Int64(0)) { $0 << 8 | Int64($1) }
            branch = String(decoding: bytes[33...], as: UTF8.self)
        }
    }

    /// The `version` rows, in the reference's order.
    static var rows: [(String, String)] {
        let source = ExecutableImage.gnuBuildID().flatMap(Source.init(buildID:))
        return [("Version", version), ("Git commit", source?.commit ?? "unknown"), ("Git branch", source?.branch ?? "unknown"),
                ("Git state", source.map { $0.dirty ? "dirty" : "clean" } ?? "unknown"),
                ("Build date", source.map { Timestamp.rfc3339($0.date) } ?? "unknown"), ("Go version", "none (Swift)"),
                ("Platform", platform)]
    }
}
