import ArgumentParser

/// `-p/--pull-policy` and `--registry-auth`, shared by the image load forms.
package struct ImagePullOptions: ParsableArguments {
    @Option(name: [.customShort("p"), .customLong("pull-policy")], help: "Always, IfNotPresent or Never.")
    package var pullPolicy: String = "IfNotPresent"

    @OptionGroup package var registry: RegistryAuthOption

    package init() {}
}

/// `--registry-auth BASE64(user:pass)`, defaulting to `$BPFMAN_REGISTRY_AUTH`.
package struct RegistryAuthOption: ParsableArguments {
    @Option(name: .customLong("registry-auth"), help: "base64(user:pass); default $BPFMAN_REGISTRY_AUTH, then the auth files.")
    package var registryAuth: String?

    package init() {}
}
