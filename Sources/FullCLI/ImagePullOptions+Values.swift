import CLI
import Images

extension ImagePullOptions {
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

extension RegistryAuthOption {
    /// The credential given, if any.
    func credential() throws(UsageError) -> RegistryCredential? {
        guard let text = registryAuth ?? Environment()["BPFMAN_REGISTRY_AUTH"], !text.isEmpty else { return nil }
        do { return try RegistryCredential(base64: text) } catch { throw UsageError(error.message) }
    }
}
