/// A resource type's address in the API: group, version, plural, scope.
package struct KubeResource: Sendable, Equatable, CustomStringConvertible {
    /// The API group; empty for the core group.
    package var group: String
    /// The version (`v1`, `v1alpha1`).
    package var version: String
    /// The plural resource name (`pods`).
    package var plural: String
    /// Whether objects live in namespaces.
    package var namespaced: Bool

    /// Creates a resource address.
    package init(group: String, version: String, plural: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.namespaced = namespaced
    }

    /// Core pods.
    package static let pods = KubeResource(group: "", version: "v1", plural: "pods", namespaced: true)
    /// Core nodes.
    package static let nodes = KubeResource(group: "", version: "v1", plural: "nodes", namespaced: false)

    /// The path of the collection, an object, or an object's subresource.
    package func path(namespace: String? = nil, name: String? = nil, subresource: String? = nil) -> String {
        var path = group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)"
        if namespaced, let namespace { path += "/namespaces/\(Self.escape(namespace))" }
        path += "/\(plural)"
        if let name { path += "/\(Self.escape(name))" }
        if let subresource { path += "/\(subresource)" }
        return path
    }

    /// `plural.group` (`uprobeprograms.bpfman.io`).
    package var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    private static func escape(_ component: String) -> String {
        let digits = Array("0123456789ABCDEF")
        var result = ""
        for byte in component.utf8 {
            let scalar = Character(Unicode.Scalar(byte))
            if scalar.isASCII && (scalar.isLetter || scalar.isNumber || "-._".contains(scalar)) {
                result.append(scalar)
            } else {
                result += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xf)])
            }
        }
        return result
    }
}
