import CLI
import FullCLI
import Glibc

// The same command line as bpfman; FullCLI supplies the work of the
// commands that need the registry, container-runtime and gRPC code.
exit(BpfmanCLI.main(arguments: Array(CommandLine.arguments.dropFirst())))
