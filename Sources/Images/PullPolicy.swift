/// When an image load contacts the registry.
package enum PullPolicy: String, Sendable, CaseIterable {
    /// Always resolve the reference at the registry; blobs already cached are reused.
    case always = "Always"
    /// Use the cache when it holds the image, else pull.
    case ifNotPresent = "IfNotPresent"
    /// Use the cache only.
    case never = "Never"

    /// Parses a policy name, case-insensitively.
    package init?(parsing text: String) {
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else { return nil }
        self = match
    }
}
