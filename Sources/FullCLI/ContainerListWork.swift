import CLI
import Manager
import Model
import Runtimes

extension ContainerList: FullCommandWork {
    /// Lists the containers of every runtime that answers, or of `--runtime`.
    package func perform() throws {
        let format = try output.format()
        var kinds = RuntimeKind.allCases
        if let runtime {
            guard let kind = RuntimeKind(rawValue: runtime.lowercased()) else {
                throw UsageError("--runtime: unknown runtime \"\(runtime)\" (valid: cri, podman, docker)")
            }
            kinds = [kind]
        }
        try CLIContext.requireRoot()
        var containers: [ContainerInfo] = []
        for kind in kinds {
            let found: [ContainerInfo]
            do {
                found = try RuntimeDirectory.containers(kind, socket: runtime == nil ? nil : socket)
            } catch {
                if runtime == nil && error.code == .unavailable { continue } // that runtime is not running here
                throw error
            }
            containers += found
        }
        if format == .text {
            guard !containers.isEmpty else { return }
            var table = Table(["RUNTIME", "CONTAINER ID", "NAME", "POD", "NAMESPACE", "PID", "PIDNS"])
            for item in containers {
                table.append([item.runtime.rawValue, String(item.id.prefix(13)), item.name, item.pod, item.namespace,
                              item.pid.description, String(item.pidNamespace)])
            }
            CLIContext.write(table.rendered())
            return
        }
        CLIContext.write(JSONValue.object([("containers", .array(containers.map { item in
            .object([("runtime", .string(item.runtime.rawValue)), ("id", .string(item.id)), ("name", .string(item.name)),
                     ("pod", .string(item.pod)), ("namespace", .string(item.namespace)), ("pid", .int(Int64(item.pid.rawValue))),
                     ("pid_namespace", .uint(item.pidNamespace))])
        }))]).rendered())
    }
}
