// swift-tools-version:6.2
//
// scanmilter: a content-scanning mail filter for Postfix, and the Swift milter library under it.
// Needs Swift 6.2 or later (the body callback borrows chunks as RawSpan) and Linux: the C
// wrappers link Debian's libmilter, libclamav, libmagic and libarchive, and the socket layer is
// written against Glibc. No Apple platform is claimed because none is built or tested.
// C is touched only by the wrapper modules (Milter, ClamAV, FileMagic, Archives), each over its
// own C module; everything above them sees Swift types. One module for each concern: README, Layout.
import PackageDescription

/// Every Swift target: Swift 6 mode comes from `swiftLanguageModes`; imports are internal unless
/// a module says `public import`, so a C type in a public signature fails to compile.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")
let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")

let package = Package(
    name: "scanmilter",
    products: [
        .library(name: "Milter", targets: ["Milter"]),
        .library(name: "MilterTesting", targets: ["MilterTesting"]),
        .library(name: "MilterClient", targets: ["MilterClient"]),
        .library(name: "MIME", targets: ["MIME"]),
        .executable(name: "sample-milter", targets: ["sample-milter"]),
        .executable(name: "scanmilterctl", targets: ["scanmilterctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // The web console only (scanmilterctl web); its ConfigurationSupport trait is off (we
        // read our own TOML). Our configuration module is ScanmilterConfiguration, not
        // Configuration: SwiftPM wants target names unique across the whole graph, and
        // Hummingbird names apple/swift-configuration (module Configuration) even with the trait off.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // MARK: shared utilities
        // The one version number every executable, header, metric and package carries.
        .target(name: "ScanmilterVersion", swiftSettings: swiftSettings),
        .target(name: "Checksum", swiftSettings: swiftSettings),
        // Every socket: the syscall funnel, the address grammar, deadlines, the accept loop.
        .target(name: "Sockets", swiftSettings: swiftSettings),
        // The one JSON writer: Encodable values with keys in a stable order (--json, log lines).
        .target(name: "StableJSON", swiftSettings: swiftSettings),
        // The shapes of our errors: an extensible code, a C call that failed, a coded message.
        .target(name: "ErrorCodes", swiftSettings: swiftSettings),

        // MARK: milter (issue: Milter)
        // The protocol's values (replies, action sets, steps, stages), shared by the filter side
        // (Milter) and the MTA side (MilterClient) so a fix to the protocol is made once.
        .target(name: "MilterProtocol", swiftSettings: swiftSettings),
        .target(
            name: "CMilter",
            linkerSettings: [.linkedLibrary("milter"), .linkedLibrary("pthread")]
        ),
        .target(name: "Milter", dependencies: ["CMilter", "MilterProtocol", "Sockets", logging], swiftSettings: swiftSettings),
        .target(name: "MilterTesting", dependencies: ["Milter"], swiftSettings: swiftSettings),
        .target(name: "MilterClient", dependencies: ["MilterProtocol", "Sockets"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "sample-milter",
            dependencies: ["Milter", "ScanmilterVersion", argumentParser, logging],
            swiftSettings: swiftSettings
        ),

        // MARK: MIME (issue: MIME)
        .target(name: "MIME", swiftSettings: swiftSettings),
        .executableTarget(name: "mime-bench", dependencies: ["MIME", "ScanmilterVersion"], swiftSettings: swiftSettings),

        // MARK: scanning (issue: Scanning)
        .target(
            name: "CClamAV",
            linkerSettings: [.linkedLibrary("clamav"), .linkedLibrary("freshclam")]
        ),
        .target(name: "ClamAV", dependencies: ["CClamAV", "ErrorCodes", logging], swiftSettings: swiftSettings),
        .target(name: "CMagic", linkerSettings: [.linkedLibrary("magic")]),
        .target(name: "CArchive", linkerSettings: [.linkedLibrary("archive")]),
        .target(name: "Archives", dependencies: ["CArchive", "ErrorCodes"], swiftSettings: swiftSettings),
        .target(name: "FileMagic", dependencies: ["CMagic", "ErrorCodes"], swiftSettings: swiftSettings),
        .target(
            name: "Scanning",
            dependencies: ["ClamAV", "ErrorCodes", "FileMagic", "MIME", "Sockets", logging],
            swiftSettings: swiftSettings
        ),
        // Scans in worker processes forked from a zygote that holds the engine, each confined
        // with rlimits, Landlock and seccomp (issue: isolated scanning workers).
        .target(name: "CSandbox"),
        .target(
            name: "ScanWorkers",
            dependencies: ["CSandbox", "ClamAV", "ErrorCodes", "MIME", "Scanning", logging],
            swiftSettings: swiftSettings
        ),
        // ScanmilterConfiguration parses its own TOML subset: every error then carries a line number,
        // and no C++ dependency is built for a config file.
        .target(name: "ScanmilterConfiguration", dependencies: ["MilterProtocol"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "scan-bench",
            dependencies: ["Scanning", "ClamAV", "FileMagic", "Filter", "ScanmilterConfiguration", "MIME", "ScanmilterVersion", logging],
            swiftSettings: swiftSettings
        ),

        // MARK: quarantine (issue: Quarantine) and signature updates (issue: updates)
        .target(
            name: "Quarantine",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift"), "Checksum", "ErrorCodes", "MilterProtocol", "Sockets", logging],
            swiftSettings: swiftSettings
        ),
        // The shared store (issue 16): libpq behind its own C module and a small Swift wrapper,
        // and the PostgreSQL backend in a module of its own so only what needs it links libpq.
        .target(name: "CPostgres", linkerSettings: [.linkedLibrary("pq")]),
        .target(name: "Postgres", dependencies: ["CPostgres", "ErrorCodes"], swiftSettings: swiftSettings),
        .target(
            name: "QuarantinePostgres",
            dependencies: ["Quarantine", "Postgres", "Checksum", "ScanmilterConfiguration", "ErrorCodes", logging],
            swiftSettings: swiftSettings
        ),
        .target(name: "Updater", dependencies: ["ClamAV", "ErrorCodes", "MIME", "StableJSON", logging], swiftSettings: swiftSettings),

        // MARK: the appliance (issue: daemon)
        .target(
            name: "Filter",
            dependencies: [
                "Milter", "MilterProtocol", "MIME", "Scanning", "ScanWorkers", "FileMagic", "ClamAV", "Archives", "ScanmilterConfiguration", "Quarantine",
                "Sockets", "StableJSON", "ScanmilterVersion", logging,
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "scanmilter",
            dependencies: ["Filter", "ScanmilterConfiguration", "ClamAV", "Scanning", "ScanWorkers", "Quarantine", "QuarantinePostgres", argumentParser, logging],
            swiftSettings: swiftSettings
        ),

        // MARK: web console (issue: web console)
        // Pages, JSON API and digests over QuarantineStore; its own process (scanmilterctl web),
        // never linked into the daemon. Bcrypt comes from HummingbirdBcrypt (htpasswd -B hashes),
        // HMAC and SHA-256 from swift-crypto. Templates and CSS are Swift string literals, not
        // resources: the packaged static binary then needs no bundle directory beside it.
        .target(
            name: "WebConsole",
            dependencies: [
                "Quarantine", "ScanmilterConfiguration", "MIME", "FileMagic", "StableJSON", "ScanmilterVersion", logging,
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: executables
        .executableTarget(name: "web-bench", dependencies: ["Quarantine", logging], swiftSettings: swiftSettings),
        .executableTarget(
            name: "milter-load",
            dependencies: [
                "MilterClient", "StableJSON", "ScanmilterVersion", .product(name: "Histogram", package: "hdrhistogram-swift"),
                argumentParser,
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "scanmilterctl",
            dependencies: [
                "MIME", "Scanning", "ScanmilterConfiguration", "Checksum", "Filter", "MilterClient", "Quarantine", "QuarantinePostgres", "Updater",
                "StableJSON", "WebConsole", argumentParser, logging,
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: tests
        .testTarget(name: "MilterProtocolTests", dependencies: ["MilterProtocol"], swiftSettings: swiftSettings),
        .testTarget(name: "ChecksumTests", dependencies: ["Checksum"], swiftSettings: swiftSettings),
        .testTarget(name: "SocketsTests", dependencies: ["Sockets"], swiftSettings: swiftSettings),
        .testTarget(name: "StableJSONTests", dependencies: ["StableJSON"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MilterTests",
            dependencies: ["Milter", "MilterTesting", "MilterClient"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "MilterClientTests", dependencies: ["MilterClient"], swiftSettings: swiftSettings),
        .testTarget(
            name: "MIMETests", dependencies: ["MIME", "Checksum"], exclude: ["Corpus"], swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ScanningTests",
            dependencies: ["ClamAV", "FileMagic", "Scanning", "MIME", "ScanmilterConfiguration", "Sockets", logging],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ScanmilterConfigurationTests", dependencies: ["ScanmilterConfiguration", "MilterProtocol"], swiftSettings: swiftSettings),
        .testTarget(
            name: "FilterTests",
            dependencies: [
                "Filter", "MilterTesting", "MilterClient", "MIME", "ScanmilterConfiguration", "Scanning", "Quarantine", "Sockets",
            ],
            exclude: ["Corpus"], swiftSettings: swiftSettings
        ),
        .testTarget(name: "ArchivesTests", dependencies: ["Archives"], swiftSettings: swiftSettings),
        .testTarget(name: "ScanWorkersTests", dependencies: ["ScanWorkers", "Scanning", logging], swiftSettings: swiftSettings),
        // The behaviour suites run against both stores; the PostgreSQL ones start a private
        // cluster with scripts/lib/postgres-cluster.sh.
        .testTarget(
            name: "QuarantineTests",
            dependencies: ["Quarantine", "QuarantinePostgres", "Postgres", "Checksum", "Sockets", logging],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "UpdaterTests", dependencies: ["Updater", "ClamAV", "Sockets"], swiftSettings: swiftSettings),
        .testTarget(
            name: "WebConsoleTests",
            dependencies: ["WebConsole", "Quarantine", "ScanmilterConfiguration", .product(name: "HummingbirdBcrypt", package: "hummingbird-auth")],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "CLITests", dependencies: ["Quarantine", "Sockets", "MilterClient"], swiftSettings: swiftSettings),
    ],
    swiftLanguageModes: [.v6]
)
