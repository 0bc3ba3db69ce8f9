import ArgumentParser
import Manager
import Model
import Namespaces

/// `bpfman container`: find containers' host PIDs.
struct ContainerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "container", abstract: "Find the host PIDs of containers.",
        subcommands: [ContainerList.self, ContainerPIDNamespaces.self, ContainerNSpid.self])
}

/// `container pidns`: PID namespaces like `lsns -t pid`.
struct ContainerPIDNamespaces: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pidns", abstract: "List PID namespaces and their lowest host PID.")
    @OptionGroup var output: OutputOptions

    func run() throws {
        let format = try output.format()
        try CLIContext.requireRoot()
        let namespaces = PIDNamespaces.list()
        if format == .text {
            var table = Table(["NS", "NPROCS", "PID", "USER", "COMMAND"])
            for item in namespaces { table.append([String(item.inode), String(item.nprocs), String(item.pid), item.user, item.command]) }
            CLIContext.write(namespaces.isEmpty ? "" : table.rendered())
            return
        }
        CLIContext.write(JSONValue.object([("namespaces", .array(namespaces.map { item in
            .object([("inode", .uint(item.inode)), ("nprocs", .int(Int64(item.nprocs))), ("pid", .int(Int64(item.pid))),
                     ("user", .string(item.user)), ("command", .string(item.command))])
        }))]).rendered())
    }
}

/// `container nspid <host-pid>` or `container nspid --inner <pid> --pidns <inode>`.
struct ContainerNSpid: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nspid", abstract: "Show a process's PID in each nested PID namespace.")
    @Argument var hostPID: Int32?
    @Option(name: .customLong("inner")) var inner: Int32?
    @Option(name: .customLong("pidns")) var pidNamespace: UInt64?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let format = try output.format()
        let pid: HostPID
        switch (hostPID, inner, pidNamespace) {
        case (let host?, nil, nil): pid = HostPID(host)
        case (nil, let inner?, let namespace?):
            try CLIContext.requireRoot()
            pid = try NSpidChain.hostPID(innerPID: inner, pidNamespace: namespace)
        default:
            throw UsageError("expected <host-pid>, or --inner <pid> with --pidns <inode>")
        }
        try CLIContext.requireRoot()
        let chain = try NSpidChain.read(hostPID: pid)
        CLIContext.emit(format,
                        json: .object([("pid", .int(Int64(chain.pid))), ("nspid", .array(chain.nspid.map { .int(Int64($0)) })),
                                       ("pid_namespace", .uint(chain.pidNamespace))]),
                        text: "PID:           \(chain.pid)\nNSpid:         \(chain.nspid.map(String.init).joined(separator: " "))\nPID namespace: \(chain.pidNamespace)\n")
    }
}
