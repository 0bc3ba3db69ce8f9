import Foundation

/// A user name and password for a registry.
package struct RegistryCredential: Sendable, Equatable {
    /// The user name.
    package var username: String
    /// The password or token.
    package var password: String

    /// Creates a credential.
    package init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// Decodes `base64(user:pass)`, the form of `--registry-auth` and of
    /// the `auth` fields in auth files.
    ///
    /// - Throws: `.invalidArgument` when it is not base64 of `user:pass`.
    package init(base64 text: String, what: String = "--registry-auth") throws(ImageError) {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)),
              let decoded = String(data: data, encoding: .utf8), let colon = decoded.firstIndex(of: ":") else {
            throw ImageError(.invalidArgument, "\(what): expected base64 of user:password")
        }
        self.init(username: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
    }

    /// The `Authorization: Basic` value.
    package var basicAuthorization: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }
}

/// Where credentials come from: an explicit one (`--registry-auth`,
/// `BPFMAN_REGISTRY_AUTH`), else the usual auth files.
///
/// The files are read in the order podman and Docker use:
/// `$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`,
/// `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`, and under sudo
/// the invoking user's `~/.docker/config.json`. The first file with an entry
/// for the registry wins.
package struct CredentialSource: Sendable {
    /// The credential given on the command line or in the environment.
    package var explicit: RegistryCredential?
    /// The auth files to search, in order.
    package var authFiles: [String]

    /// Creates a source with an explicit credential and auth files.
    package init(explicit: RegistryCredential?, authFiles: [String]) {
        self.explicit = explicit
        self.authFiles = authFiles
    }

    /// The auth files the environment `environment` names, in lookup order.
    package static func defaultAuthFiles(environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        var files: [String] = []
        if let file = environment["REGISTRY_AUTH_FILE"], !file.isEmpty { files.append(file) }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty { files.append(runtime + "/containers/auth.json") }
        if let docker = environment["DOCKER_CONFIG"], !docker.isEmpty {
            files.append(docker + "/config.json")
        } else if let home = environment["HOME"], !home.isEmpty {
            files.append(home + "/.docker/config.json")
        }
        if let user = environment["SUDO_USER"], !user.isEmpty, user.allSatisfy({ $0.isLetter || $0.isNumber || "._-".contains($0) }) {
            files.append("/home/\(user)/.docker/config.json")
        }
        return files
    }

    /// The credential for `registry`, or nil for anonymous access.
    ///
    /// - Throws: `.invalidArgument` when a file that names the registry
    ///   holds an entry that does not decode.
    package func credential(for registry: String) throws(ImageError) -> RegistryCredential? {
        if let explicit { return explicit }
        let keys = registry == ImageReference.dockerHub
            ? ["docker.io", "index.docker.io", "https://index.docker.io/v1/", "registry-1.docker.io"]
            : [registry, "https://\(registry)", "http://\(registry)"]
        struct AuthFile: Decodable {
            struct Entry: Decodable { var auth: String?; var username: String?; var password: String? }
            var auths: [String: Entry]?
        }
        for path in authFiles {
            guard let data = FileManager.default.contents(atPath: path),
                  let file = try? JSONDecoder().decode(AuthFile.self, from: data) else { continue }
            for key in keys {
                guard let entry = file.auths?[key] ?? file.auths?[key + "/"] else { continue }
                if let auth = entry.auth, !auth.isEmpty {
                    return try RegistryCredential(base64: auth, what: "auth file \(path), entry \(key)")
                }
                if let username = entry.username, let password = entry.password {
                    return RegistryCredential(username: username, password: password)
                }
            }
        }
        return nil
    }
}
