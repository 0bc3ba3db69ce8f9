import ArgumentParser
import Manager
import Model

/// The flags of an attach through a dispatcher, shared by `link attach
/// xdp|tc` and the one-step `load … xdp|tc`: `--priority`, `--proceed-on`
/// and `--netns`.
struct DispatcherOptions: ParsableArguments {
    @Option(name: [.customShort("p"), .customLong("priority")], parsing: .unconditional) var priority: Int?
    @Option(name: .customLong("proceed-on")) var proceedOn: [String] = []
    @Option(name: [.customShort("n"), .customLong("netns")]) var netns: String?

    /// The XDP attach on `interface` these flags describe.
    func xdp(interface: String) throws(UsageError) -> AttachTarget {
        .xdp(interface: interface, priority: try ValueSyntax.priority(priority),
             proceedOn: try ValueSyntax.proceedOn(proceedOn, tc: false), netns: netns)
    }

    /// The TC attach on `interface` in `direction` these flags describe.
    func tc(interface: String, direction: String) throws(UsageError) -> AttachTarget {
        .tc(interface: interface, direction: try ValueSyntax.direction(direction), priority: try ValueSyntax.priority(priority),
            proceedOn: try ValueSyntax.proceedOn(proceedOn, tc: true), netns: netns)
    }
}
