import Manager
import Model

/// One parser per value grammar of cli.md §3; failures are usage errors (exit 80).
package enum ValueSyntax {
    /// Splits list flags given as repetition and/or commas.
    package static func list(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// `TYPE:NAME[:ATTACH]`.
    static func programSpec(_ text: String) throws(UsageError) -> ProgramSelection {
        let prefix = "--programs: invalid program spec \"\(text)\": "
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
        guard parts.count >= 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw UsageError(prefix + "expected TYPE:NAME format (e.g., xdp:my_prog)")
        }
        guard let type = ProgramType(rawValue: parts[0]) else {
            throw UsageError(prefix + "unknown type \"\(parts[0])\" (valid: \(ProgramType.validNames))")
        }
        let attach = parts.count == 3 && !parts[2].isEmpty ? parts[2] : nil
        if type.requiresAttachFunction && attach == nil {
            throw UsageError(prefix + "\(type.rawValue) requires attach function (format: \(type.rawValue):FUNC_NAME:ATTACH_FUNC)")
        }
        return ProgramSelection(type: type, name: parts[1], attachFunction: attach)
    }

    /// The `--programs` specs, at least one, each read by `parse`.
    package static func programSpecs<Selection>(_ values: [String],
                                                _ parse: (String) throws(UsageError) -> Selection) throws(UsageError) -> [Selection] {
        let specs = list(values)
        guard !specs.isEmpty else { throw UsageError("missing flags: --programs=PROGRAMS,...") }
        var selections: [Selection] = []
        for spec in specs { selections.append(try parse(spec)) }
        return selections
    }

    /// `[TYPE:]NAME[:ATTACH]` for image loads: a bare NAME leaves the type
    /// to the image's labels.
    package static func imageProgramSpec(_ text: String) throws(UsageError) -> ImageProgramSelection {
        let trimmed = text.trimmingSpaces()
        if !trimmed.isEmpty && !trimmed.contains(":") { return ImageProgramSelection(type: nil, name: trimmed) }
        let selection = try programSpec(text)
        return ImageProgramSelection(type: selection.type, name: selection.name, attachFunction: selection.attachFunction)
    }

    /// `-g NAME=HEX` pairs; the last duplicate wins.
    static func globals(_ values: [String]) throws(UsageError) -> [String: [UInt8]] {
        var result: [String: [UInt8]] = [:]
        for item in list(values) {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw UsageError("--global: invalid format \"\(item)\": expected NAME=HEX")
            }
            let name = String(item[..<equals])
            var hex = String(item[item.index(after: equals)...]).trimmingSpaces()
            if hex.hasPrefix("0x") || hex.hasPrefix("0X") { hex = String(hex.dropFirst(2)) }
            switch decodeHex(hex) {
            case .success(let bytes): result[name] = bytes
            case .failure(let reason): throw UsageError("--global: invalid hex data for \"\(name)\": encoding/hex: \(reason.text)")
            }
        }
        return result
    }

    /// `-m KEY=VALUE` pairs; the last duplicate wins.
    package static func metadata(_ values: [String], flag: String = "--metadata") throws(UsageError) -> [String: String] {
        var result: [String: String] = [:]
        for item in list(values) {
            guard let equals = item.firstIndex(of: "="), equals != item.startIndex else {
                throw UsageError("\(flag): invalid format \"\(item)\": expected KEY=VALUE")
            }
            result[String(item[..<equals])] = String(item[item.index(after: equals)...])
        }
        return result
    }

    /// A decimal program id.
    package static func programID(_ text: String, label: String = "<program-id>") throws(UsageError) -> ProgramID {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty, trimmed.allSatisfy(\.isASCIIDigit), let value = UInt32(trimmed) else {
            throw UsageError("\(label): invalid program ID \"\(text)\": must be a decimal number")
        }
        return ProgramID(value)
    }

    /// A decimal link id.
    static func linkID(_ text: String, label: String = "<link-id>") throws(UsageError) -> LinkID {
        let trimmed = text.trimmingSpaces()
        guard !trimmed.isEmpty, trimmed.allSatisfy(\.isASCIIDigit), let value = UInt64(trimmed) else {
            throw UsageError("\(label): invalid link ID \"\(text)\": must be a decimal number")
        }
        return LinkID(value)
    }

    /// A dispatcher type name.
    static func dispatcherType(_ text: String, label: String) throws(UsageError) -> DispatcherType {
        guard let type = DispatcherType(rawValue: text) else {
            throw UsageError("\(label): invalid dispatcher type \"\(text)\": must be one of xdp, tc-ingress, tc-egress")
        }
        return type
    }

    /// A decimal number no larger than `max`.
    static func number(_ text: String, label: String, max: UInt64 = .max) throws(UsageError) -> UInt64 {
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let value = UInt64(text), value <= max else {
            throw UsageError("\(label): invalid number \"\(text)\"")
        }
        return value
    }

    /// A decimal interface index (`--ifindex`, `<ifindex>`).
    static func interfaceIndex(_ text: String, label: String) throws(UsageError) -> InterfaceIndex {
        InterfaceIndex(UInt32(try number(text, label: label, max: UInt64(UInt32.max))))
    }

    /// Checks `--pid` and `--container-pid`: host process IDs are positive
    /// (0 means none).
    static func processIDs(pid: Int32?, containerPID: Int32?) throws(UsageError) {
        for (flag, value) in [("--pid", pid), ("--container-pid", containerPID)] {
            if let value, value < 0 { throw UsageError("\(flag): invalid process ID \(value): must be a positive decimal number") }
        }
    }

    /// `group/name`.
    static func tracepoint(_ text: String) throws(UsageError) -> (group: String, name: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !text.contains(where: \.isWhitespace) else {
            throw UsageError("<tracepoint>: invalid tracepoint \"\(text)\": expected group/name (e.g. sched/sched_switch)")
        }
        return (String(parts[0]), String(parts[1]))
    }

    /// `ingress` or `egress`, case-insensitive.
    static func direction(_ text: String) throws(UsageError) -> TCDirection {
        guard let direction = TCDirection(rawValue: text.lowercased()) else {
            throw UsageError("<direction>: invalid TC direction \"\(text)\": must be 'ingress' or 'egress'")
        }
        return direction
    }

    /// `--proceed-on` action names for XDP or TC.
    static func proceedOn(_ values: [String], tc: Bool) throws(UsageError) -> ProceedOn {
        let table: [String: Int32] = tc
            ? ["unspec": -1, "ok": 0, "reclassify": 1, "shot": 2, "pipe": 3, "stolen": 4, "queued": 5, "repeat": 6,
               "redirect": 7, "trap": 8, "dispatcher_return": 30]
            : ["aborted": 0, "drop": 1, "pass": 2, "tx": 3, "redirect": 4, "dispatcher_return": 31]
        let names = list(values).map { $0.trimmingSpaces().lowercased() }.filter { !$0.isEmpty }
        if names.isEmpty { return tc ? .tcDefault : .xdpDefault }
        var result: [Int32] = []
        for name in names {
            guard let code = table[name] else {
                throw UsageError("--proceed-on: unknown \(tc ? "tc" : "xdp") action \"\(name)\" (valid: \(table.sorted { $0.value < $1.value }.map(\.key).joined(separator: ", ")))")
            }
            if !result.contains(code) { result.append(code) }
        }
        return ProceedOn(result)
    }

    /// A priority ≥ 0.
    static func priority(_ value: Int?) throws(UsageError) -> Int32 {
        guard let value else { throw UsageError("missing flags: --priority=INT") }
        guard value >= 0, value <= Int(Int32.max) else { throw UsageError("--priority: invalid value \(value): must be >= 0") }
        return Int32(value)
    }

    /// Why ``decodeHex(_:)`` refused, in Go's `encoding/hex` words.
    private struct HexError: Error {
        var text: String
    }

    /// `hex` decoded as Go's `hex.DecodeString` does: pair by pair, ASCII hex
    /// digits only (no sign), refusing the first invalid character (named
    /// as `%#U`, `U+007A 'z'`), then the last character of an odd-length
    /// string, then the odd length itself.
    private static func decodeHex(_ hex: String) -> Result<[UInt8], HexError> {
        let scalars = Array(hex.unicodeScalars)
        func value(_ scalar: Unicode.Scalar) -> UInt8? {
            switch scalar {
            case "0"..."9": UInt8(scalar.value - 0x30)
            case "a"..."f": UInt8(scalar.value - 0x61 + 10)
            case "A"..."F": UInt8(scalar.value - 0x41 + 10)
            default: nil
            }
        }
        func invalid(_ scalar: Unicode.Scalar) -> HexError {
            let code = String(scalar.value, radix: 16, uppercase: true)
            let category = scalar.properties.generalCategory
            let printable = scalar == " " || !(scalar.properties.isWhitespace || [.control, .format, .unassigned, .surrogate].contains(category))
            return HexError(text: "invalid byte: U+" + String(repeating: "0", count: max(0, 4 - code.count)) + code + (printable ? " '\(scalar)'" : ""))
        }
        var bytes: [UInt8] = []
        var index = 1
        while index < scalars.count {
            guard let high = value(scalars[index - 1]) else { return .failure(invalid(scalars[index - 1])) }
            guard let low = value(scalars[index]) else { return .failure(invalid(scalars[index])) }
            bytes.append(high << 4 | low)
            index += 2
        }
        if let last = scalars.last, scalars.count % 2 == 1 {
            return .failure(value(last) == nil ? invalid(last) : HexError(text: "odd length hex string"))
        }
        return .success(bytes)
    }
}

extension Character {
    /// Whether this is one of `0`–`9`.
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
