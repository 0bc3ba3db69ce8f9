import Images
import Manager
import Model

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

extension ImageSettings {
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
