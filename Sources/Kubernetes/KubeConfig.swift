import Foundation
import Yams

/// Where the API server is and how to authenticate to it.
package struct KubeConfig: Sendable, Equatable {
    /// The server URL (`https://10.96.0.1:443`).
    package var server: String
    /// A bearer token.
    package var token: String?
    /// PEM certificates to trust for the server, instead of the system's.
    package var certificateAuthority: [UInt8]?
    /// A PEM client certificate and key, for certificate authentication.
    package var clientCertificate: [UInt8]?
    /// The client certificate's PEM key.
    package var clientKey: [UInt8]?
    /// Skip server certificate checks (kubeconfig `insecure-skip-tls-verify`).
    package var insecureSkipTLSVerify: Bool
    /// A file holding the bearer token, read again for each request (bound
    /// service-account tokens rotate); it wins over ``token``.
    package var tokenFile: String?

    /// Creates a configuration.
    package init(server: String, token: String? = nil, tokenFile: String? = nil, certificateAuthority: [UInt8]? = nil,
                 clientCertificate: [UInt8]? = nil, clientKey: [UInt8]? = nil, insecureSkipTLSVerify: Bool = false) {
        self.server = server.hasSuffix("/") ? String(server.dropLast()) : server
        self.token = token
        self.tokenFile = tokenFile
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
    }

    /// The service-account directory of pods.
    package static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// The configuration, in the usual order: `explicitPath` (`--kubeconfig`),
    /// `$KUBECONFIG`, the pod's service account (in-cluster), `~/.kube/config`.
    ///
    /// - Throws: `.notFound` when none is available, `.invalidArgument` for a
    ///   kubeconfig that does not parse.
    package static func resolve(explicitPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                                serviceAccount: String = serviceAccountDirectory) throws(KubeError) -> KubeConfig {
        if let path = explicitPath ?? environment["KUBECONFIG"].flatMap({ $0.split(separator: ":").first.map(String.init) }) {
            return try kubeconfig(path: path)
        }
        if let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] {
            return try inCluster(host: host, port: port, directory: serviceAccount)
        }
        if let home = environment["HOME"], FileManager.default.fileExists(atPath: home + "/.kube/config") {
            return try kubeconfig(path: home + "/.kube/config")
        }
        throw KubeError(.notFound, "no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, or run in a pod")
    }

    /// The in-cluster configuration from the pod's service account.
    package static func inCluster(host: String, port: String, directory: String = serviceAccountDirectory) throws(KubeError) -> KubeConfig {
        guard FileManager.default.isReadableFile(atPath: directory + "/token") else {
            throw KubeError(.notFound, "in-cluster configuration: cannot read \(directory)/token")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return KubeConfig(server: "https://\(hostPart):\(port)", tokenFile: directory + "/token",
                          certificateAuthority: FileManager.default.contents(atPath: directory + "/ca.crt").map { [UInt8]($0) })
    }

    /// The bearer token to send now, if any.
    package func currentToken() -> String? {
        if let tokenFile, let data = FileManager.default.contents(atPath: tokenFile) {
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return token
    }

    /// The current context of the kubeconfig file at `path`.
    package static func kubeconfig(path: String) throws(KubeError) -> KubeConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeError(.notFound, "kubeconfig \(path): cannot read the file")
        }
        let directory = (path as NSString).deletingLastPathComponent
        do {
            guard let root = try Yams.load(yaml: String(decoding: data, as: UTF8.self)) as? [String: Any] else {
                throw KubeError(.invalidArgument, "kubeconfig \(path): not a YAML mapping")
            }
            func named(_ list: String, _ name: String?, _ field: String) -> [String: Any]? {
                let entries = root[list] as? [[String: Any]] ?? []
                return entries.first { $0["name"] as? String == name }?[field] as? [String: Any]
            }
            let contextName = root["current-context"] as? String
            guard let context = named("contexts", contextName, "context") else {
                throw KubeError(.invalidArgument, "kubeconfig \(path): no context \"\(contextName ?? "")\"")
            }
            guard let cluster = named("clusters", context["cluster"] as? String, "cluster"), let server = cluster["server"] as? String else {
                throw KubeError(.invalidArgument, "kubeconfig \(path): context \"\(contextName ?? "")\" names no cluster with a server")
            }
            let user = named("users", context["user"] as? String, "user") ?? [:]
            func material(_ inline: String, _ file: String, in object: [String: Any]) -> [UInt8]? {
                if let encoded = object[inline] as? String, let decoded = Data(base64Encoded: encoded) { return [UInt8](decoded) }
                guard let name = object[file] as? String else { return nil }
                let full = name.hasPrefix("/") ? name : directory + "/" + name
                return FileManager.default.contents(atPath: full).map { [UInt8]($0) }
            }
            return KubeConfig(server: server, token: user["token"] as? String, tokenFile: user["tokenFile"] as? String,
                              certificateAuthority: material("certificate-authority-data", "certificate-authority", in: cluster),
                              clientCertificate: material("client-certificate-data", "client-certificate", in: user),
                              clientKey: material("client-key-data", "client-key", in: user),
                              insecureSkipTLSVerify: cluster["insecure-skip-tls-verify"] as? Bool ?? false)
        } catch let error as KubeError {
            throw error
        } catch {
            throw KubeError(.invalidArgument, "kubeconfig \(path): \(error)")
        }
    }
}
