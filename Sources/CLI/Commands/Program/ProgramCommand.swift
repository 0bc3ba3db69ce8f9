import ArgumentParser

/// `bpfman program`: load, inspect and unload programs.
struct ProgramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "program", abstract: "Load, list, inspect and unload BPF programs.",
        subcommands: [ProgramList.self, ProgramLoad.self, ProgramUnload.self, ProgramGet.self, ProgramDelete.self],
        defaultSubcommand: ProgramList.self)
}

/// `bpfman program load`: from an object file (default) or an OCI image.
struct ProgramLoad: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "Load programs from an object file or an OCI image.",
        subcommands: [ProgramLoadFile.self, ProgramLoadImage.self], defaultSubcommand: ProgramLoadFile.self)
}
