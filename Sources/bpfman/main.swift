import CLI
import Glibc

exit(BpfmanCLI.main(arguments: Array(CommandLine.arguments.dropFirst())))
