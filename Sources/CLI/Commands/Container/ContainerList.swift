import ArgumentParser

/// `container list [--runtime cri|podman|docker]`: the node's containers
/// with their host PIDs, from every runtime whose socket answers.
package struct ContainerList: FullCommand {
    package static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers and their host PIDs.")

    @Option(name: .customLong("runtime"), help: "Only this runtime: cri, podman or docker.")
    package var runtime: String?

    @Option(name: .customLong("socket"), help: "The runtime's socket (with --runtime).")
    package var socket: String?

    @OptionGroup package var output: OutputOptions

    package init() {}
}
