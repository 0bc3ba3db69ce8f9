import Images
import Testing

/// Reference, challenge and label parsing: the inputs a registry or a user controls.
@Suite struct ImageReferenceTests {
    @Test("references: registry detection, Docker Hub defaults, tags and digests")
    func references() throws {
        let quay = try ImageReference(parsing: "quay.io/bpfman-bytecode/go-uprobe-counter:latest")
        #expect(quay.registry == "quay.io" && quay.repository == "bpfman-bytecode/go-uprobe-counter" && quay.tag == "latest")
        #expect(!quay.usesPlainHTTP)
        let hub = try ImageReference(parsing: "busybox")
        #expect(hub.registry == "docker.io" && hub.repository == "library/busybox" && hub.manifestReference == "latest")
        #expect(hub.apiHost == "registry-1.docker.io")
        let local = try ImageReference(parsing: "127.0.0.1:5000/a/b:v1")
        #expect(local.registry == "127.0.0.1:5000" && local.usesPlainHTTP && local.description == "127.0.0.1:5000/a/b:v1")
        #expect(try ImageReference(parsing: "localhost/x").usesPlainHTTP)
        let hex = String(repeating: "ab", count: 32)
        let pinned = try ImageReference(parsing: "localhost:5000/x@sha256:\(hex)")
        #expect(pinned.tag == nil && pinned.manifestReference == "sha256:\(hex)")
        for bad in ["", "UPPER/case", "a//b", "x:bad tag", "x@md5:00", "x@sha256:short", "-lead/x"] {
            #expect(throws: ImageError.self, "\(bad)") { try ImageReference(parsing: bad) }
        }
    }

    @Test("WWW-Authenticate challenges")
    func challenges() {
        let bearer = AuthChallenge(parsing: #"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#)
        #expect(bearer?.scheme == "bearer")
        #expect(bearer?.parameters == ["realm": "https://auth.example/token", "service": "registry.example", "scope": "repository:a/b:pull"])
        let basic = AuthChallenge(parsing: #"Basic realm="bpfman-test""#)
        #expect(basic?.scheme == "basic" && basic?.parameters["realm"] == "bpfman-test")
        #expect(AuthChallenge(parsing: "") == nil)
    }

    @Test("bytecode labels: current and legacy forms, and bad ones")
    func labels() throws {
        let current = try BytecodeLabels(labels: ["io.ebpf.programs": #"{"a":"uprobe","b":"xdp"}"#, "io.ebpf.maps": #"{"m":"array"}"#])
        #expect(current.programs == ["a": .uprobe, "b": .xdp] && current.maps == ["m": "array"])
        let legacy = try BytecodeLabels(labels: ["io.ebpf.bpf_function_name": "f", "io.ebpf.program_type": "TC", "io.ebpf.filename": "x.o"])
        #expect(legacy.programs == ["f": .tc] && legacy.filename == "x.o")
        #expect(throws: ImageError.self) { try BytecodeLabels(labels: ["io.ebpf.programs": "[1]"]) }
        #expect(throws: ImageError.self) { try BytecodeLabels(labels: ["io.ebpf.program_name": "f"]) }
        #expect(BytecodeLabels(programs: ["a": .uprobe], maps: [:]).imageLabels["io.ebpf.programs"] == #"{"a":"uprobe"}"#)
    }

    @Test("digests: computed, parsed and verified")
    func digests() throws {
        let digest = ImageDigest(of: Array("hello".utf8))
        #expect(digest.description == "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824")
        #expect(try ImageDigest(parsing: digest.description) == digest)
        #expect(throws: ImageError.self) { try digest.verify(Array("hellO".utf8), what: "blob") }
    }
}
