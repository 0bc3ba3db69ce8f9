import Glibc
import Logs
import Manager

/// The global flags (`--runtime-dir`, `--lock-timeout`, ...), which may stand
/// anywhere on the command line, and their environment variables.
package struct GlobalSettings: Sendable {
    var runtimeDirectory = "/run/bpfman"
    var imageCacheDirectory: String?
    var lockTimeout: Double? = 30
    var lockTimeoutText = "30s"
    var config: String?
    /// `--log` or `$BPFMAN_LOG`; empty when neither is given.
    var log = ""
    /// The config file, once ``startLogging(serving:)`` has read it.
    private var configFile: ConfigFile?

    /// The global flags as full help lists them.
    static let help = """
        GLOBAL FLAGS:
          --config=FILE           Configuration file ($BPFMAN_CONFIG; default /etc/bpfman/bpfman.toml).
          --log=SPEC              Log level[,component=level…] ($BPFMAN_LOG; default warn).
          --runtime-dir=DIR       Runtime directory, an absolute path ($BPFMAN_RUNTIME_DIR; default /run/bpfman).
          --image-cache-dir=DIR   Image cache directory (default /var/cache/bpfman).
          --lock-timeout=DURATION How long a writer waits for the lock; 0 waits forever
                                  ($BPFMAN_LOCK_TIMEOUT; default 30s).

        """

    /// The flags that take a value.
    private static let valueFlags = ["--runtime-dir", "--image-cache-dir", "--lock-timeout", "--config", "--log"]

    /// Removes the global flags from `arguments` (everything after `--` is
    /// left alone) and returns the settings they and the environment give.
    static func extract(from arguments: inout [String]) throws(UsageError) -> GlobalSettings {
        var settings = GlobalSettings()
        let environment = Environment()
        if let value = environment["BPFMAN_RUNTIME_DIR"], !value.isEmpty { settings.runtimeDirectory = value }
        if let value = environment["BPFMAN_LOCK_TIMEOUT"], !value.isEmpty { try settings.setLockTimeout(value) }
        if let value = environment["BPFMAN_CONFIG"], !value.isEmpty { settings.config = value }
        if let value = environment["BPFMAN_LOG"], !value.isEmpty { settings.log = value }
        var remaining: [String] = []
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { remaining += arguments[index...]; break }
            let (flag, inlineValue) = Self.split(argument)
            guard Self.valueFlags.contains(flag) else { remaining.append(argument); index += 1; continue }
            let value: String
            if let inlineValue {
                value = inlineValue
                index += 1
            } else {
                guard index + 1 < arguments.count else { throw UsageError("\(flag): expected a value") }
                value = arguments[index + 1]
                index += 2
            }
            switch flag {
            case "--runtime-dir": settings.runtimeDirectory = value
            case "--image-cache-dir": settings.imageCacheDirectory = value
            case "--lock-timeout": try settings.setLockTimeout(value)
            case "--config": settings.config = value
            default: settings.log = value
            }
        }
        arguments = remaining
        return settings
    }

    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else { return (argument, nil) }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }

    private mutating func setLockTimeout(_ text: String) throws(UsageError) {
        guard let seconds = Duration.parseSeconds(text) else {
            throw UsageError("--lock-timeout: invalid duration \"\(text)\"")
        }
        lockTimeout = seconds == 0 ? nil : seconds
        lockTimeoutText = text
    }

    /// The manager configuration these settings describe.
    ///
    /// - Throws: `ManagerError` when the config file cannot be read.
    func managerConfiguration() throws(ManagerError) -> ManagerConfiguration {
        let busy = Environment()["BPFMAN_SQLITE_BUSY_TIMEOUT"].flatMap(Duration.parseSeconds) ?? 5
        return ManagerConfiguration(runtimeDirectory: runtimeDirectory, lockTimeout: lockTimeout, lockTimeoutText: lockTimeoutText,
                                    databaseBusyTimeout: busy, namespaceHelperPath: Self.namespaceHelperPath(),
                                    images: try imageSettings())
    }

    /// `--image-cache-dir`; without it, `/var/cache/bpfman` for root and
    /// `${XDG_CACHE_HOME:-~/.cache}/bpfman` for other users (the `image`
    /// commands need no root).
    var effectiveImageCacheDirectory: String {
        if let imageCacheDirectory { return imageCacheDirectory }
        if geteuid() == 0 { return "/var/cache/bpfman" }
        let environment = Environment()
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/bpfman" }
        return (environment["HOME"] ?? "/tmp") + "/.cache/bpfman"
    }

    /// The image cache, the signing policy of the config file, and progress
    /// lines of long pulls on stderr.
    ///
    /// - Throws: `ManagerError` "create logger: failed to read config file: ..."
    ///   for a missing explicit file or a bad one.
    package func imageSettings() throws(ManagerError) -> ImageSettings {
        let file: ConfigFile
        if let configFile { file = configFile } else { file = try loadConfigFile() }
        return ImageSettings(cacheDirectory: effectiveImageCacheDirectory, signing: file.signing,
                             progress: { line in CLIContext.writeError(line) })
    }

    /// Reads the config file and sets up logging from it and `--log`, as
    /// the reference does before every command: `--log`, else
    /// `$BPFMAN_LOG`, else `warn`. `serve` (`serving`) uses the config
    /// file's `[logging]` level instead of `warn`, and the file's `info`
    /// default; other commands only check it.
    ///
    /// - Throws: `ManagerError` "create logger: failed to read config file:
    ///   ...", "create logger: invalid config: ..." or "create logger:
    ///   invalid log spec: ...".
    mutating func startLogging(serving: Bool) throws(ManagerError) {
        let file = try loadConfigFile()
        let text = !log.isEmpty ? log : serving ? file.logging.specText : "warn"
        do {
            Log.bootstrap(spec: try LogSpec(parsing: text), format: file.logging.format)
        } catch {
            throw ManagerError(.invalidArgument, "create logger: invalid log spec: \(error.message)")
        }
        configFile = file
    }

    private func loadConfigFile() throws(ManagerError) -> ConfigFile {
        do {
            return try ConfigFile.load(path: config ?? ConfigFile.defaultPath, explicit: config != nil)
        } catch {
            throw ManagerError(error.code, "create logger: " + error.message)
        }
    }

    /// `bpfman-ns` beside the running executable, or `$BPFMAN_NS_BIN`.
    static func namespaceHelperPath() -> String { siblingExecutable("bpfman-ns", override: "BPFMAN_NS_BIN") }

    /// The executable `name` in the running executable's directory, or the
    /// path environment variable `override` gives.
    static func siblingExecutable(_ name: String, override: String) -> String {
        if let path = Environment()[override], !path.isEmpty { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "/usr/local/bin/" + name }
        let executable = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let directory = executable.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return directory + "/" + name
    }
}

/// Reads environment variables.
package struct Environment {
    /// Creates a reader.
    package init() {}

    /// The value of `name`, or nil when it is not set.
    package subscript(name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

/// Go-style durations (`500ms`, `30s`, `1m30s`, `0`).
enum Duration {
    /// Seconds in `text`, or nil when it does not parse.
    static func parseSeconds(_ text: String) -> Double? {
        if text == "0" { return 0 }
        var total = 0.0
        var number = ""
        var unit = ""
        var parsedAny = false
        func flush() -> Bool {
            guard let value = Double(number) else { return false }
            let scale: Double
            switch unit {
            case "ns": scale = 1e-9
            case "us", "µs": scale = 1e-6
            case "ms": scale = 1e-3
            case "s": scale = 1
            case "m": scale = 60
            case "h": scale = 3600
            default: return false
            }
            total += value * scale
            parsedAny = true
            number = ""
            unit = ""
            return true
        }
        for character in text {
            if character.isNumber || character == "." {
                if !unit.isEmpty { guard flush() else { return nil } }
                number.append(character)
            } else {
                unit.append(character)
            }
        }
        guard flush(), parsedAny else { return nil }
        return total
    }
}
