import Foundation
import PackagePlugin

/// Embeds text files into the target as Swift string literals, so the
/// `warehouse` binary needs no files beside it:
/// - a target with a `Templates/` folder in its sources gets those files, as
///   `enum EmbeddedTemplates` (the dashboard's page);
/// - a second store's target gets its own schema folder's SQL files, as
///   `enum EmbeddedSQL` (`WarehousePostgres`: `Schema/postgresql/`, folder
///   `postgresql`): what that store creates beside the shared schema;
/// - any other target gets the package's `Schema/`, `Queries/` and
///   `Queries/fragments/` SQL files, as `enum EmbeddedSQL` (each file's folder
///   is its last path component: `Schema`, `Queries` or `fragments`).
/// SwiftPM lists the files when it plans the build: after adding a new file to
/// an existing build directory, `touch Package.swift` so it plans again.
@main
struct EmbedSQLPlugin: BuildToolPlugin {
    /// The schema folder of each second store's target.
    static let storeSchemas = ["WarehousePostgres": "Schema/postgresql"]

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        // The target's sources in the package's default layout (Target.directoryURL needs tools 6.1).
        let templates = context.package.directoryURL.appendingPathComponent("Sources/\(target.name)/Templates")
        let hasTemplates = FileManager.default.fileExists(atPath: templates.path)
        let storeSchema = Self.storeSchemas[target.name]
        let (enumName, folders, suffix) = hasTemplates
            ? ("EmbeddedTemplates", [templates], "")
            : ("EmbeddedSQL", (storeSchema.map { [$0] } ?? ["Schema", "Queries", "Queries/fragments"])
                .map { context.package.directoryURL.appendingPathComponent($0) }, ".sql")
        var inputs: [URL] = []
        for folder in folders {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            inputs += names.filter { $0.hasSuffix(suffix) && !$0.hasPrefix(".") }.sorted().map { folder.appendingPathComponent($0) }
        }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("\(enumName).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) files in \(target.name)",
                executable: try context.tool(named: "EmbedSQL").url,
                arguments: [output.path, enumName] + inputs.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
