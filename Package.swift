// swift-tools-version:6.2
import PackageDescription

// Numeric code is where the time goes; keep it optimised for speed in release builds
// without changing semantics (no -Ounchecked: bounds checks stay on outside the kernels
// that opt out with unsafe buffer pointers).
let package = Package(
    name: "Sift",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "siftd", targets: ["siftd"]),
        .executable(name: "sift", targets: ["sift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        // Already in the graph through swift-nio; named here for its Deque (the daemon's queues).
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-configuration", exact: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        // Already in the graph through swift-configuration's YAML trait; used directly to list
        // the keys a config file sets, so a misspelt one is an error, not silently ignored.
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        // The PostgreSQL engine of the store (SpamStorePostgres).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // System libraries.
        .systemLibrary(
            name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(
            name: "CSystemd", path: "Sources/CSystemd", pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]),
        // oneDNN for bf16/int8 matmuls; Debian's libdnnl-dev has no pkg-config file.
        .systemLibrary(name: "CDNNL", path: "Sources/CDNNL", providers: [.apt(["libdnnl-dev"])]),

        // Libraries, dependencies pointing down.
        // JSON as Sift reads and writes it: the protocol, stored metrics, vocab.json, `--json`.
        .target(name: "SiftJSON"),
        .target(name: "GPT2Tokenizer", dependencies: ["SiftJSON"]),
        .target(name: "GPT2", dependencies: ["CBLAS", "CDNNL", "CPrecisionKernels"]),
        // The elementwise passes of bf16/int8 matmuls, one copy per instruction set.
        .target(name: "CPrecisionKernels"),
        .target(name: "FineTune", dependencies: ["GPT2", "GPT2Tokenizer", "Checksum", "SiftJSON"]),
        .target(name: "Checksum"),
        // From a raw email to the text the model reads (headers, MIME, charsets, HTML).
        .target(name: "SiftMail", dependencies: ["Checksum"]),
        .target(name: "SpamStore", dependencies: ["Checksum", .product(name: "GRDB", package: "GRDB.swift")]),
        // The same store contract (MessageStore) on PostgreSQL, for several nodes sharing one database.
        .target(
            name: "SpamStorePostgres",
            dependencies: [
                "SpamStore", "Checksum",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The harnesses behind `sift bench`, kept out of the libraries they measure.
        .target(name: "SiftBench", dependencies: ["SpamStore", "SpamStorePostgres"]),
        .target(
            name: "SiftSystemd",
            dependencies: [
                "CSystemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .target(
            name: "SiftDaemon",
            dependencies: [
                "GPT2", "GPT2Tokenizer", "FineTune", "SpamStore", "SpamStorePostgres", "Checksum", "SiftSystemd", "SiftJSON", "SiftMail",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "DequeModule", package: "swift-collections"),
            ]),

        // Executables.
        .executableTarget(
            name: "siftd",
            dependencies: [
                "SiftDaemon", "SiftSystemd", "GPT2",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "sift",
            dependencies: [
                "SiftDaemon", "GPT2", "GPT2Tokenizer", "FineTune", "SpamStore", "SpamStorePostgres", "SiftBench", "SiftJSON",
                "SiftMail",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Tests: one target per library module, plus fixtures shared by them.
        .target(name: "TestSupport", dependencies: ["GPT2", "SpamStorePostgres"], path: "Tests/TestSupport"),
        .testTarget(name: "SiftJSONTests", dependencies: ["SiftJSON"]),
        .testTarget(name: "GPT2TokenizerTests", dependencies: ["GPT2Tokenizer", "TestSupport"]),
        .testTarget(name: "GPT2Tests", dependencies: ["GPT2", "CDNNL", "CPrecisionKernels", "TestSupport"]),
        .testTarget(name: "FineTuneTests", dependencies: ["FineTune", "GPT2", "GPT2Tokenizer", "TestSupport"]),
        .testTarget(name: "ChecksumTests", dependencies: ["Checksum"]),
        .testTarget(name: "SiftMailTests", dependencies: ["SiftMail", "TestSupport"]),
        .testTarget(
            name: "SpamStoreTests",
            dependencies: [
                "SpamStore", "SpamStorePostgres", "Checksum", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "SiftBenchTests",
            dependencies: [
                "SiftBench", "SpamStorePostgres", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        // Test scaffolding: the writer process SpamStoreTests kills mid-commit (found next to the test bundle).
        .executableTarget(name: "store-crash-writer", dependencies: ["SpamStore"], path: "Tests/StoreCrashWriter"),
        .testTarget(name: "SiftSystemdTests", dependencies: ["SiftSystemd", "TestSupport"]),
        .testTarget(
            name: "SiftDaemonTests",
            dependencies: [
                "SiftDaemon", "SpamStore", "SpamStorePostgres", "SiftJSON", "SiftMail", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
    ],
    swiftLanguageModes: [.v6]
)
