import Foundation
import Runtimes
import TestSupport

/// Container selectors at scale: a real containerd with 100+ pods, the
/// selector resolved through CRI, and uprobes attached to 1, 10 and 100
/// containers and detached again.
enum SelectorBench {
    struct Result {
        var rows: [(String, Statistics)]
        var resolveCalls: Int
        var containers: Int
    }

    static func run(bpfman: String, environment: [String: String], object: String, runs: Int) async throws -> Result {
        let rootfs = try ContainerRootfs()
        defer { rootfs.tearDown() }
        let cri = try CRISandbox(rootfs: rootfs)
        defer { cri.tearDown() }
        let total = 110
        for index in 0..<total {
            _ = try await cri.runPod(name: "pod-\(index)", namespace: "bench", labels: ["group": index < 1 ? "one" : index < 10 ? "ten" : "many"],
                                     containers: [.init(name: "app", command: ["/usr/bin/probe_target", "0", "malloc-loop"])])
        }
        let client = CRIClient(socketPath: cri.socket)
        var resolve: [Double] = []
        var calls = 0
        var found = 0
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let result = try await client.containers(matching: ContainerSelector(namespace: "bench"))
            resolve.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            calls = result.calls
            found = result.containers.count
        }
        var rows: [(String, Statistics)] = [("CRI resolve selector, \(found) containers (\(calls) calls)", Statistics(seconds: resolve))]
        let program = Runner.run([bpfman, "program", "load", "file", object, "--programs", "uprobe:uprobe_counter", "-o", "json"], environment: environment)
        let id = (((try? JSONSerialization.jsonObject(with: Data(program.output.utf8))) as? [String: Any])?["programs"] as? [[String: Any]])?
            .first.flatMap { ($0["record"] as? [String: Any])?["program_id"] as? Int } ?? 0
        for selector in ["group=one", "group in (one, ten)", "group in (one, ten, many)"] {
            let attach = Runner.run([bpfman, "link", "attach", "uprobe", String(id), "libc", "--fn-name", "malloc", "--containers-namespace", "bench",
                                     "--containers-pod-selector", selector, "--runtime-endpoint", cri.socket, "-o", "json"], environment: environment)
            let links = Runner.run([bpfman, "link", "list", "-q"], environment: environment).output.split(separator: "\n").map(String.init)
            let detach = Runner.run([bpfman, "link", "detach"] + links, environment: environment)
            rows.append(("attach uprobe in \(links.count) containers (selector)", Statistics([attach])))
            rows.append(("detach \(links.count) container links", Statistics([detach])))
        }
        _ = Runner.run([bpfman, "program", "unload", String(id)], environment: environment)
        return Result(rows: rows, resolveCalls: calls, containers: found)
    }
}
