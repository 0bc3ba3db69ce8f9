// `make bench`: times bpfman CLI operations (release build) next to a
// minimal C program doing the same syscalls (bench/floor.c), in one run.
import BinaryFormats
import Foundation
import Glibc

let repo = FileManager.default.currentDirectoryPath
let binDir = ProcessInfo.processInfo.environment["BENCH_BIN_DIR"] ?? repo + "/.build/release"
let bpfman = binDir + "/bpfman"
let floor = repo + "/build/floor"
let runs = Int(ProcessInfo.processInfo.environment["BENCH_RUNS"] ?? "") ?? 30
let runtime = "/tmp/bpfman-bench-rt"
let floorFS = "/tmp/bpfman-bench-floor"
let env = ["BPFMAN_RUNTIME_DIR": runtime]
let object = repo + "/build/bpf/uprobe_counter.bpf.o"
let tracepointObject = repo + "/build/bpf/tracepoint_counter.bpf.o"
let target = repo + "/build/probe_target"

struct Row {
    var name: String
    var bpfman: Statistics
    var floor: Statistics?
}
var rows: [Row] = []

func cli(_ arguments: [String]) -> Sample {
    let sample = Runner.run([bpfman] + arguments, environment: env)
    if sample.status != 0 { FileHandle.standardError.write(Data("bpfman \(arguments) failed (\(sample.status))\n".utf8)) }
    return sample
}

func json(_ sample: Sample) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(sample.output.utf8))) as? [String: Any] ?? [:]
}

func load(_ path: String = object, _ spec: String = "uprobe:uprobe_counter") -> Int {
    let result = json(cli(["program", "load", "file", path, "--programs", spec, "-o", "json"]))
    return ((result["programs"] as? [[String: Any]])?.first?["record"] as? [String: Any])?["program_id"] as? Int ?? 0
}

func linkID(_ sample: Sample) -> Int { ((json(sample)["record"] as? [String: Any])?["id"] as? Int) ?? 0 }

func shell(_ line: String) -> String { Runner.run(["/bin/sh", "-c", line]).output.trimmingCharacters(in: .whitespacesAndNewlines) }

func symbolOffset(_ path: String, _ name: String) -> UInt64 {
    guard let data = FileManager.default.contents(atPath: path) else { return 0 }
    return (try? ELFFile(bytes: [UInt8](data)).symbolFileOffset(named: name)) ?? 0
}

_ = shell("umount -l \(runtime)/fs 2>/dev/null; rm -rf \(runtime); umount -l \(floorFS) 2>/dev/null; mkdir -p \(floorFS) && mount -t bpf bpf \(floorFS)")
_ = cli(["program", "list"])

// 1. program load file.
var loadSamples: [Sample] = [], floorLoad: [Sample] = []
for index in 0..<runs {
    loadSamples.append(cli(["program", "load", "file", object, "--programs", "uprobe:uprobe_counter", "-o", "json"]))
    _ = shell("mkdir -p \(floorFS)/p\(index)")
    floorLoad.append(Runner.run([floor, "load", object, "uprobe_counter", "\(floorFS)/p\(index)"]))
}
rows.append(Row(name: "program load file (uprobe)", bpfman: Statistics(loadSamples), floor: Statistics(floorLoad)))
let program = json(loadSamples[0]).isEmpty ? load() : ((json(loadSamples[0])["programs"] as? [[String: Any]])?.first?["record"] as? [String: Any])?["program_id"] as? Int ?? load()

// 2. link attach uprobe on the host, and link detach.
let offset = symbolOffset(target, "bpfman_test_probe")
var attachSamples: [Sample] = [], detachSamples: [Sample] = [], floorAttach: [Sample] = [], floorDetach: [Sample] = []
// The kernel finishes a perf-event detach asynchronously (~120 ms); settle
// after each so every attach is measured from the same quiet state.
let settle: useconds_t = 250_000
for index in 0..<runs {
    let attach = cli(["link", "attach", "uprobe", String(program), target, "--fn-name", "bpfman_test_probe", "-o", "json"])
    attachSamples.append(attach)
    detachSamples.append(cli(["link", "detach", String(linkID(attach))]))
    usleep(settle)
    floorAttach.append(Runner.run([floor, "attach", "\(floorFS)/p0/prog", target, String(offset), "\(floorFS)/l\(index)"]))
    floorDetach.append(Runner.run([floor, "unpin", "\(floorFS)/l\(index)"]))
    usleep(settle)
}
rows.append(Row(name: "link attach uprobe (host)", bpfman: Statistics(attachSamples), floor: Statistics(floorAttach)))
rows.append(Row(name: "link detach (uprobe)", bpfman: Statistics(detachSamples), floor: Statistics(floorDetach)))

// 3. link attach uprobe --container-pid, with a runc container.
let rootfs = "/tmp/bpfman-bench-rootfs"
_ = shell("\(repo)/scripts/container-rootfs.sh \(rootfs) glibc")
let containerPID = shell("\(repo)/scripts/runc-container.sh start bpfman-bench \(rootfs) -- /usr/bin/probe_target 0 malloc-loop")
if let pid = Int32(containerPID) {
    let libc = "/lib/x86_64-linux-gnu/libc.so.6"
    let mallocOffset = symbolOffset(rootfs + libc, "malloc")
    var containerSamples: [Sample] = [], floorContainer: [Sample] = []
    for index in 0..<runs {
        let attach = cli(["link", "attach", "uprobe", String(program), "libc", "--fn-name", "malloc", "--container-pid", String(pid), "-o", "json"])
        containerSamples.append(attach)
        _ = cli(["link", "detach", String(linkID(attach))])
        usleep(settle)
        floorContainer.append(Runner.run([floor, "attach-ns", String(pid), "\(floorFS)/p0/prog", libc, String(mallocOffset), "\(floorFS)/c\(index)"]))
        _ = Runner.run([floor, "unpin", "\(floorFS)/c\(index)"])
        usleep(settle)
    }
    rows.append(Row(name: "link attach uprobe --container-pid", bpfman: Statistics(containerSamples), floor: Statistics(floorContainer)))
}
_ = shell("\(repo)/scripts/runc-container.sh stop bpfman-bench; rm -rf \(rootfs)")

// 4. program list with 1, 100 and 1000 programs, text and json.
_ = Runner.run(["/bin/sh", "-c", "BPFMAN_RUNTIME_DIR=\(runtime) \(bpfman) program unload $(BPFMAN_RUNTIME_DIR=\(runtime) \(bpfman) program list -q)"])
var loaded = 0
for count in [1, 100, 1000] {
    while loaded < count { _ = load(); loaded += 1 }
    let listRuns = count == 1000 ? max(5, runs / 3) : runs
    var text: [Sample] = [], jsonSamples: [Sample] = [], floorList: [Sample] = []
    for _ in 0..<listRuns {
        text.append(cli(["program", "list"]))
        jsonSamples.append(cli(["program", "list", "-o", "json"]))
        floorList.append(Runner.run([floor, "list"]))
    }
    rows.append(Row(name: "program list, \(count) programs (text)", bpfman: Statistics(text), floor: Statistics(floorList)))
    rows.append(Row(name: "program list, \(count) programs (json)", bpfman: Statistics(jsonSamples), floor: Statistics(floorList)))
}
_ = Runner.run(["/bin/sh", "-c", "BPFMAN_RUNTIME_DIR=\(runtime) \(bpfman) program unload $(BPFMAN_RUNTIME_DIR=\(runtime) \(bpfman) program list -q)"])

// 5. program unload with 0 and 10 links.
for links in [0, 10] {
    var samples: [Sample] = []
    for _ in 0..<(links == 0 ? runs : max(3, runs / 6)) {
        let id = load(tracepointObject, "tracepoint:tracepoint_counter")
        let syscalls = ["getppid", "getpid", "gettid", "getuid", "geteuid", "getgid", "getegid", "sched_yield", "getpgrp", "getsid"]
        for name in syscalls.prefix(links) { _ = cli(["link", "attach", "tracepoint", String(id), "syscalls/sys_enter_\(name)"]) }
        samples.append(cli(["program", "unload", String(id)]))
    }
    rows.append(Row(name: "program unload, \(links) links", bpfman: Statistics(samples), floor: nil))
}

// 6. bpfman serve: per-RPC latencies and memory.
var serverMemory: (idle: Int, peak: Int)?
do {
    let grpc = try await GRPCBench.run(bpfman: bpfman, runtime: runtime, object: object, target: target, runs: runs)
    for (name, statistics) in grpc.rows { rows.append(Row(name: name, bpfman: statistics, floor: nil)) }
    serverMemory = (grpc.idleRSSKiB, grpc.peakRSSKiB)
} catch {
    FileHandle.standardError.write(Data("gRPC benchmarks failed: \(error)\n".utf8))
}

// 7. Container selectors through CRI, 1 / 10 / 100 containers.
do {
    let selectors = try await SelectorBench.run(bpfman: bpfman, environment: env, object: object, runs: min(runs, 10))
    for (name, statistics) in selectors.rows { rows.append(Row(name: name, bpfman: statistics, floor: nil)) }
} catch {
    FileHandle.standardError.write(Data("selector benchmarks failed: \(error)\n".utf8))
}

_ = shell("umount -l \(runtime)/fs; rm -rf \(runtime) \(runtime)-sock; umount -l \(floorFS); rm -rf \(floorFS)")

// Report.
func ms(_ seconds: Double) -> String { String(format: "%.2f", seconds * 1000) }
let header = "benchmark".padding(toLength: 52, withPad: " ", startingAt: 0) + "  median ms   p99 ms  floor ms  ratio  Δ ms   peak RSS MiB"
print(header)
var results: [[String: Any]] = []
for row in rows {
    let floorMedian = row.floor?.median
    let ratio = floorMedian.map { $0 > 0 ? row.bpfman.median / $0 : 0 }
    let line = row.name.padding(toLength: 52, withPad: " ", startingAt: 0)
        + ms(row.bpfman.median).leftPad(10) + ms(row.bpfman.p99).leftPad(9)
        + (floorMedian.map(ms) ?? "-").leftPad(10) + (ratio.map { String(format: "%.1f", $0) } ?? "-").leftPad(7)
        + (floorMedian.map { ms(row.bpfman.median - $0) } ?? "-").leftPad(7)
        + String(format: "%.1f", Double(row.bpfman.maxRSSKiB) / 1024).leftPad(14)
    print(line)
    var entry: [String: Any] = ["name": row.name, "runs": row.bpfman.runs, "median_ms": row.bpfman.median * 1000,
                                "p99_ms": row.bpfman.p99 * 1000, "peak_rss_kib": row.bpfman.maxRSSKiB]
    if let floor = row.floor {
        entry["floor_median_ms"] = floor.median * 1000
        entry["floor_p99_ms"] = floor.p99 * 1000
        entry["ratio_to_floor"] = ratio ?? 0
    }
    results.append(entry)
}
if let serverMemory {
    print(String(format: "bpfman serve RSS: idle %.1f MiB, peak after the gRPC benchmarks %.1f MiB",
                 Double(serverMemory.idle) / 1024, Double(serverMemory.peak) / 1024))
}
var document: [String: Any] = ["runs": runs, "kernel": shell("uname -r"), "results": results]
if let serverMemory { document["serve_rss_kib"] = ["idle": serverMemory.idle, "peak": serverMemory.peak] }
let data = try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys])
try data.write(to: URL(fileURLWithPath: repo + "/bench/results.json"))
print("wrote bench/results.json")

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? " " + self : String(repeating: " ", count: width - count) + self }
}
