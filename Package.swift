// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "warehouse",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "warehouse", targets: ["warehouse"]),
        .library(name: "WarehouseCore", targets: ["WarehouseCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
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
        // Build tool: turns Schema/*.sql (and Queries/*.sql) into Swift string
        // literals, so the binary carries its SQL wherever it is copied.
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
        // SVG charts drawn from numbers (heatmap, lines, columns, bars): pure functions, no dependencies.
        .target(name: "SVGCharts"),
        .target(
            name: "WarehouseCLI",
            dependencies: [
                "WarehouseCore", "CLibEdit", "CSQLite",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "warehouse", dependencies: ["WarehouseCLI"]),
        .testTarget(name: "WarehouseCoreTests", dependencies: ["WarehouseCore"]),
        .testTarget(name: "WarehouseCLITests", dependencies: ["WarehouseCLI", "WarehouseCore"]),
        .testTarget(name: "SVGChartsTests", dependencies: ["SVGCharts"]),
    ],
    swiftLanguageModes: [.v5]
)
