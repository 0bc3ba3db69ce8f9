import ArgumentParser
import Glibc
import Manager

/// A command whose work needs the registry client, the container-runtime
/// clients or the gRPC server, which only `bpfman-full` links.
///
/// Declared here like every other command, so that `bpfman` parses it,
/// validates it and shows its help. Its work is a ``FullCommandWork``
/// conformance in the FullCLI module. `bpfman` itself, which links none of
/// that code and so starts in about half the time, hands the command line
/// over to `bpfman-full` (``FullExecutable``).
package protocol FullCommand: ParsableCommand {}

/// The work of a ``FullCommand``, or of the part of a command that needs
/// `bpfman-full`. Conformances live in the FullCLI module.
package protocol FullCommandWork {
    /// Carries out the command.
    func perform() throws
}

extension FullCommand {
    /// Carries out the command here when this executable links its work,
    /// otherwise in `bpfman-full`.
    package func run() throws { try FullExecutable.perform(self) }
}

/// `bpfman-full`: the executable that links every command's work.
package enum FullExecutable {
    /// Performs `command`'s ``FullCommandWork`` when this executable links
    /// it; otherwise replaces this process with `bpfman-full` and the same
    /// command line.
    ///
    /// - Throws: the command's own errors, or `ManagerError` when
    ///   `bpfman-full` cannot be started.
    package static func perform(_ command: any ParsableCommand) throws {
        try work(of: command, as: (any FullCommandWork).self).perform()
    }

    /// `command` as `Work`, the protocol its work conforms to in FullCLI,
    /// when this executable links that work; otherwise replaces this process
    /// with `bpfman-full` and the same command line.
    ///
    /// - Throws: `ManagerError` when `bpfman-full` cannot be started.
    package static func work<Work>(of command: any ParsableCommand, as _: Work.Type) throws(ManagerError) -> Work {
        guard let work = command as? Work else { try handOver() }
        return work
    }

    /// Replaces this process with `bpfman-full`, given this process's
    /// arguments and environment. Returns only by throwing.
    ///
    /// - Throws: `ManagerError` (`.notFound`) naming the executable when
    ///   `execv` fails.
    package static func handOver() throws(ManagerError) -> Never {
        let path = GlobalSettings.siblingExecutable("bpfman-full", override: "BPFMAN_FULL_BIN")
        let arguments = ["bpfman"] + CommandLine.arguments.dropFirst()
        var pointers = arguments.map { strdup($0) }
        pointers.append(nil)
        execv(path, pointers)
        let reason = String(cString: strerror(errno)).lowercased()
        for pointer in pointers { free(pointer) }
        throw ManagerError(.notFound, "cannot run \(path), which carries out this command: \(reason)")
    }
}
