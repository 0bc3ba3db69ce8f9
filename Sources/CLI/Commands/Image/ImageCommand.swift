import ArgumentParser

/// `bpfman image ...`: build, describe and verify bytecode images. These
/// commands need no root.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image", abstract: "Build, inspect, sign and verify OCI bytecode images.",
        subcommands: [ImageBuild.self, ImageGenerateBuildArgs.self, ImageInspect.self, ImageVerify.self, ImageSign.self])
}

/// The objects of `image build` and `image generate-build-args`:
/// `BYTECODE`, `linux/ARCH=BYTECODE...`, or `-c DIR`.
package struct BytecodeSourceOptions: ParsableArguments {
    @Argument(help: "BYTECODE, or linux/ARCH=BYTECODE for each platform.")
    package var bytecode: [String] = []

    @Option(name: [.customShort("c"), .customLong("cilium-ebpf-project")], help: "A cilium/ebpf project directory with bpf2go objects.")
    package var ciliumProject: String?

    package init() {}
}

/// `image build <image> [BYTECODE | linux/ARCH=BYTECODE..] [-c DIR]`.
///
/// `<image>` is a registry reference to push to, or `oci:DIR[:TAG]` for an
/// OCI image layout on disk.
package struct ImageBuild: FullCommand {
    package static let configuration = CommandConfiguration(commandName: "build", abstract: "Build a bytecode image and publish it.")

    @Argument(help: "Where to publish: a registry reference, or oci:DIR[:TAG].")
    package var image: String

    @OptionGroup package var sources: BytecodeSourceOptions
    @OptionGroup package var registry: RegistryAuthOption

    package init() {}
}

/// `image generate-build-args [BYTECODE | linux/ARCH=BYTECODE..] [-c DIR] [-o]`.
package struct ImageGenerateBuildArgs: FullCommand {
    package static let configuration = CommandConfiguration(commandName: "generate-build-args",
                                                    abstract: "Print the build arguments for a bytecode Containerfile.")

    @OptionGroup package var sources: BytecodeSourceOptions
    @OptionGroup package var output: OutputOptions

    package init() {}
}

/// `image inspect <image>`: the image's manifests, labels and layers, as JSON.
package struct ImageInspect: FullCommand {
    package static let configuration = CommandConfiguration(commandName: "inspect", abstract: "Describe a bytecode image (JSON).")

    @Argument(help: "Image reference.")
    package var image: String

    @OptionGroup package var registry: RegistryAuthOption

    package init() {}
}

/// `image verify <image> [--allow-unsigned] [--public-key PEM..]`.
///
/// Applies the config file's `[signing]` policy; `--allow-unsigned` and
/// `--public-key` add to it. Keyless (Fulcio/Rekor) options are refused.
package struct ImageVerify: FullCommand {
    package static let configuration = CommandConfiguration(commandName: "verify", abstract: "Verify an image's cosign signature.")

    @Argument(help: "Image reference.")
    package var image: String

    @Flag(name: .customLong("allow-unsigned"), help: "Accept an image without signatures.")
    package var allowUnsigned = false

    @Option(name: .customLong("public-key"), help: "A trusted cosign public key (PEM); repeatable.")
    package var publicKeys: [String] = []

    @Option(name: .customLong("certificate-identity")) package var certificateIdentity: String?
    @Option(name: .customLong("certificate-identity-regexp")) package var certificateIdentityRegexp: String?
    @Option(name: .customLong("certificate-oidc-issuer")) package var certificateIssuer: String?
    @Option(name: .customLong("certificate-oidc-issuer-regexp")) package var certificateIssuerRegexp: String?

    @OptionGroup package var registry: RegistryAuthOption

    package func validate() throws {
        if certificateIdentity != nil && certificateIdentityRegexp != nil {
            throw UsageError("--certificate-identity and --certificate-identity-regexp are mutually exclusive")
        }
        if certificateIssuer != nil && certificateIssuerRegexp != nil {
            throw UsageError("--certificate-oidc-issuer and --certificate-oidc-issuer-regexp are mutually exclusive")
        }
    }

    package init() {}
}

/// `image sign <image> --key PEM`: a cosign-compatible key-pair signature,
/// pushed beside the image (`sha256-<digest>.sig`). A bpfman-swift
/// addition, so that images can be signed where cosign is not installed.
package struct ImageSign: FullCommand {
    package static let configuration = CommandConfiguration(commandName: "sign", abstract: "Sign an image with a P-256 key (cosign format).")

    @Argument(help: "Image reference.")
    package var image: String

    @Option(name: .customLong("key"), help: "An unencrypted PEM ECDSA P-256 private key.")
    package var key: String

    @OptionGroup package var registry: RegistryAuthOption

    package init() {}
}
