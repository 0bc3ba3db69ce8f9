/// A Kubernetes label selector (`app=nginx,tier in (web),!canary`).
package struct LabelSelector: Sendable, Equatable {
    /// One requirement of a selector.
    package enum Requirement: Sendable, Equatable {
        /// `key=value` or `key==value`.
        case equals(String, String)
        /// `key!=value` (also true when the key is absent).
        case notEquals(String, String)
        /// `key in (a,b)`.
        case isIn(String, Set<String>)
        /// `key notin (a,b)` (also true when the key is absent).
        case notIn(String, Set<String>)
        /// `key`.
        case exists(String)
        /// `!key`.
        case doesNotExist(String)
        /// `key>N`: the label is an integer greater than N.
        case greaterThan(String, Int64)
        /// `key<N`: the label is an integer less than N.
        case lessThan(String, Int64)
    }

    /// Why a selector did not parse.
    package struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The reason, in Kubernetes' wording.
        package var description: String
    }

    /// The requirements, all of which must hold.
    package var requirements: [Requirement]

    /// Creates a selector from requirements.
    package init(requirements: [Requirement]) { self.requirements = requirements }

    /// A selector from matchLabels.
    package init(matchLabels: [String: String]) {
        requirements = matchLabels.sorted { $0.key < $1.key }.map { .equals($0.key, $0.value) }
    }

    /// Parses the string syntax. An empty string selects everything.
    package init(parsing text: String) throws(ParseError) {
        var requirements: [Requirement] = []
        for part in Self.splitTopLevel(text) {
            let item = part.trimmingSpaces()
            if item.isEmpty {
                if text.trimmingSpaces().isEmpty { continue }
                throw ParseError(description: "unable to parse requirement: found '', expected: identifier")
            }
            requirements.append(try Self.requirement(item))
        }
        self.requirements = requirements
    }

    /// Whether `labels` satisfy every requirement.
    package func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { requirement in
            switch requirement {
            case .equals(let key, let value): labels[key] == value
            case .notEquals(let key, let value): labels[key] != value
            case .isIn(let key, let values): labels[key].map(values.contains) ?? false
            case .notIn(let key, let values): !(labels[key].map(values.contains) ?? false)
            case .exists(let key): labels[key] != nil
            case .doesNotExist(let key): labels[key] == nil
            case .greaterThan(let key, let bound): labels[key].flatMap { Int64($0) }.map { $0 > bound } ?? false
            case .lessThan(let key, let bound): labels[key].flatMap { Int64($0) }.map { $0 < bound } ?? false
            }
        }
    }

    private static func requirement(_ item: String) throws(ParseError) -> Requirement {
        if item.hasPrefix("!") {
            let key = String(item.dropFirst()).trimmingSpaces()
            try validate(key: key)
            return .doesNotExist(key)
        }
        for (op, make) in [("!=", Requirement.notEquals), ("==", Requirement.equals), ("=", Requirement.equals)] as [(String, (String, String) -> Requirement)] {
            if let range = item.firstRange(of: op) {
                let key = String(item[..<range.lowerBound]).trimmingSpaces()
                let value = String(item[range.upperBound...]).trimmingSpaces()
                try validate(key: key)
                try validate(value: value)
                return make(key, value)
            }
        }
        for (op, make) in [(">", Requirement.greaterThan), ("<", Requirement.lessThan)] as [(String, (String, Int64) -> Requirement)] {
            if let range = item.firstRange(of: op) {
                let key = String(item[..<range.lowerBound]).trimmingSpaces()
                try validate(key: key)
                guard let bound = Int64(String(item[range.upperBound...]).trimmingSpaces()) else {
                    throw ParseError(description: "unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer")
                }
                return make(key, bound)
            }
        }
        // `key in (a,b)`, `key notin(a)`: the set may follow the operator without a space.
        let keyEnd = item.firstIndex { $0 == " " || $0 == "\t" || $0 == "(" } ?? item.endIndex
        let key = String(item[..<keyEnd])
        let rest = String(item[keyEnd...]).trimmingSpaces()
        guard !rest.isEmpty else {
            try validate(key: key)
            return .exists(key)
        }
        guard let op = ["notin", "in"].first(where: { rest.hasPrefix($0) }),
              rest.dropFirst(op.count).first.map({ $0 == "(" || $0 == " " || $0 == "\t" }) ?? true else {
            let found = rest.prefix { $0 != " " && $0 != "(" }
            throw ParseError(description: "unable to parse requirement: found '\(found)', expected: in, notin, =, ==, !=, gt, lt")
        }
        try validate(key: key)
        let set = String(rest.dropFirst(op.count)).trimmingSpaces()
        guard set.hasPrefix("("), set.hasSuffix(")") else {
            throw ParseError(description: "unable to parse requirement: found '\(set)', expected: '('")
        }
        let values = set.dropFirst().dropLast().split(separator: ",").map { String($0).trimmingSpaces() }
        guard !values.isEmpty else { throw ParseError(description: "unable to parse requirement: for 'in', 'notin' operators, values set can't be empty") }
        for value in values { try validate(value: value) }
        return op == "in" ? .isIn(key, Set(values)) : .notIn(key, Set(values))
    }

    private static func validate(key: String) throws(ParseError) {
        let allowed = key.allSatisfy { $0.isLetter || $0.isNumber || "-_./".contains($0) }
        guard !key.isEmpty, allowed, key.count <= 316 else {
            throw ParseError(description: "unable to parse requirement: invalid label key \"\(key)\"")
        }
    }

    private static func validate(value: String) throws(ParseError) {
        let allowed = value.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        guard allowed, value.count <= 63 else {
            throw ParseError(description: "unable to parse requirement: invalid label value: \"\(value)\"")
        }
    }

    /// Splits on commas outside parentheses.
    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in text {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 { parts.append(current); current = ""; continue }
            current.append(character)
        }
        parts.append(current)
        return parts
    }
}

extension String {
    /// The string without leading and trailing spaces.
    package func trimmingSpaces() -> String {
        guard let first = firstIndex(where: { $0 != " " && $0 != "\t" }),
              let last = lastIndex(where: { $0 != " " && $0 != "\t" }) else { return "" }
        return String(self[first...last])
    }
}
