/// The command line of `bpfman-ns uprobe`: everything the single-threaded
/// namespace helper needs to attach one uprobe inside a container.
package struct UprobeHelperArguments: Sendable, Equatable {
    /// The bpffs pin of the loaded program (host mount namespace).
    package var programPin: String
    /// Where to pin the new link (host mount namespace).
    package var linkPin: String
    /// The container's host pid, whose mount namespace resolves the target.
    package var containerPID: Int32
    /// The target exactly as typed (`libc`, `/usr/bin/app`).
    package var target: String
    /// The function to probe, if any.
    package var functionName: String?
    /// Offset added to the function, or the file offset.
    package var offset: UInt64
    /// Whether to create a return probe.
    package var retprobe: Bool
    /// A host pid filter.
    package var pid: Int32?

    /// Creates helper arguments.
    package init(programPin: String, linkPin: String, containerPID: Int32, target: String, functionName: String?,
                 offset: UInt64, retprobe: Bool, pid: Int32?) {
        self.programPin = programPin
        self.linkPin = linkPin
        self.containerPID = containerPID
        self.target = target
        self.functionName = functionName
        self.offset = offset
        self.retprobe = retprobe
        self.pid = pid
    }

    /// The subcommand word.
    package static let command = "uprobe"

    /// The arguments after the executable name.
    package var commandLine: [String] {
        var result = [Self.command, "--program-pin", programPin, "--link-pin", linkPin,
                      "--container-pid", String(containerPID), "--target", target, "--offset", String(offset)]
        if let functionName { result += ["--fn-name", functionName] }
        if retprobe { result.append("--retprobe") }
        if let pid { result += ["--pid", String(pid)] }
        return result
    }

    /// Parses `commandLine` back.
    ///
    /// - Returns: nil with a reason when an argument is missing or malformed.
    package static func parse(_ arguments: [String]) -> Result<UprobeHelperArguments, TargetError> {
        guard arguments.first == command else { return .failure(usage("expected subcommand \(command)")) }
        var values: [String: String] = [:]
        var retprobe = false
        var index = 1
        while index < arguments.count {
            let flag = arguments[index]
            if flag == "--retprobe" { retprobe = true; index += 1; continue }
            guard flag.hasPrefix("--"), index + 1 < arguments.count else { return .failure(usage("unexpected argument \(flag)")) }
            values[String(flag.dropFirst(2))] = arguments[index + 1]
            index += 2
        }
        guard let programPin = values["program-pin"], let linkPin = values["link-pin"], let target = values["target"],
              let containerText = values["container-pid"], let containerPID = Int32(containerText) else {
            return .failure(usage("missing --program-pin, --link-pin, --container-pid or --target"))
        }
        let offset = values["offset"].flatMap { UInt64($0) } ?? 0
        var pid: Int32?
        if let text = values["pid"] {
            guard let value = Int32(text) else { return .failure(usage("invalid --pid \(text)")) }
            pid = value
        }
        return .success(UprobeHelperArguments(programPin: programPin, linkPin: linkPin, containerPID: containerPID, target: target,
                                              functionName: values["fn-name"], offset: offset, retprobe: retprobe, pid: pid))
    }

    private static func usage(_ reason: String) -> TargetError {
        TargetError(code: .invalidArgument, message: "bpfman-ns: \(reason)")
    }
}

/// What `bpfman-ns uprobe` prints on success: where the probe went.
package struct UprobeHelperReply: Sendable, Equatable {
    /// The file probed, as the container sees it.
    package var path: String
    /// The file offset probed.
    package var offset: UInt64
    /// The kernel link id.
    package var kernelLinkID: UInt32

    /// Creates a reply.
    package init(path: String, offset: UInt64, kernelLinkID: UInt32) {
        self.path = path
        self.offset = offset
        self.kernelLinkID = kernelLinkID
    }

    /// The reply as `key=value` lines.
    package var text: String { "path=\(path)\noffset=\(offset)\nkernel_link_id=\(kernelLinkID)\n" }

    /// Parses ``text``.
    package init?(text: String) {
        var values: [Substring: Substring] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            values[line[..<equals]] = line[line.index(after: equals)...]
        }
        guard let path = values["path"], let offset = values["offset"].flatMap({ UInt64($0) }),
              let link = values["kernel_link_id"].flatMap({ UInt32($0) }) else { return nil }
        self.init(path: String(path), offset: offset, kernelLinkID: link)
    }
}
