import Foundation
import Testing
import TestSupport

/// XDP and TC dispatchers (issue 10): several programs on one interface, run
/// in priority order through freplace extensions of a ten-slot dispatcher.
/// The host kernel refuses freplace: there one program attaches directly and
/// a second is refused with the named feature. The guest lane's full kernel
/// runs the dispatchers, proven by packet counts.
@Suite(.requiresRoot, .tags(.privileged, .guestKernel), .serialized)
struct DispatcherTests {
    static let object = "dispatch_chain"
    static let missingFeature = "kernel feature freplace (BPF_PROG_TYPE_EXT) is not available"

    /// A chain of dispatch_chain instances on the receiver end of a veth pair.
    struct Chain {
        let bpfman: BpfmanFixture
        let veth: VethPair
        /// Program ids by tag; tag 1 owns the shared maps.
        var programs: [UInt32: UInt32] = [:]
        /// The map owner.
        var owner: UInt32 { programs[1] ?? 0 }

        init(_ bpfman: BpfmanFixture, _ veth: VethPair) { self.bpfman = bpfman; self.veth = veth }

        /// Loads instance `tag` of `function` (xdp_chain or tc_chain).
        mutating func load(tag: UInt32, _ spec: String) throws {
            var extra = ["-g", "tag=\(TestEnvironment.littleEndianHex(tag))"]
            if tag != 1 { extra += ["--map-owner-id", String(owner)] }
            programs[tag] = try bpfman.load(DispatcherTests.object, spec, extra: extra)
        }

        func value(_ map: String, tag: UInt32) throws -> UInt64 {
            try bpfman.counter(program: owner, map: map, key: tag)
        }

        func visits() throws -> [UInt32: UInt64] {
            var result: [UInt32: UInt64] = [:]
            for tag in programs.keys { result[tag] = try value("visits", tag: tag) }
            return result
        }

        /// Makes instance `tag` return `action` (nil: its default).
        func setVerdict(tag: UInt32, _ action: Int32?) {
            let key = TestEnvironment.littleEndianHex(tag).hexBytes
            let value = TestEnvironment.littleEndianHex(UInt64(bitPattern: Int64(action.map { $0 + 10 } ?? 0))).hexBytes
            let path = "\(bpfman.runtimeDirectory)/fs/maps/\(owner)/verdicts"
            let result = Command.shell("bpftool map update pinned \(path) key \(key) value \(value)")
            #expect(result.status == 0, "\(result.stderr)")
        }

        /// `link attach` arguments for instance `tag`.
        func attach(_ verb: [String], tag: UInt32, priority: Int, extra: [String] = []) -> CommandResult {
            bpfman.bpfman(["link", "attach"] + [verb[0], String(programs[tag] ?? 0), veth.receiverInterface] + verb.dropFirst()
                          + ["-p", String(priority), "-n", veth.receiverPath, "-o", "json"] + extra)
        }
    }

    static func details(_ result: CommandResult) -> [String: Any] {
        ((result.json["record"] as? [String: Any])?["details"] as? [String: Any]) ?? [:]
    }

    static func linkID(_ result: CommandResult) -> UInt64 {
        UInt64((result.json["record"] as? [String: Any])?["id"] as? Int ?? 0)
    }

    /// The hook's members as `dispatcher get` lists them: program ids in
    /// position order.
    static func members(_ bpfman: BpfmanFixture, _ type: String, _ details: [String: Any]) -> [UInt32] {
        let get = bpfman.bpfman(["dispatcher", "get", type, "\(details["nsid"] as? Int ?? 0)", "\(details["ifindex"] as? Int ?? 0)", "-o", "json"])
        return ((get.json["members"] as? [[String: Any]]) ?? []).compactMap { ($0["program_id"] as? Int).map(UInt32.init) }
    }

    @Test("XDP: three programs run in priority order, DROP stops the chain, a detach under traffic loses nothing, an eleventh is refused")
    func xdpDispatcher() throws {
        try runChain(verb: ["xdp"], type: "xdp", spec: "xdp:xdp_chain", stopAction: 1, stopName: "drop", dispatcherDirectory: "xdp")
    }

    @Test("TC ingress: the same ten-slot dispatcher on a clsact cls_bpf filter; a foreign filter is left alone")
    func tcIngressDispatcher() throws {
        try runChain(verb: ["tc", "ingress"], type: "tc-ingress", spec: "tc:tc_chain", stopAction: 2, stopName: "shot", dispatcherDirectory: "tc-ingress")
    }

    @Test("TC egress: the same on the egress hook (the ping replies)")
    func tcEgressDispatcher() throws {
        try runChain(verb: ["tc", "egress"], type: "tc-egress", spec: "tc:tc_chain", stopAction: 2, stopName: "shot", dispatcherDirectory: "tc-egress")
    }

    /// The acceptance scenario for one hook. `stopAction` (named
    /// `stopName`) is the action that drops (XDP_DROP 1, TC_ACT_SHOT 2),
    /// outside the default proceed-on.
    func runChain(verb: [String], type: String, spec: String, stopAction: Int32, stopName: String, dispatcherDirectory: String) throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let veth = try VethPair()
        defer { veth.tearDown() }
        let tc = verb[0] == "tc"
        // A filter bpfman did not add, which it must leave alone.
        if tc {
            let foreign = veth.inReceiver("""
                sh -c 'tc qdisc add dev \(veth.receiverInterface) clsact && \
                  tc filter add dev \(veth.receiverInterface) \(verb[1]) pref 200 handle 7 bpf da obj \(TestEnvironment.object("tc_counter")) sec tc'
                """)
            try #require(foreign.status == 0, "\(foreign.stderr)")
        }
        var chain = Chain(bpfman, veth)
        for tag: UInt32 in 1...3 { try chain.load(tag: tag, spec) }
        // With freplace the programs load as dispatcher extensions, as the
        // reference loads them; without it, as their own type.
        let loadedType = TestEnvironment.kernelHas(.freplace) ? "extension" : (tc ? "schedcls" : "xdp")
        let loaded = (bpfman.bpfman(["program", "list", "-o", "json"]).json["programs"] as? [[String: Any]]) ?? []
        let kernelTypes = loaded.compactMap { entry -> (UInt32, String)? in
            guard let id = entry["program_id"] as? Int, let type = (entry["kernel"] as? [String: Any])?["program_type"] as? String else { return nil }
            return (UInt32(id), type)
        }
        #expect(Dictionary(uniqueKeysWithValues: kernelTypes) == Dictionary(uniqueKeysWithValues: chain.programs.values.map { ($0, loadedType) }))

        // Priorities 50, 10, 100: tag 2 runs first, then 1, then 3.
        let first = chain.attach(verb, tag: 1, priority: 50)
        #expect(first.status == 0, "\(first.stderr)")
        let second = chain.attach(verb, tag: 2, priority: 10)
        guard TestEnvironment.kernelHas(.freplace) else {
            #expect(second.status == 1 && second.stderr.contains(Self.missingFeature), "\(second.stderr)")
            #expect(veth.ping(3) == 3)
            #expect(try chain.value("visits", tag: 1) == 3, "the directly attached program runs")
            return
        }
        #expect(second.status == 0, "\(second.stderr)")
        // The last program goes on after the stop action too.
        let goOn = (tc ? "pipe" : "pass") + ",\(stopName),dispatcher_return"
        let third = chain.attach(verb, tag: 3, priority: 100, extra: ["--proceed-on", goOn])
        #expect(third.status == 0, "\(third.stderr)")
        let links = [1: Self.linkID(first), 2: Self.linkID(second), 3: Self.linkID(third)]
        let records = (bpfman.bpfman(["link", "list", "-o", "json"]).json["links"] as? [[String: Any]]) ?? []
        for (tag, link) in links {
            let pin = records.first { ($0["id"] as? Int).map(UInt64.init) == link }?["pin_path"] as? String
            let slot = Command.shell("bpftool -j link show pinned \(pin ?? "-")").json
            #expect((slot["prog_id"] as? Int).map(UInt32.init) == chain.programs[UInt32(tag)], "the loaded program itself runs in the slot: \(slot)")
        }
        let details = Self.details(bpfman.bpfman(["link", "get", String(links[3]!), "-o", "json"]))
        #expect(details["position"] as? Int == 2)
        #expect((details["dispatcher_id"] as? Int ?? 0) > 0)
        let status = bpfman.bpfman(["link", "get", String(links[3]!), "-o", "json"]).json["status"] as? [String: Any]
        #expect(status?["kernel_seen"] as? Bool == true && status?["pin_present"] as? Bool == true && status?["kernel"] is [String: Any],
                "a dispatcher member's link is its pinned freplace link: \(status ?? [:])")
        #expect(details["revision"] as? Int == 3, "one revision per change")
        #expect(Set(details["proceed_on"] as? [Int] ?? []) == Set(tc ? [3, 2, 30] : [2, 1, 31]))
        let middle = Self.details(bpfman.bpfman(["link", "get", String(links[1]!), "-o", "json"]))
        #expect(middle["proceed_on"] as? [Int] == (tc ? [3, 30] : [2, 31]), "the default proceed-on")
        #expect(Self.members(bpfman, type, details) == [chain.programs[2], chain.programs[1], chain.programs[3]].compactMap { $0 })

        #expect(veth.ping(5) == 5)
        #expect(try chain.visits() == [1: 5, 2: 5, 3: 5])
        #expect(try chain.value("previous", tag: 1) == 2, "priority 50 ran right after priority 10")
        #expect(try chain.value("previous", tag: 3) == 1, "priority 100 ran right after priority 50")

        // The middle program drops: the chain stops there.
        chain.setVerdict(tag: 1, stopAction)
        #expect(veth.ping(4) == 0)
        #expect(try chain.visits() == [1: 9, 2: 9, 3: 5], "the third program never ran")
        chain.setVerdict(tag: 1, nil)

        // The last program's stop action is in its proceed-on: the
        // dispatcher goes on and, with no program left, passes the packet.
        chain.setVerdict(tag: 3, stopAction)
        #expect(veth.ping(3) == 3)
        #expect(try chain.visits() == [1: 12, 2: 12, 3: 8])
        chain.setVerdict(tag: 3, nil)

        // A revision directory nobody recorded, as a rebuild killed midway
        // leaves it: the next change removes it.
        let root = "\(bpfman.runtimeDirectory)/fs/\(dispatcherDirectory)"
        try FileManager.default.createDirectory(atPath: "\(root)/dispatcher_\(details["nsid"] as? Int ?? 0)_\(details["ifindex"] as? Int ?? 0)_9",
                                                withIntermediateDirectories: false)

        // Detaching the middle program while a stream of packets flows. The
        // stream provably runs across the detach: ten of its round trips end
        // before the detach starts, and the programs that stay count ten more
        // once it has returned. The detached program's count freezes at the
        // swap; the programs that stay see every packet of the stream.
        let before = try chain.visits()
        let stream = try PacketStream(veth, stopFile: bpfman.runtimeDirectory + "-stream-stop")
        for _ in 0..<10 { try #require(stream.next(), "the stream ended before the detach") }
        let detach = bpfman.bpfman(["link", "detach", String(links[1]!)])
        #expect(detach.status == 0, "\(detach.stderr)")
        let frozen = try chain.value("visits", tag: 1)
        let mark = try chain.value("visits", tag: 2)
        while try chain.value("visits", tag: 2) < mark + 10 {
            try #require(stream.next(), "the stream ended after the detach")
        }
        stream.release()
        #expect(stream.lost == 0, "no round trip of the stream went unanswered")
        let streamed = UInt64(stream.replies)
        let after = try chain.visits()
        #expect(after == [1: frozen, 2: before[2]! + streamed, 3: before[3]! + streamed],
                "the programs that stay saw all \(streamed) packets, the detached one none after the swap: \(after)")
        #expect(frozen >= before[1]! + 10 && streamed >= frozen - before[1]! + 10,
                "the detached program saw the stream's packets before the detach, and not those after it: \(frozen), \(after)")
        // Once the stream is over, a counted phase: the detached program stays out.
        #expect(veth.ping(3) == 3)
        #expect(try chain.visits() == [1: frozen, 2: after[2]! + 3, 3: after[3]! + 3])
        let moved = Self.details(bpfman.bpfman(["link", "get", String(links[3]!), "-o", "json"]))
        #expect(moved["position"] as? Int == 1 && moved["revision"] as? Int == 4)
        let revisions = try FileManager.default.contentsOfDirectory(atPath: root).filter { !$0.hasSuffix("_link") }
        #expect(revisions.count == 1 && revisions[0].hasSuffix("_4"), "old and unrecorded revisions are unpinned: \(revisions)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(root)/\(revisions[0])").sorted() == ["dispatcher", "link_0", "link_1"])

        // Eight more links fill the ten slots; an eleventh is refused.
        for priority in 200..<208 {
            let more = chain.attach(verb, tag: 2, priority: priority)
            #expect(more.status == 0, "\(more.stderr)")
        }
        let eleventh = chain.attach(verb, tag: 3, priority: 300)
        #expect(eleventh.status == 1 && eleventh.stderr.contains("no free dispatcher slots") && eleventh.stderr.contains("it holds at most 10 programs"), "\(eleventh.stderr)")
        #expect(Self.members(bpfman, type, details).count == 10)
        #expect(veth.ping(2) == 2)

        let listed = bpfman.bpfman(["dispatcher", "list"]).stdout.split(separator: "\n")
        #expect(listed.count == 2 && listed[0].hasPrefix("TYPE") && listed[1].hasPrefix("\(type) "), "\(listed)")
        #expect(bpfman.bpfman(["dispatcher", "get", type, "\(details["nsid"] as? Int ?? 0)", "\(details["ifindex"] as? Int ?? 0)"])
            .stdout.contains("Members (10/10):"))

        // Removing the dispatcher (with `dispatcher delete` on TC egress, by
        // unloading its programs elsewhere) leaves no pins; foreign filters stay.
        if verb.last == "egress" {
            let delete = bpfman.bpfman(["dispatcher", "delete", type, "\(details["nsid"] as? Int ?? 0)", "\(details["ifindex"] as? Int ?? 0)"])
            #expect(delete.status == 0, "\(delete.stderr)")
            #expect(bpfman.bpfman(["link", "list", "-q"]).stdout.isEmpty, "the dispatcher's links went with it")
        }
        #expect(bpfman.bpfman(["program", "unload"] + bpfman.programIDs().map(String.init)).status == 0)
        #expect((bpfman.bpfman(["dispatcher", "list", "-o", "json"]).json["dispatchers"] as? [Any])?.isEmpty == true)
        #expect(!FileManager.default.fileExists(atPath: root), "no dispatcher pins are left")
        if tc {
            let filters = Command.shell("nsenter --net=\(veth.receiverPath) tc filter show dev \(veth.receiverInterface) \(verb[1])").stdout
            #expect(filters.contains("pref 200") && filters.contains("handle 0x7") && !filters.contains("pref 50 "), "\(filters)")
        } else {
            let link = Command.shell("nsenter --net=\(veth.receiverPath) ip link show dev \(veth.receiverInterface)").stdout
            #expect(!link.contains("xdp"), "\(link)")
        }
    }

    @Test("links on an interface whose namespace was deleted detach cleanly, taking the dispatcher's pins")
    func vanishedInterface() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let veth = try VethPair()
        var chain = Chain(bpfman, veth)
        for tag: UInt32 in 1...2 { try chain.load(tag: tag, "xdp:xdp_chain") }
        let links = [chain.attach(["xdp"], tag: 1, priority: 1), chain.attach(["xdp"], tag: 2, priority: 2)]
        veth.tearDown()
        guard TestEnvironment.kernelHas(.freplace) else {
            // The one program attached directly detaches as cleanly.
            #expect(bpfman.bpfman(["link", "detach", String(Self.linkID(links[0]))]).status == 0)
            #expect(bpfman.bpfman(["link", "list", "-q"]).stdout.isEmpty)
            return
        }
        for link in links {
            #expect(link.status == 0, "\(link.stderr)")
            let detach = bpfman.bpfman(["link", "detach", String(Self.linkID(link))])
            #expect(detach.status == 0, "\(detach.stderr)")
        }
        #expect((bpfman.bpfman(["dispatcher", "list", "-o", "json"]).json["dispatchers"] as? [Any])?.isEmpty == true)
        #expect(!FileManager.default.fileExists(atPath: "\(bpfman.runtimeDirectory)/fs/xdp"), "no dispatcher pins are left")
    }

    @Test("an interface already running a foreign XDP program is refused, and the program stays")
    func foreignXDP() throws {
        let bpfman = BpfmanFixture()
        defer { bpfman.tearDown() }
        let veth = try VethPair()
        defer { veth.tearDown() }
        let foreign = veth.inReceiver("ip link set dev \(veth.receiverInterface) xdpgeneric obj \(TestEnvironment.object("xdp_counter")) sec xdp")
        try #require(foreign.status == 0, "\(foreign.stderr)")
        var chain = Chain(bpfman, veth)
        try chain.load(tag: 1, "xdp:xdp_chain")
        let refused = chain.attach(["xdp"], tag: 1, priority: 50)
        #expect(refused.status == 1, "\(refused.stdout)")
        if TestEnvironment.kernelHas(.freplace) {
            #expect(refused.stderr.contains("which bpfman did not load"), "\(refused.stderr)")
        } else {
            #expect(refused.stderr.contains("already has an XDP program"), "\(refused.stderr)")
        }
        #expect(bpfman.bpfman(["link", "list", "-q"]).stdout.isEmpty)
        let link = Command.shell("nsenter --net=\(veth.receiverPath) ip link show dev \(veth.receiverInterface)").stdout
        #expect(link.contains("xdpgeneric"), "the foreign program still runs: \(link)")
    }
}

private extension String {
    /// `"0a0b"` as bpftool's `0x0a 0x0b`.
    var hexBytes: String {
        stride(from: 0, to: count, by: 2).map { offset -> String in
            let start = index(startIndex, offsetBy: offset)
            return "0x" + self[start..<index(start, offsetBy: 2)]
        }.joined(separator: " ")
    }
}
