import Model

/// Where images are cached and which signatures they need.
package struct ImageSettings: Sendable {
    /// The cache directory (`--image-cache-dir`).
    package var cacheDirectory: String
    /// The signing policy (`[signing]` of the config file).
    package var signing: SigningPolicy
    /// Receives progress lines of long pulls (the CLI writes them to stderr).
    package var progress: (@Sendable (String) -> Void)?

    /// Creates settings.
    package init(cacheDirectory: String = "/var/cache/bpfman", signing: SigningPolicy = SigningPolicy(),
                 progress: (@Sendable (String) -> Void)? = nil) {
        self.cacheDirectory = cacheDirectory
        self.signing = signing
        self.progress = progress
    }
}
