import BPF
import Glibc
import Diagnostics
import LinuxSys
import Model
import Namespaces
import SystemPackage
import Targets

/// A failure of one named step of the container attach.
struct HelperFailure: Error {
    var code: ErrorCode
    var message: String

    init(_ code: ErrorCode, _ message: String) {
        self.code = code
        self.message = message
    }

    init(_ error: any BpfmanError, context: String? = nil) {
        code = error.code
        message = context.map { "\($0): \(error.message)" } ?? error.message
    }
}

/// Attaches one uprobe inside a container's mount namespace.
///
/// Runs single-threaded: setns(CLONE_NEWNS) refuses processes with more
/// than one thread. Everything that only the host can see (the uprobe PMU in
/// /sys, the program pin in bpffs, the process's maps in the host's /proc) is
/// read before switching; the target is resolved and the perf event opened
/// inside; the link is created and pinned after switching back.
enum ContainerUprobe {
    static func attach(_ arguments: UprobeHelperArguments) throws(HelperFailure) -> UprobeHelperReply {
        let pid = arguments.containerPID
        // 1. Our own mount namespace, while we can still name it.
        let home: OwnedDescriptor
        do { home = try Namespace.open("/proc/self/ns/mnt") } catch {
            throw HelperFailure(.internal, "open own mount namespace /proc/self/ns/mnt: \(error.lowercasedDescription)")
        }
        // 2. The container's, through /proc or a mounted host /proc.
        let procRoot: String
        do { procRoot = try ContainerNamespace.procRoot(for: pid) } catch { throw HelperFailure(error) }
        let namespacePath = ContainerNamespace.mountNamespacePath(pid: pid, procRoot: procRoot)
        if ProcessStatus.isKernelThread(pid: pid, procRoot: procRoot) {
            throw HelperFailure(.invalidArgument, "container PID \(pid) is a kernel thread, not a container process")
        }
        let container: OwnedDescriptor
        do { container = try Namespace.open(namespacePath) } catch {
            throw HelperFailure(ErrorCode(errno: error), "container namespace for PID \(pid) not accessible: open \(namespacePath): \(error.lowercasedDescription)")
        }
        helperLog(.debug, "opened the container's mount namespace", [("pid", String(pid)), ("path", namespacePath)])
        // 3. Host-only facts: the PMU, the program, the process's mappings.
        let pmu: UprobePMU
        do { pmu = try UprobePMU.read() } catch {
            throw HelperFailure(.unsupported, "read uprobe PMU from /sys/bus/event_source/devices/uprobe: \(error.lowercasedDescription)")
        }
        let program: OwnedDescriptor
        do { program = try Pins.open(arguments.programPin, what: "program") } catch { throw HelperFailure(error) }
        // The --pid process's mappings must be readable; the container
        // process's own are only a hint.
        var maps: (Int32, String)?
        if let filter = arguments.pid {
            do { maps = (filter, try TargetResolver.processMaps(pid: filter, procRoot: procRoot)) } catch { throw HelperFailure(error) }
        } else if let text = try? FileSystem.readText("\(procRoot)/\(pid)/maps") {
            maps = (pid, text)
        }
        // 4. Enter, resolve, open the perf event.
        do { try Namespace.enter(container, kind: .mount) } catch {
            throw HelperFailure(ErrorCode(errno: error), "enter mount namespace of PID \(pid): \(error.lowercasedDescription)")
        }
        var failure: HelperFailure?
        var target = UprobeTarget(path: "", offset: 0)
        var eventFD: CInt = -1
        do {
            target = try resolve(arguments, maps: maps)
            eventFD = try openEvent(arguments, pmu: pmu, target: target).take()
        } catch {
            failure = error
        }
        // 5. Back home before anything touches bpffs.
        do { try Namespace.enter(home, kind: .mount) } catch {
            throw HelperFailure(.internal, "return to own mount namespace: \(error.lowercasedDescription)")
        }
        if let failure { throw failure }
        helperLog(.debug, "resolved the target inside the container and opened its perf event",
                  [("pid", String(pid)), ("path", target.path), ("offset", "0x" + String(target.offset, radix: 16))])
        let event = OwnedDescriptor(eventFD)
        // 6. Link and pin.
        do {
            let link = try PerfEventLink.attach(program: program, event: event)
            let info = try KernelLink(fd: link)
            try Pins.pin(link, at: arguments.linkPin)
            helperLog(.debug, "linked and pinned", [("kernel_link_id", String(info.id)), ("path", arguments.linkPin)])
            return UprobeHelperReply(path: target.path, offset: target.offset, kernelLinkID: info.id)
        } catch {
            throw HelperFailure(error)
        }
    }

    /// Resolves the target inside the container.
    private static func resolve(_ arguments: UprobeHelperArguments, maps: (Int32, String)?) throws(HelperFailure) -> UprobeTarget {
        do {
            return try TargetResolver(processMaps: maps).resolve(target: arguments.target, functionName: arguments.functionName,
                                                                 offset: arguments.offset)
        } catch {
            throw HelperFailure(error, context: "in container \(arguments.containerPID)")
        }
    }

    /// Opens the uprobe perf event on the resolved target, inside the container.
    private static func openEvent(_ arguments: UprobeHelperArguments, pmu: UprobePMU, target: UprobeTarget) throws(HelperFailure) -> OwnedDescriptor {
        do {
            return try PerfEvent.openUprobe(pmu: pmu, path: target.path, offset: target.offset, retprobe: arguments.retprobe,
                                            pid: arguments.pid)
        } catch {
            var message = "create \(arguments.retprobe ? "uretprobe" : "uprobe") on \(target.path)+0x\(String(target.offset, radix: 16)) in container \(arguments.containerPID): \(error.lowercasedDescription)"
            if error == .noSuchProcess, let pid = arguments.pid { message += " (pid \(pid) does not exist)" }
            throw HelperFailure(ErrorCode(errno: error), message)
        }
    }
}
