import BinaryFormats
import Diagnostics
import LinuxSys
import SystemPackage

/// A uprobe location: the file to probe and the offset within it.
package struct UprobeTarget: Sendable, Equatable {
    /// The file, as the resolving mount namespace sees it.
    package var path: String
    /// The file offset of the probe.
    package var offset: UInt64

    /// Creates a target.
    package init(path: String, offset: UInt64) {
        self.path = path
        self.offset = offset
    }
}

/// Resolves `<target>` and `--fn-name` the way the process's mount namespace
/// sees them: in the namespace the caller is in when it calls ``resolve``.
package struct TargetResolver: Sendable {
    /// The `/proc/<pid>/maps` text of the process whose mappings come first,
    /// read before entering any other namespace; nil to skip that lookup.
    package var processMaps: (pid: Int32, text: String)?
    /// The root under which `/etc` and library directories are looked up.
    package var root: String

    /// Creates a resolver.
    package init(processMaps: (pid: Int32, text: String)? = nil, root: String = "") {
        self.processMaps = processMaps
        self.root = root
    }

    /// Resolves `target` and the optional function to a file and offset.
    ///
    /// Library names (no `/`) are looked up in the process's mapped files,
    /// then `/etc/ld.so.cache`, then musl's path file and default directories.
    /// Files are opened without blocking and must be regular files.
    /// - Throws: `TargetError` naming every lookup tried, or the missing symbol;
    ///   `.invalidArgument` without a function name and a non-zero offset
    ///   (see ``checkLocation(target:functionName:offset:)``).
    package func resolve(target: String, functionName: String?, offset: UInt64) throws(TargetError) -> UprobeTarget {
        try Self.checkLocation(target: target, functionName: functionName, offset: offset)
        let path = try resolvePath(target)
        guard let functionName, !functionName.isEmpty else {
            try Self.requireRegularFile(path, root: root)
            return UprobeTarget(path: path, offset: offset)
        }
        let symbolOffset = try Self.symbolOffset(functionName, in: path, root: root)
        let (sum, overflow) = symbolOffset.addingReportingOverflow(offset)
        guard !overflow else { throw TargetError(code: .invalidArgument, message: "offset \(offset) overflows \(functionName)") }
        return UprobeTarget(path: path, offset: sum)
    }

    /// The file a target names.
    package func resolvePath(_ target: String) throws(TargetError) -> String {
        guard !target.isEmpty else { throw TargetError(code: .invalidArgument, message: "resolve target: empty target") }
        if target.hasPrefix("/") { return target }
        if target.contains("/") {
            throw TargetError(code: .invalidArgument, message: "resolve target \"\(target)\": relative paths are ambiguous (pass an absolute path)")
        }
        var tried: [String] = []
        if let processMaps {
            tried.append("/proc/\(processMaps.pid)/maps")
            if let path = ProcMaps(text: processMaps.text).mappedFile(matchingLibrary: target) { return path }
        }
        tried.append("/etc/ld.so.cache")
        var cacheNote = ""
        do {
            let bytes = try FileSystem.readRegularFile(root + "/etc/ld.so.cache", limit: 64 << 20)
            if let path = try LdSoCache(bytes: bytes).lookup(library: target) { return path }
        } catch let error as FileReadError {
            cacheNote = error == .system(.noSuchFileOrDirectory) ? " (no /etc/ld.so.cache)" : " (\(error))"
        } catch {
            cacheNote = " (\(error))"
        }
        let musl = muslDirectories()
        tried.append("musl paths [\(musl.joined(separator: " "))]")
        for directory in musl {
            for name in MuslPathFile.candidateFileNames(library: target, architecture: Self.architecture) {
                let candidate = directory + "/" + name
                if FileSystem.isRegularFile(root + candidate) { return candidate }
            }
        }
        throw TargetError(code: .notFound, message:
            "resolve target \"\(target)\": not found in /etc/ld.so.cache\(cacheNote) (pass an absolute path); tried \(tried.joined(separator: ", "))")
    }

    private func muslDirectories() -> [String] {
        let file = MuslPathFile.fileName(architecture: Self.architecture)
        if let bytes = try? FileSystem.readRegularFile(root + file, limit: 1 << 20) {
            let directories = MuslPathFile(text: String(decoding: bytes, as: UTF8.self)).directories
            if !directories.isEmpty { return directories }
        }
        return MuslPathFile.defaultDirectories
    }

    /// The machine name musl uses in its file names.
    package static var architecture: String {
        #if arch(x86_64)
        "x86_64"
        #elseif arch(arm64)
        "aarch64"
        #else
        "unknown"
        #endif
    }
}
