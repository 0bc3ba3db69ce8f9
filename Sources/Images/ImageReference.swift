import Foundation

/// A parsed image reference: `[registry/]repository[:tag][@digest]`.
///
/// The registry is the first component when it looks like a host (has a dot
/// or a colon, or is `localhost`); otherwise it is Docker Hub, whose
/// single-component repositories live under `library/`.
package struct ImageReference: Sendable, Equatable, CustomStringConvertible {
    /// The registry host, with its port if one was given (`quay.io`, `127.0.0.1:5000`).
    package var registry: String
    /// The repository path inside the registry (`bpfman-bytecode/uprobe`).
    package var repository: String
    /// The tag, if any. A reference with neither tag nor digest means `latest`.
    package var tag: String?
    /// The digest, if the reference pins one.
    package var digest: ImageDigest?

    /// Docker Hub's registry name in references.
    package static let dockerHub = "docker.io"

    /// Parses `text`.
    ///
    /// - Throws: `.invalidArgument` naming the part that does not parse.
    package init(parsing text: String) throws(ImageError) {
        var rest = Substring(text.trimmingCharacters(in: .whitespacesAndNewlines))
        guard !rest.isEmpty else { throw ImageError(.invalidArgument, "invalid image reference \"\(text)\": empty") }
        for scheme in ["docker://", "oci://"] where rest.hasPrefix(scheme) { rest = rest.dropFirst(scheme.count) }
        var digest: ImageDigest?
        if let at = rest.firstIndex(of: "@") {
            digest = try ImageDigest(parsing: String(rest[rest.index(after: at)...]))
            rest = rest[..<at]
        }
        var tag: String?
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("/") {
            tag = String(rest[rest.index(after: colon)...])
            rest = rest[..<colon]
        }
        var components = rest.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        var registry = Self.dockerHub
        if components.count > 1, let first = components.first,
           first.contains(".") || first.contains(":") || first == "localhost" {
            registry = first
            components.removeFirst()
        }
        if registry == Self.dockerHub || registry == "index.docker.io" {
            registry = Self.dockerHub
            if components.count == 1 { components.insert("library", at: 0) }
        }
        let repository = components.joined(separator: "/")
        guard !components.isEmpty, components.allSatisfy(Self.isValidComponent) else {
            throw ImageError(.invalidArgument, "invalid image reference \"\(text)\": bad repository \"\(repository)\"")
        }
        if let tag, !Self.isValidTag(tag) {
            throw ImageError(.invalidArgument, "invalid image reference \"\(text)\": bad tag \"\(tag)\"")
        }
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// Creates a reference from its parts.
    package init(registry: String, repository: String, tag: String? = nil, digest: ImageDigest? = nil) {
        self.registry = registry
        self.repository = repository
        self.tag = tag
        self.digest = digest
    }

    /// What the registry's manifest endpoint takes: the digest when pinned,
    /// else the tag (default `latest`).
    package var manifestReference: String { digest?.description ?? tag ?? "latest" }

    /// The reference without tag or digest (`quay.io/org/repo`), as cosign
    /// records it in a signature's `docker-reference`.
    package var repositoryName: String { "\(registry)/\(repository)" }

    /// The same repository pinned to `digest`.
    package func pinned(to digest: ImageDigest) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: nil, digest: digest)
    }

    /// The same repository with tag `tag`.
    package func tagged(_ tag: String) -> ImageReference {
        ImageReference(registry: registry, repository: repository, tag: tag, digest: nil)
    }

    /// The host to connect to (Docker Hub's API lives elsewhere than its name).
    package var apiHost: String { registry == Self.dockerHub ? "registry-1.docker.io" : registry }

    /// Whether to speak plain HTTP: registries on the loopback interface.
    package var usesPlainHTTP: Bool {
        let host = registry.hasPrefix("[") ? String(registry.prefix { $0 != "]" }.dropFirst())
                                          : String(registry.prefix { $0 != ":" })
        return host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }

    /// The canonical form: `registry/repository[:tag][@digest]`.
    package var description: String {
        var text = repositoryName
        if let tag { text += ":" + tag }
        if let digest { text += "@" + digest.description }
        if tag == nil && digest == nil { text += ":latest" }
        return text
    }

    private static func isValidComponent(_ component: String) -> Bool {
        !component.isEmpty && component.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2e || byte == 0x5f || byte == 0x2d
        } && component.first != "." && component.first != "-"
    }

    private static func isValidTag(_ tag: String) -> Bool {
        !tag.isEmpty && tag.utf8.count <= 128 && tag.utf8.allSatisfy { byte in
            (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2e || byte == 0x5f || byte == 0x2d
        } && tag.first != "." && tag.first != "-"
    }
}
