// swift-tools-version:6.1
import PackageDescription

/// Release link settings of bpfman's executables (README, "Benchmarks"):
/// position-dependent, so that the loader applies no relative relocations
/// and copies none of the metadata pages on write, and no exported symbols.
let releaseLinkSettings: [LinkerSetting] = [
    .unsafeFlags(["-Xclang-linker", "-no-pie",
                  "-Xlinker", "--version-script=\(Context.packageDirectory)/linker/hide-symbols.map"],
                 .when(configuration: .release)),
]

let package = Package(
    name: "bpfman",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bpfman", targets: ["bpfman"]),
        .executable(name: "bpfman-full", targets: ["bpfman-full"]),
        .executable(name: "bpfman-ns", targets: ["bpfman-ns"]),
        .executable(name: "bpfman-agent", targets: ["bpfman-agent"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C layer.
        .systemLibrary(name: "CLibbpf", path: "Sources/CLibbpf", pkgConfig: "libbpf",
                       providers: [.apt(["libbpf-dev"])]),
        .target(name: "CLinuxShims", cSettings: [.define("_GNU_SOURCE")]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),

        // Foundation-free layer, linked into the single-threaded bpfman-ns.
        .target(name: "Diagnostics", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "Model"),
        .target(name: "LinuxSys", dependencies: ["CLinuxShims", "Diagnostics", "Model",
                                                 .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "BinaryFormats"),
        .target(name: "Execution", dependencies: ["LinuxSys", "Logs"]),
        .target(name: "BPF", dependencies: ["CLibbpf", "CLinuxShims", "Diagnostics", "LinuxSys", "Model",
                                            .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "Targets", dependencies: ["BinaryFormats", "Diagnostics", "LinuxSys",
                                                .product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "Namespaces", dependencies: ["Diagnostics", "LinuxSys", "Model",
                                                   .product(name: "SystemPackage", package: "swift-system")]),

        // Generated protobuf and gRPC code (scripts/generate-protos.sh).
        .target(name: "BpfmanProto", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf"),
                                                    .product(name: "GRPCCore", package: "grpc-swift-2"),
                                                    .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf")]),
        .target(name: "CRIProto", dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf"),
                                                 .product(name: "GRPCCore", package: "grpc-swift-2"),
                                                 .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf")]),

        // The one HTTP client setup (async-http-client), shared by the registry, Kubernetes and runtime clients.
        .target(name: "HTTPTransport", dependencies: [.product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                      .product(name: "NIOCore", package: "swift-nio"),
                                                      .product(name: "NIOHTTP1", package: "swift-nio")]),

        .target(name: "Runtimes", dependencies: ["Execution", "CRIProto", "Diagnostics", "HTTPTransport", "LinuxSys", "Model",
                                                 .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                 .product(name: "NIOCore", package: "swift-nio"),
                                                 .product(name: "GRPCCore", package: "grpc-swift-2"),
                                                 .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")]),

        // Tar and gzip, for image layers.
        .target(name: "Archive", dependencies: ["CZlib", "Diagnostics"]),
        // OCI bytecode images: registry client, cache, layers, build, signatures.
        .target(name: "Images", dependencies: ["Archive", "BinaryFormats", "Diagnostics", "HTTPTransport", "Logs", "Model",
                                               .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                               .product(name: "NIOCore", package: "swift-nio"),
                                               .product(name: "NIOHTTP1", package: "swift-nio"),
                                               .product(name: "Crypto", package: "swift-crypto")]),

        // State and the manager core.
        .target(name: "Store", dependencies: ["Diagnostics", "LinuxSys", "Logs", "Model", .product(name: "GRDB", package: "GRDB.swift"),
                                             .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        // Log lines: the --log spec, a logger per component, slog's line layout.
        .target(name: "Logs", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(name: "Manager", dependencies: ["Logs", "Execution", "BinaryFormats", "BPF", "Diagnostics", "LinuxSys", "Model", "Namespaces", "Store", "Targets",
                                                .product(name: "SystemPackage", package: "swift-system")]),
        // The manager's work that needs the registry client: loading from bytecode images.
        .target(name: "ImageLoading", dependencies: ["Execution", "BPF", "Diagnostics", "Images", "LinuxSys", "Manager", "Model", "Runtimes"]),
        // The manager's work that needs the container runtimes: selectors, their sync and watch.
        .target(name: "ContainerSelection", dependencies: ["Execution", "Logs", "Diagnostics", "Manager", "Model", "Runtimes", "Store"]),
        // The Kubernetes client and the node agent.
        .target(name: "Kubernetes", dependencies: ["Diagnostics", "HTTPTransport",
                                                   .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                   .product(name: "NIOCore", package: "swift-nio"),
                                                   .product(name: "NIOHTTP1", package: "swift-nio"),
                                                   .product(name: "NIOSSL", package: "swift-nio-ssl"),
                                                   .product(name: "Yams", package: "Yams")]),
        .target(name: "Agent", dependencies: ["Logs", "Execution", "ContainerSelection", "Diagnostics", "ImageLoading", "Images", "Kubernetes", "Manager", "Metrics", "Model", "Runtimes"]),

        // Every command's declaration, and the work of those that need no registry, runtime or gRPC code.
        .target(name: "CLI", dependencies: ["Logs", "Diagnostics", "Manager", "Model", "Namespaces",
                                            .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        // The work of the commands that do (FullCommand), linked only into bpfman-full.
        .target(name: "FullCLI", dependencies: ["Logs", "Execution", "CLI", "ContainerSelection", "Diagnostics", "ImageLoading", "Images", "Manager", "Model",
                                                "Metrics", "Runtimes", "Server", .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Prometheus metrics of a daemon's manager and the kernel's objects, and their HTTP endpoint.
        .target(name: "Metrics", dependencies: ["Manager", "Diagnostics", "Model",
                                                "ContainerSelection", // container link metadata keys
                                                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                                                .product(name: "NIOHTTP1", package: "swift-nio")]),
        .target(name: "Server", dependencies: ["Logs", "Execution", "BpfmanProto", "ImageLoading", "Manager", "Diagnostics", "Images", "Model", "Metrics",
                                               .product(name: "GRPCCore", package: "grpc-swift-2"),
                                               .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")]),

        // Executables: wiring only.
        .executableTarget(name: "bpfman", dependencies: ["CLI"], linkerSettings: releaseLinkSettings),
        .executableTarget(name: "bpfman-full", dependencies: ["CLI", "FullCLI"], linkerSettings: releaseLinkSettings),
        .executableTarget(name: "bpfman-agent", dependencies: ["Logs", "Agent", "Kubernetes", "Manager", "Metrics",
                                                               .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "bpfman-ns", dependencies: ["BPF", "Diagnostics", "LinuxSys", "Model", "Namespaces", "Targets",
                                                            .product(name: "SystemPackage", package: "swift-system")],
                          linkerSettings: releaseLinkSettings),

        // Benchmarks (`make bench`).
        .executableTarget(name: "bpfman-bench", dependencies: ["BinaryFormats", "BpfmanProto", "Runtimes", "TestSupport",
                                                             .product(name: "GRPCCore", package: "grpc-swift-2"),
                                                             .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")]),

        // Tests.
        .target(name: "TestSupport", dependencies: ["BPF", "LinuxSys", "Model", "CRIProto",
                                                    .product(name: "Crypto", package: "swift-crypto"),
                                                    .product(name: "GRPCCore", package: "grpc-swift-2"),
                                                    .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")],
                path: "Tests/TestSupport"),
        .testTarget(name: "BinaryFormatsTests", dependencies: ["BinaryFormats"]),
        .testTarget(name: "ServerTests", dependencies: ["TestSupport", "BpfmanProto", "bpfman", "bpfman-full", "bpfman-ns", "bpfman-agent",
                                                       .product(name: "GRPCCore", package: "grpc-swift-2"),
                                                       .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport")]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive"]),
        .testTarget(name: "ExecutionTests", dependencies: ["Execution", "LinuxSys"]),
        .testTarget(name: "BPFTests", dependencies: ["BPF", "Model", "TestSupport"]),
        .testTarget(name: "LinuxSysTests", dependencies: ["LinuxSys"]),
        .testTarget(name: "ServerMappingTests", dependencies: ["Server", "BpfmanProto", "Diagnostics", "Manager", "Model",
                                                              .product(name: "SystemPackage", package: "swift-system"),
                                                              .product(name: "GRPCCore", package: "grpc-swift-2")]),
        .testTarget(name: "ContainerSelectionTests", dependencies: ["ContainerSelection", "Manager", "Model", "Runtimes"]),
        .testTarget(name: "ImageLoadingTests", dependencies: ["ImageLoading", "Model", "TestSupport"]),
        .testTarget(name: "ImagesTests", dependencies: ["Images"]),
        .testTarget(name: "RuntimesTests", dependencies: ["Diagnostics", "Model", "Runtimes"]),
        .testTarget(name: "ManagerTests", dependencies: ["Manager"]),
        .testTarget(name: "NamespacesTests", dependencies: ["Namespaces", "LinuxSys", "Model"]),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "BPF", "LinuxSys", "Model", "bpfman", "bpfman-full", "bpfman-ns", "bpfman-agent"]),
        // Unprivileged, one per module (`make test-unit`).
        .testTarget(name: "StoreTests", dependencies: ["Store", "Model", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "TargetsTests", dependencies: ["Targets", "TestSupport"]),
        .testTarget(name: "ModelTests", dependencies: ["Model"]),
        .testTarget(name: "KubernetesTests", dependencies: ["Kubernetes", "Agent", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "CLIParsingTests", dependencies: ["TestSupport", "bpfman"]),
        .testTarget(name: "LogsTests", dependencies: ["Logs", .product(name: "Logging", package: "swift-log")]),
    ],
    swiftLanguageModes: [.v6]
)
