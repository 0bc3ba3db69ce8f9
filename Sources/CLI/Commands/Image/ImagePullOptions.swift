import ArgumentParser
import Images
import Manager

/// `-p/--pull-policy` and `--registry-auth`, shared by the image load forms.
struct ImagePullOptions: ParsableArguments {
    @Option(name: [.customShort("p"), .customLong("pull-policy")], help: "Always, IfNotPresent or Never.")
    var pullPolicy: String = "IfNotPresent"

    @OptionGroup var registry: RegistryAuthOption

    /// The validated pull policy.
    func policy() throws(UsageError) -> PullPolicy {
        guard let policy = PullPolicy(parsing: pullPolicy) else {
            throw UsageError("--pull-policy: unknown pull policy \"\(pullPolicy)\"")
        }
        return policy
    }

    /// The credential `--registry-auth` or `$BPFMAN_REGISTRY_AUTH` gives.
    func credential() throws(UsageError) -> RegistryCredential? { try registry.credential() }
}

/// `--registry-auth BASE64(user:pass)`, defaulting to `$BPFMAN_REGISTRY_AUTH`.
struct RegistryAuthOption: ParsableArguments {
    @Option(name: .customLong("registry-auth"), help: "base64(user:pass); default $BPFMAN_REGISTRY_AUTH, then the auth files.")
    var registryAuth: String?

    /// The credential given, if any.
    func credential() throws(UsageError) -> RegistryCredential? {
        guard let text = registryAuth ?? Environment()["BPFMAN_REGISTRY_AUTH"], !text.isEmpty else { return nil }
        do { return try RegistryCredential(base64: text) } catch { throw UsageError(error.message) }
    }
}
