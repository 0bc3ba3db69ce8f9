// bpfman-ns: the single-threaded helper that attaches uprobes inside a
// container's mount namespace. Synchronous top-level code only: no
// Foundation, Dispatch or async, which would start threads and make
// setns(CLONE_NEWNS) fail.
import Glibc
import Targets

func fail(_ status: Int32, _ message: String) -> Never {
    let line = message + "\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
    exit(status)
}

let arguments = Array(CommandLine.arguments.dropFirst())
let parsed: UprobeHelperArguments
switch UprobeHelperArguments.parse(arguments) {
case .success(let value): parsed = value
case .failure(let error): fail(HelperExitCode.status(error.code), error.message)
}

do {
    let reply = try ContainerUprobe.attach(parsed)
    _ = reply.text.withCString { write(1, $0, strlen($0)) }
    exit(0)
} catch {
    fail(HelperExitCode.status(error.code), error.message)
}
