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
    /// - Throws: `TargetError` naming every lookup tried, or the missing symbol.
    package func resolve(target: String, functionName: String?, offset: UInt64) throws(TargetError) -> UprobeTarget {
        let path = try resolvePath(target)
        guard let functionName, !functionName.isEmpty else { return UprobeTarget(path: path, offset: offset) }
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
            let bytes = try FileSystem.readFile(root + "/etc/ld.so.cache", limit: 64 << 20)
            if let path = try LdSoCache(bytes: bytes).lookup(library: target) { return path }
        } catch let error as Errno {
            cacheNote = error == .noSuchFileOrDirectory ? " (no /etc/ld.so.cache)" : " (\(error.lowercasedDescription))"
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
        if let text = try? FileSystem.readText(root + file) {
            let directories = MuslPathFile(text: text).directories
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

    /// The file offset of `symbol` in the ELF file at `path`.
    ///
    /// - Throws: `.notFound` for a missing file or symbol, `.invalidArgument`
    ///   for a file that is not ELF.
    package static func symbolOffset(_ symbol: String, in path: String, root: String = "") throws(TargetError) -> UInt64 {
        let bytes: [UInt8]
        do {
            bytes = try FileSystem.readFile(root + path, limit: 1 << 30)
        } catch {
            throw TargetError(code: ErrorCode(errno: error),
                              message: "open executable \(path): parse ELF file: open \(path): \(error.lowercasedDescription)")
        }
        do {
            guard let offset = try ELFFile(bytes: bytes).symbolFileOffset(named: symbol) else {
                throw TargetError(code: .notFound, message: "attach uprobe to \(symbol) in \(path): symbol \(symbol): not found")
            }
            return offset
        } catch let error as BinaryFormatError {
            throw TargetError(code: .invalidArgument, message: "open executable \(path): parse ELF file: \(error.message)")
        } catch let error as TargetError {
            throw error
        } catch {
            throw TargetError(code: .internal, message: "open executable \(path): \(error)")
        }
    }
}
