/// Whether and how image signatures are checked (`[signing]` in
/// `/etc/bpfman/bpfman.toml`).
package struct SigningPolicy: Sendable, Equatable {
    /// Check signatures at all. Default true.
    package var verifyEnabled: Bool
    /// Accept images that carry no signature (or when no trusted key is
    /// configured). Default true, as in bpfman.
    package var allowUnsigned: Bool
    /// PEM files of trusted cosign public keys.
    package var publicKeyPaths: [String]

    /// Creates a policy.
    package init(verifyEnabled: Bool = true, allowUnsigned: Bool = true, publicKeyPaths: [String] = []) {
        self.verifyEnabled = verifyEnabled
        self.allowUnsigned = allowUnsigned
        self.publicKeyPaths = publicKeyPaths
    }
}
