import Images
import Model

/// One program to load from an image: `[TYPE:]NAME[:ATTACH]`. Without a
/// type, the image's `io.ebpf.programs` label supplies it.
package struct ImageProgramSelection: Sendable, Equatable {
    /// bpfman's type for it, or nil to take the labelled one.
    package var type: ProgramType?
    /// The ELF function name.
    package var name: String
    /// The attach function (fentry, fexit) or hook (lsm).
    package var attachFunction: String?

    /// Creates a selection.
    package init(type: ProgramType?, name: String, attachFunction: String? = nil) {
        self.type = type
        self.name = name
        self.attachFunction = attachFunction
    }
}

/// A request to load programs from an OCI bytecode image.
package struct ImageLoadRequest: Sendable {
    /// The image reference as given.
    package var reference: String
    /// When to contact the registry.
    package var pullPolicy: PullPolicy
    /// A credential for the registry, overriding auth files.
    package var credential: RegistryCredential?
    /// The programs to load.
    package var programs: [ImageProgramSelection]
    /// Global variables to overwrite before load.
    package var globals: [String: [UInt8]]
    /// Metadata to record.
    package var metadata: [String: String]
    /// A program whose maps the new programs reuse.
    package var mapOwnerID: ProgramID?

    /// Creates a request.
    package init(reference: String, pullPolicy: PullPolicy = .ifNotPresent, credential: RegistryCredential? = nil,
                 programs: [ImageProgramSelection], globals: [String: [UInt8]] = [:], metadata: [String: String] = [:],
                 mapOwnerID: ProgramID? = nil) {
        self.reference = reference
        self.pullPolicy = pullPolicy
        self.credential = credential
        self.programs = programs
        self.globals = globals
        self.metadata = metadata
        self.mapOwnerID = mapOwnerID
    }
}

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

    /// A puller for these settings, with `credential` overriding auth files.
    package func puller(credential: RegistryCredential?) throws(ManagerError) -> ImagePuller {
        do {
            return ImagePuller(cache: try ImageCache(root: cacheDirectory),
                               credentials: CredentialSource(explicit: credential, authFiles: CredentialSource.defaultAuthFiles()),
                               signing: signing, progress: progress)
        } catch {
            throw ManagerError(error)
        }
    }
}
