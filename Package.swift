// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "warehouse",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "warehouse", targets: ["warehouse"]),
        .library(name: "WarehouseCore", targets: ["WarehouseCore"]),
        .library(name: "WarehousePostgres", targets: ["WarehousePostgres"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        // The dashboard's markup is a Mustache template (Sources/WarehouseDashboard/Templates/):
        // swift-mustache is small, has no dependencies, escapes HTML by default, and keeps
        // the page's markup in one file that reads as HTML, not in strings through the code
        // (Plot would put it in Swift code; Stencil and Leaf bring more than one page needs).
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // `warehouse serve`: Hummingbird 2 is a lean HTTP server on SwiftNIO (no ORM, no
        // templating of its own), with graceful shutdown through swift-service-lifecycle;
        // swift-log writes its one line per request.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // The PostgreSQL store (SPEC §8): a client on SwiftNIO, like the server, with the
        // bulk path (`COPY … FROM STDIN`) the loader needs, TLS through swift-nio-ssl and
        // SCRAM-SHA-256 login; no libpq to install.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        // Its TLS (sslmode): the settings of the context postgres-nio is given.
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // Tests only: the real HTTP client the server's tests talk to it with.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
    ],
    targets: [
        // The system SQLite (Debian: libsqlite3-dev).
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // The line editor of the shell: libedit (Debian: libedit-dev), BSD-licensed.
        .systemLibrary(
            name: "CLibEdit",
            providers: [.apt(["libedit-dev"])]
        ),
        // Build tool: turns Schema/*.sql and Queries/*.sql (and a target's
        // Templates/) into Swift string literals, so the binary carries them
        // wherever it is copied.
        .executableTarget(name: "EmbedSQL"),
        .plugin(
            name: "EmbedSQLPlugin",
            capability: .buildTool(),
            dependencies: ["EmbedSQL"],
            path: "Sources/EmbedSQLPlugin"
        ),
        .target(
            name: "WarehouseCore",
            dependencies: ["CSQLite", .product(name: "Crypto", package: "swift-crypto")],
            // Release builds skip the run-time exclusivity checks: they were 3% of
            // a messages load (swift_beginAccess in the profile).
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release))],
            plugins: ["EmbedSQLPlugin"]
        ),
        // The test-data generator (`warehouse generate`, the benchmark and the
        // tests); not linked into the core.
        .target(name: "WarehouseGenerator", dependencies: ["WarehouseCore"]),
        // SVG charts drawn from numbers (heatmap, lines, columns, bars): pure functions, no dependencies.
        .target(name: "SVGCharts"),
        // The dashboard page: the reports run with the same parameters, drawn and laid out by a template.
        .target(
            name: "WarehouseDashboard",
            dependencies: ["WarehouseCore", "SVGCharts", .product(name: "Mustache", package: "swift-mustache")],
            exclude: ["Templates"],
            plugins: ["EmbedSQLPlugin"]
        ),
        // The live warehouse over HTTP (`warehouse serve`): ingest, webhooks, reports, the dashboard.
        .target(
            name: "WarehouseServer",
            dependencies: [
                "WarehouseCore", "WarehouseDashboard", "WarehousePostgres",
                .product(name: "Hummingbird", package: "hummingbird"),
                // Its HTTP/1 channel, to add a handler that sees a request's HTTP version (ConnectionPersistence).
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // The PostgreSQL store: its connection settings (a libpq URL), a session on
        // postgres-nio with a blocking facade, and the report functions' SQL (Schema/postgresql/).
        .target(
            name: "WarehousePostgres",
            dependencies: [
                "WarehouseCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            plugins: ["EmbedSQLPlugin"]
        ),
        .target(
            name: "WarehouseCLI",
            dependencies: [
                "WarehouseCore", "WarehouseGenerator", "WarehouseDashboard", "WarehouseServer", "WarehousePostgres", "CLibEdit", "CSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "warehouse", dependencies: ["WarehouseCLI"]),
        // What the tests of both libraries share about files: their kind, device nodes, a pipe's reader.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "WarehouseCoreTests", dependencies: ["WarehouseCore", "WarehouseGenerator", "WarehousePostgres", "TestSupport"]),
        .testTarget(name: "WarehouseCLITests", dependencies: ["WarehouseCLI", "WarehouseCore", "WarehouseDashboard", "WarehousePostgres", "TestSupport"]),
        .testTarget(name: "SVGChartsTests", dependencies: ["SVGCharts"]),
        .testTarget(name: "WarehousePostgresTests", dependencies: ["WarehousePostgres", "WarehouseCore", "TestSupport"]),
        .testTarget(
            name: "WarehouseServerTests",
            dependencies: [
                "WarehouseServer", "WarehouseCore", "WarehouseCLI", "WarehousePostgres", "TestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
