/// The OCI and Docker media types a bytecode image uses.
package enum MediaType {
    /// An OCI image manifest.
    package static let ociManifest = "application/vnd.oci.image.manifest.v1+json"
    /// An OCI image index (multi-platform).
    package static let ociIndex = "application/vnd.oci.image.index.v1+json"
    /// An OCI image config.
    package static let ociConfig = "application/vnd.oci.image.config.v1+json"
    /// An OCI layer, gzip-compressed tar.
    package static let ociLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip"
    /// A Docker schema 2 manifest.
    package static let dockerManifest = "application/vnd.docker.distribution.manifest.v2+json"
    /// A Docker manifest list (multi-platform).
    package static let dockerManifestList = "application/vnd.docker.distribution.manifest.list.v2+json"
    /// cosign's simple-signing payload layer.
    package static let cosignSimpleSigning = "application/vnd.dev.cosign.simplesigning.v1+json"

    /// Every manifest type a pull accepts, for the `Accept` header.
    package static let acceptedManifests = [ociIndex, ociManifest, dockerManifestList, dockerManifest]

    /// Whether `type` is an index or manifest list.
    package static func isIndex(_ type: String?) -> Bool { type == ociIndex || type == dockerManifestList }
}
