import Foundation
import Synchronization
import Testing
import TestSupport

/// OCI bytecode images against a real registry (issue 7): images built and
/// pushed by `bpfman image build`, pulled by tag, digest and through an index,
/// every pull policy, htpasswd auth, the cache offline, hostile layers from a
/// hostile server, and cosign key-pair signatures.
@Suite(.requiresRoot, .tags(.privileged), .serialized)
struct ImageTests {
    /// A runtime directory, an image cache and a registry, torn down together.
    final class Setup: @unchecked Sendable {
        let bpfman = BpfmanFixture()
        let cache = "/tmp/bpfman-cache-" + UUID().uuidString.prefix(8).lowercased()
        let registry: RegistrySandbox

        init(credentials: (user: String, password: String)? = nil, static isStatic: Bool = false) throws {
            registry = try RegistrySandbox(credentials: credentials, static: isStatic)
        }

        /// Runs bpfman with this cache.
        @discardableResult
        func run(_ arguments: [String], environment: [String: String] = [:]) -> CommandResult {
            bpfman.bpfman(["--image-cache-dir", cache] + arguments, environment: environment)
        }

        /// Builds `objects` into `reference` and returns the pushed digest.
        func build(_ reference: String, _ objects: [String], auth: String? = nil) throws -> String {
            let result = run(["image", "build", reference] + objects + (auth.map { ["--registry-auth", $0] } ?? []),
                             environment: ["SOURCE_DATE_EPOCH": "1700000000"])
            guard result.status == 0, let at = result.stdout.range(of: "@sha256:") else {
                throw FixtureError("image build \(reference): \(result.stderr)")
            }
            return "sha256:" + result.stdout[at.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// Loads from `reference` and returns the program id, or throws with stderr.
        func load(_ reference: String, _ programs: String, extra: [String] = [], environment: [String: String] = [:]) throws -> (UInt32, [String: Any]) {
            let result = run(["program", "load", "image", reference, "--programs", programs, "-o", "json"] + extra, environment: environment)
            guard result.status == 0, let programs = result.json["programs"] as? [[String: Any]],
                  let record = programs.first?["record"] as? [String: Any], let id = record["program_id"] as? Int else {
                throw FixtureError("load image \(reference): \(result.stderr)")
            }
            return (UInt32(id), record)
        }

        func tearDown() {
            bpfman.tearDown()
            registry.tearDown()
            try? FileManager.default.removeItem(atPath: cache)
        }
    }

    /// Calls the probe target's function `count` times under a uprobe of
    /// `program` and returns the counter.
    static func probeCount(_ bpfman: BpfmanFixture, program: UInt32, calls count: Int) throws -> UInt64 {
        let target = try HostAttachTests.Target(count: count)
        _ = try bpfman.attach(["uprobe", String(program), TestEnvironment.probeTarget, "--fn-name", "bpfman_test_probe",
                               "--pid", String(target.pid)])
        target.release()
        return try bpfman.counter(program: program, map: "up_count")
    }

    @Test("an image built and pushed by bpfman loads by tag and by digest, takes its type from the labels, and counts exactly")
    func buildPushLoad() throws {
        let setup = try Setup()
        defer { setup.tearDown() }
        let reference = setup.registry.reference("bytecode/uprobe", tag: "v1")
        let digest = try setup.build(reference, [TestEnvironment.object("uprobe_counter")])
        let again = try setup.build(reference, [TestEnvironment.object("uprobe_counter")])
        #expect(digest == again, "builds are reproducible under SOURCE_DATE_EPOCH")

        let inspect = setup.run(["image", "inspect", reference])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.json["digest"] as? String == digest)
        #expect(inspect.json["programs"] as? [String: String] == ["uprobe_counter": "uprobe"])
        #expect(inspect.json["maps"] as? [String: String] == ["up_count": "array"])

        let (id, record) = try setup.load(reference, "uprobe_counter")
        let load = record["load"] as? [String: Any]
        #expect(load?["program_type"] as? String == "uprobe", "the type comes from io.ebpf.programs")
        #expect(load?["source_path"] is NSNull)
        #expect(load?["image_source"] as? [String: String] == ["url": reference, "digest": digest, "pull_policy": "IfNotPresent"])
        #expect(try Self.probeCount(setup.bpfman, program: id, calls: 13) == 13)

        let pinned = setup.registry.reference("bytecode/uprobe", tag: "v1").replacingOccurrences(of: ":v1", with: "@" + digest)
        let (byDigest, digestRecord) = try setup.load(pinned, "uprobe:uprobe_counter", extra: ["-p", "never"])
        #expect((digestRecord["load"] as? [String: Any])?["image_source"] as? [String: String]
                == ["url": pinned, "digest": digest, "pull_policy": "Never"], "the digest was cached by the first pull")
        #expect(try Self.probeCount(setup.bpfman, program: byDigest, calls: 7) == 7)

        // The same image in Docker's schema 2 media types (converted by skopeo) loads too.
        let docker = setup.registry.reference("bytecode/uprobe", tag: "docker")
        let converted = Command.run("/usr/bin/skopeo", ["copy", "-q", "--src-tls-verify=false", "--dest-tls-verify=false", "--format", "v2s2",
                                                        "docker://\(reference)", "docker://\(docker)"])
        try #require(converted.status == 0, "skopeo: \(converted.stderr)")
        #expect(setup.run(["image", "inspect", docker]).json["media_type"] as? String == "application/vnd.docker.distribution.manifest.v2+json")
        let (fromDocker, _) = try setup.load(docker, "uprobe_counter")
        #expect(try Self.probeCount(setup.bpfman, program: fromDocker, calls: 4) == 4)

        let wrongType = setup.run(["program", "load", "image", reference, "--programs", "xdp:uprobe_counter"])
        #expect(wrongType.status == 1 && wrongType.stderr.contains("program type mismatch"), "\(wrongType.stderr)")
        let missing = setup.run(["program", "load", "image", reference, "--programs", "nosuch"])
        #expect(missing.status == 1 && missing.stderr.contains("labelled: [uprobe_counter]"), "\(missing.stderr)")
    }

    @Test("a multi-platform index yields this host's manifest; an index without it is refused")
    func multiPlatformIndex() throws {
        let setup = try Setup()
        defer { setup.tearDown() }
        let reference = setup.registry.reference("bytecode/multi")
        _ = try setup.build(reference, ["linux/arm64=\(TestEnvironment.object("two_maps"))",
                                        "linux/amd64=\(TestEnvironment.object("uprobe_counter"))"])
        let inspect = setup.run(["image", "inspect", reference])
        let manifests = inspect.json["manifests"] as? [[String: Any]] ?? []
        #expect(inspect.json["media_type"] as? String == "application/vnd.oci.image.index.v1+json")
        #expect(manifests.compactMap { $0["platform"] as? String } == ["linux/arm64", "linux/amd64"])
        let (id, _) = try setup.load(reference, "uprobe_counter")
        #expect(try Self.probeCount(setup.bpfman, program: id, calls: 5) == 5)

        let foreign = setup.registry.reference("bytecode/s390x")
        let bigEndian = setup.run(["image", "build", foreign, "linux/s390x=\(TestEnvironment.object("uprobe_counter"))"])
        #expect(bigEndian.status == 1 && bigEndian.stderr.contains("little-endian; linux/s390x needs big-endian"), "\(bigEndian.stderr)")
        _ = try setup.build(foreign, ["linux/arm64=\(TestEnvironment.object("uprobe_counter"))"])
        let refused = setup.run(["program", "load", "image", foreign, "--programs", "uprobe_counter"])
        #expect(refused.status == 1 && refused.stderr.contains("has no manifest for linux/amd64 (it has: linux/arm64)"), "\(refused.stderr)")
    }

    @Test("pull policies: Never needs the cache, IfNotPresent works offline, Always needs the registry")
    func pullPolicies() throws {
        let setup = try Setup()
        defer { setup.tearDown() }
        let reference = setup.registry.reference("bytecode/policy")
        _ = try setup.build(reference, [TestEnvironment.object("uprobe_counter")])

        let never = setup.run(["program", "load", "image", reference, "--programs", "uprobe_counter", "-p", "Never"])
        #expect(never.status == 1)
        #expect(never.stderr.contains("failed to load from image: pull image \(reference): image \(reference) not in cache and pull policy is Never"),
                "\(never.stderr)")
        let bad = setup.run(["program", "load", "image", reference, "--programs", "uprobe_counter", "-p", "sometimes"])
        #expect(bad.status == 80 && bad.stderr.contains("--pull-policy: unknown pull policy \"sometimes\""))

        let (first, _) = try setup.load(reference, "uprobe_counter", extra: ["-p", "always"])
        setup.registry.stopServer()
        let (offline, _) = try setup.load(reference, "uprobe_counter")
        let (cachedOnly, _) = try setup.load(reference, "uprobe_counter", extra: ["-p", "Never"])
        #expect(Set([first, offline, cachedOnly]).count == 3)
        #expect(try Self.probeCount(setup.bpfman, program: offline, calls: 9) == 9, "the cached object is the real program")
        let always = setup.run(["program", "load", "image", reference, "--programs", "uprobe_counter", "-p", "Always"])
        #expect(always.status == 1 && always.stderr.contains("connection refused") || always.stderr.contains("Connection refused"),
                "\(always.stderr)")
        #expect(setup.bpfman.programIDs().count == 3, "the failed load left nothing behind")
    }

    @Test("eight concurrent pulls of one image into one cache all load the same object and leave the cache consistent")
    func concurrentPulls() throws {
        let setup = try Setup()
        defer { setup.tearDown() }
        let reference = setup.registry.reference("bytecode/concurrent")
        let digest = try setup.build(reference, [TestEnvironment.object("uprobe_counter")])
        let results = Mutex<[CommandResult]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            let result = setup.run(["program", "load", "image", reference, "--programs", "uprobe_counter", "-p", "Always", "-o", "json"])
            results.withLock { $0.append(result) }
        }
        let all = results.withLock { $0 }
        #expect(all.allSatisfy { $0.status == 0 }, "\(all.map(\.stderr).joined())")
        #expect(setup.bpfman.programIDs().count == 8)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: setup.cache + "/blobs/sha256")
        for blob in blobs {
            let bytes = try #require(FileManager.default.contents(atPath: setup.cache + "/blobs/sha256/" + blob))
            #expect(TestEnvironment.sha256Hex([UInt8](bytes)) == blob, "every cached blob matches its name")
        }
        #expect(blobs.contains(String(digest.dropFirst(7))))
        #expect(try FileManager.default.contentsOfDirectory(atPath: setup.cache + "/tmp").isEmpty)
    }

    @Test("htpasswd auth: anonymous pulls are refused; --registry-auth and auth files work")
    func basicAuth() throws {
        let setup = try Setup(credentials: ("bpf", "s3cret"))
        defer { setup.tearDown() }
        let auth = Data("bpf:s3cret".utf8).base64EncodedString()
        let reference = setup.registry.reference("private/uprobe")
        let anonymousPush = setup.run(["image", "build", reference, TestEnvironment.object("uprobe_counter")])
        #expect(anonymousPush.status == 1 && anonymousPush.stderr.contains("requires credentials"), "\(anonymousPush.stderr)")
        _ = try setup.build(reference, [TestEnvironment.object("uprobe_counter")], auth: auth)

        let anonymous = setup.run(["program", "load", "image", reference, "--programs", "uprobe_counter"])
        #expect(anonymous.status == 1 && anonymous.stderr.contains("requires credentials"), "\(anonymous.stderr)")
        let wrong = setup.run(["program", "load", "image", reference, "--programs", "uprobe_counter",
                               "--registry-auth", Data("bpf:nope".utf8).base64EncodedString()])
        #expect(wrong.status == 1 && wrong.stderr.contains("401"), "\(wrong.stderr)")
        let (id, _) = try setup.load(reference, "uprobe_counter", extra: ["--registry-auth", auth, "-p", "Always"])
        #expect(try Self.probeCount(setup.bpfman, program: id, calls: 4) == 4)

        let authFile = setup.registry.directory + "/auth.json"
        try Data(#"{"auths":{"\#(setup.registry.address)":{"auth":"\#(auth)"}}}"#.utf8).write(to: URL(fileURLWithPath: authFile))
        _ = try setup.load(reference, "uprobe_counter", extra: ["-p", "Always"], environment: ["REGISTRY_AUTH_FILE": authFile])
        _ = try setup.load(reference, "uprobe_counter", extra: ["-p", "Always"], environment: ["BPFMAN_REGISTRY_AUTH": auth])
    }

    /// A hand-made single-layer image on the static server.
    static func serveImage(_ registry: RegistrySandbox, repository: String, layer: [UInt8], labels: [String: String],
                           servedLayer: [UInt8]? = nil) throws -> String {
        func digest(_ bytes: [UInt8]) -> String { "sha256:" + TestEnvironment.sha256Hex(bytes) }
        let config = try JSONSerialization.data(withJSONObject: ["architecture": "amd64", "os": "linux", "config": ["Labels": labels],
                                                                 "rootfs": ["type": "layers", "diff_ids": []]])
        let manifest = try JSONSerialization.data(withJSONObject: [
            "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": ["mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest([UInt8](config)), "size": config.count],
            "layers": [["mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": digest(layer), "size": layer.count]],
        ] as [String: Any])
        try registry.serve("\(repository)/blobs/\(digest([UInt8](config)))", [UInt8](config))
        try registry.serve("\(repository)/blobs/\(digest(layer))", servedLayer ?? layer)
        try registry.serve("\(repository)/manifests/latest", [UInt8](manifest))
        return "\(registry.address)/\(repository):latest"
    }

    /// Makes a gzip tar layer with Python's tarfile; `script` adds members to `t`.
    static func layer(_ script: String) throws -> [UInt8] {
        let path = "/tmp/bpfman-layer-" + UUID().uuidString.prefix(8).lowercased()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let program = """
        import io, sys, tarfile
        obj = open(sys.argv[2], 'rb').read()
        def add(t, name, data, **kw):
            info = tarfile.TarInfo(name); info.size = len(data)
            for k, v in kw.items(): setattr(info, k, v)
            t.addfile(info, io.BytesIO(data))
        def special(t, name, kind, target=''):
            info = tarfile.TarInfo(name); info.type = kind; info.linkname = target
            t.addfile(info)
        with tarfile.open(sys.argv[1], 'w:gz', format=tarfile.PAX_FORMAT) as t:
        \(script.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"))
        """
        let result = Command.run("/usr/bin/env", ["python3", "-c", program, path, TestEnvironment.object("uprobe_counter")])
        guard result.status == 0, let data = FileManager.default.contents(atPath: path) else { throw FixtureError("python layer: \(result.stderr)") }
        return [UInt8](data)
    }

    @Test("hostile layers and manifests are refused with clear errors and nothing is written outside the cache")
    func hostileLayers() throws {
        let setup = try Setup(static: true)
        defer { setup.tearDown() }
        let escape = "/tmp/bpfman-escape-" + UUID().uuidString.prefix(8).lowercased()
        defer { try? FileManager.default.removeItem(atPath: escape) }
        let labels = ["io.ebpf.programs": #"{"uprobe_counter":"uprobe"}"#]
        let wrongDigest = try Self.layer("add(t, 'prog.o', obj)")
        let cases: [(name: String, layer: [UInt8], labels: [String: String], served: [UInt8]?, error: String)] = [
            ("traversal", try Self.layer("add(t, '../../..\(escape)/evil.o', obj)"), labels, nil, "escapes the layer"),
            ("pax-traversal", try Self.layer("add(t, 'ok.o', obj, pax_headers={'path': '../../..\(escape)/pax.o'})"), labels, nil,
             "escapes the layer"),
            ("symlink-absolute", try Self.layer("special(t, 'prog.o', tarfile.SYMTYPE, '/etc/passwd')"), labels, nil, "prog.o"),
            ("symlink-escape", try Self.layer("special(t, 'prog.o', tarfile.SYMTYPE, '../../../etc/passwd')"), labels, nil, "prog.o"),
            ("device", try Self.layer("add(t, 'prog.o', obj)\nspecial(t, 'dev/null', tarfile.CHRTYPE)"), labels, nil, "device"),
            ("bomb", try Self.layer("add(t, 'prog.o', obj)\nadd(t, 'zeros', bytes(100 << 20))"), labels, nil, "exceeds"),
            ("bad-labels", try Self.layer("add(t, 'prog.o', obj)"), ["io.ebpf.programs": "uprobe_counter"], nil,
             "image label io.ebpf.programs: expected a JSON object"),
            ("unknown-type", try Self.layer("add(t, 'prog.o', obj)"), ["io.ebpf.programs": #"{"uprobe_counter":"socket"}"#], nil,
             "unknown program type \"socket\""),
            ("not-bpf", try Self.layer("add(t, 'prog.o', open('/bin/true','rb').read())"), labels, nil, "is not BPF bytecode"),
            ("wrong-digest", wrongDigest, labels, wrongDigest.enumerated().map { $0.offset == 100 ? ~$0.element : $0.element },
             "digest mismatch"),
        ]
        for item in cases {
            let reference = try Self.serveImage(setup.registry, repository: "hostile/\(item.name)", layer: item.layer,
                                                labels: item.labels, servedLayer: item.served)
            let result = setup.run(["program", "load", "image", reference, "--programs", "uprobe_counter"])
            #expect(result.status == 1, "\(item.name) must fail")
            #expect(result.stderr.contains("failed to load from image: pull image \(reference)"), "\(item.name): \(result.stderr)")
            #expect(result.stderr.contains(item.error), "\(item.name): \(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: escape), "nothing escaped the cache")
        #expect(try FileManager.default.contentsOfDirectory(atPath: setup.cache + "/bytecode").isEmpty, "no object was accepted")
        #expect(try FileManager.default.contentsOfDirectory(atPath: setup.cache + "/tmp").isEmpty, "no partial file is left")
        #expect(setup.bpfman.programIDs().isEmpty)

        let good = try Self.serveImage(setup.registry, repository: "hostile/control", layer: try Self.layer("add(t, './bpf/prog.o', obj)"),
                                       labels: labels)
        let (id, _) = try setup.load(good, "uprobe_counter")
        #expect(try Self.probeCount(setup.bpfman, program: id, calls: 3) == 3, "the same server serves a good image fine")
    }

    @Test("cosign key-pair signatures: signed images verify and load; unsigned, tampered and foreign-key ones are refused by policy")
    func signatures() throws {
        let setup = try Setup()
        defer { setup.tearDown() }
        let keys = setup.registry.directory
        for (name, _) in [("trusted", 0), ("other", 1)] {
            let made = Command.shell("openssl ecparam -name prime256v1 -genkey -noout -out \(keys)/\(name).key && "
                                     + "openssl ec -in \(keys)/\(name).key -pubout -out \(keys)/\(name).pub 2>/dev/null")
            try #require(made.status == 0, "openssl: \(made.stderr)")
        }
        func config(_ body: String) throws -> [String: String] {
            let path = "\(keys)/bpfman-\(UUID().uuidString.prefix(6)).toml"
            try Data(body.utf8).write(to: URL(fileURLWithPath: path))
            return ["BPFMAN_CONFIG": path]
        }
        let strict = try config("""
        # bpfman configuration
        [signing]
        verify_enabled = true
        allow_unsigned = false
        public_keys = [
          "\(keys)/trusted.pub",  # the project's key
        ]
        """)
        let signed = setup.registry.reference("signed/uprobe")
        let unsigned = setup.registry.reference("unsigned/uprobe")
        let signedDigest = try setup.build(signed, [TestEnvironment.object("uprobe_counter")])
        let unsignedDigest = try setup.build(unsigned, [TestEnvironment.object("uretprobe_counter")])
        let sign = setup.run(["image", "sign", signed, "--key", "\(keys)/trusted.key"])
        #expect(sign.status == 0, "\(sign.stderr)")

        // The signature is cosign's format: an ECDSA P-256 signature over the simple-signing payload.
        let sigTag = "sha256-" + signedDigest.dropFirst(7) + ".sig"
        let sigManifest = Command.run("/usr/bin/curl", ["-sf", "-H", "Accept: application/vnd.oci.image.manifest.v1+json",
                                                        "http://\(setup.registry.address)/v2/signed/uprobe/manifests/\(sigTag)"])
        let layer = ((sigManifest.json["layers"] as? [[String: Any]])?.first) ?? [:]
        let payloadDigest = layer["digest"] as? String ?? ""
        let signature = (layer["annotations"] as? [String: String])?["dev.cosignproject.cosign/signature"] ?? ""
        #expect(layer["mediaType"] as? String == "application/vnd.dev.cosign.simplesigning.v1+json")
        let check = Command.shell("""
            set -e; cd \(keys); curl -sf -o payload http://\(setup.registry.address)/v2/signed/uprobe/blobs/\(payloadDigest)
            echo '\(signature)' | base64 -d > sig.der; openssl dgst -sha256 -verify trusted.pub -signature sig.der payload
            grep -q '"docker-manifest-digest":"\(signedDigest)"' payload
            """)
        #expect(check.status == 0 && check.stdout.contains("Verified OK"), "openssl: \(check.stdout) \(check.stderr)")

        let verified = setup.run(["image", "verify", signed], environment: strict)
        #expect(verified.status == 0 && verified.stdout == "Image \(signed): signature verified\n", "\(verified.stdout) \(verified.stderr)")
        let (id, _) = try setup.load(signed, "uprobe_counter", environment: strict)
        #expect(try Self.probeCount(setup.bpfman, program: id, calls: 6) == 6)

        let refused = setup.run(["program", "load", "image", unsigned, "--programs", "uretprobe_counter"], environment: strict)
        #expect(refused.status == 1 && refused.stderr.contains("no signature found for \(unsignedDigest) and unsigned images are not allowed"),
                "\(refused.stderr)")
        let verifyUnsigned = setup.run(["image", "verify", unsigned], environment: strict)
        #expect(verifyUnsigned.status == 1)
        let allowed = setup.run(["image", "verify", unsigned, "--allow-unsigned"], environment: strict)
        #expect(allowed.stdout == "Image \(unsigned): unsigned image accepted by policy\n", "\(allowed.stderr)")

        // Tampered: the signed image's signature replayed for the unsigned image.
        let replay = Command.run("/usr/bin/skopeo", ["copy", "--src-tls-verify=false", "--dest-tls-verify=false", "-q",
                                                     "docker://\(setup.registry.address)/signed/uprobe:\(sigTag)",
                                                     "docker://\(setup.registry.address)/unsigned/uprobe:sha256-\(unsignedDigest.dropFirst(7)).sig"])
        try #require(replay.status == 0, "skopeo: \(replay.stderr)")
        let tampered = setup.run(["program", "load", "image", unsigned, "--programs", "uretprobe_counter"], environment: strict)
        #expect(tampered.status == 1 && tampered.stderr.contains("signature verification failed")
                && tampered.stderr.contains("signs \(signedDigest), not \(unsignedDigest)"), "\(tampered.stderr)")
        let lenient = try config("[signing]\nallow_unsigned = true\npublic_keys = ['\(keys)/trusted.pub']\n")
        let stillRefused = setup.run(["image", "verify", unsigned], environment: lenient)
        #expect(stillRefused.status == 1, "a bad signature is refused even when unsigned images are allowed")

        let foreignKey = try config("[signing]\nallow_unsigned = false\npublic_keys = [\"\(keys)/other.pub\"]\n")
        let foreign = setup.run(["image", "verify", signed], environment: foreignKey)
        #expect(foreign.status == 1 && foreign.stderr.contains("no trusted key made its signature"), "\(foreign.stderr)")

        let disabled = try config("[signing]\nverify_enabled = false\nallow_unsigned = false\n")
        #expect(setup.run(["image", "verify", unsigned], environment: disabled).stdout == "Image \(unsigned): signature verification disabled\n")
        let (plain, _) = try setup.load(unsigned, "uretprobe_counter", environment: disabled)
        #expect(plain > 0)

        let badConfig = setup.run(["image", "verify", signed, "--config", "\(keys)/missing.toml"])
        #expect(badConfig.status == 1 && badConfig.stderr.contains("create logger: failed to read config file: open \(keys)/missing.toml"),
                "\(badConfig.stderr)")
        let keyless = setup.run(["image", "verify", signed, "--certificate-identity", "me@example.com"])
        #expect(keyless.status == 1 && keyless.stderr.contains("keyless verification"), "\(keyless.stderr)")
    }

    @Test("the one-step load image form loads the labelled program and attaches it")
    func oneStepLoadImage() throws {
        let setup = try Setup()
        defer { setup.tearDown() }
        let reference = setup.registry.reference("bytecode/onestep")
        _ = try setup.build(reference, [TestEnvironment.object("uprobe_counter")])
        let unavailable = setup.run(["load", "image", "--image-url", reference, "uprobe", "--fn-name", "bpfman_test_probe",
                                     "--target", TestEnvironment.probeTarget], environment: ["BPFMAN_FULL_BIN": "/nonexistent/bpfman-full"])
        #expect(unavailable.status == 1 && unavailable.stderr.contains("cannot run /nonexistent/bpfman-full"), "\(unavailable.stderr)")
        #expect(!FileManager.default.fileExists(atPath: setup.bpfman.runtimeDirectory + "/db"),
                "bpfman hands the image form to bpfman-full before it opens the state")
        let target = try HostAttachTests.Target(count: 8)
        let result = setup.run(["load", "image", "--image-url", reference, "uprobe", "--fn-name", "bpfman_test_probe",
                                "--target", TestEnvironment.probeTarget, "--pid", String(target.pid), "-o", "json"])
        target.release()
        #expect(result.status == 0, "\(result.stderr)")
        let id = ((result.json["record"] as? [String: Any])?["program_id"] as? Int).map(UInt32.init) ?? 0
        #expect(try setup.bpfman.counter(program: id, map: "up_count") == 8)
        let noSuchType = setup.run(["load", "image", "--image-url", reference, "tracepoint", "--tracepoint", "syscalls/sys_enter_getppid"])
        #expect(noSuchType.status == 80 && noSuchType.stderr.contains("the image labels no tracepoint program"), "\(noSuchType.stderr)")
    }
}
