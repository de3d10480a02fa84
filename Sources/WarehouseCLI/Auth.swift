import ArgumentParser
import Foundation
import WarehouseCore
import WarehouseServer

extension WarehouseCommand {
    struct Auth: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Manage who may call `warehouse serve`: tokens and the respond.io webhook signing key.",
            subcommands: [AddToken.self, List.self, Revoke.self, SetWebhookKey.self]
        )

        struct AddToken: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "add-token",
                abstract: "Make a token and print it once (only its SHA-256 is kept).",
                discussion: "An ingest token may POST records (/ingest/KIND) and nothing else; a read token may read reports and the dashboard."
            )
            @OptionGroup var database: DatabaseOptions
            @Option(help: ArgumentHelp("What the token may do: ingest or read.", valueName: "ingest|read")) var scope: String
            @Option(help: ArgumentHelp("A name to list and revoke it by (default SCOPE-N).", valueName: "name")) var name: String?

            func validate() throws {
                guard TokenScope(rawValue: scope) != nil else { throw ValidationError("--scope takes ingest or read, not '\(scope)'.") }
            }

            func run() throws {
                guard let scope = TokenScope(rawValue: scope) else { return }
                let warehouse = try database.openWritable(creating: true)
                let (name, token) = try Tokens.add(scope: scope, name: name, in: warehouse)
                Terminal.write(token + "\n")
                Terminal.printError("token \(name) (scope \(scope.rawValue)) added to \(warehouse.name). It is shown this once: keep it now.")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the tokens: name, scope, when made (never the tokens).")
            @OptionGroup var database: DatabaseOptions
            @OptionGroup var output: OutputOptions

            func run() throws {
                let warehouse = try database.openWritable(creating: true)
                let entries = try Tokens.list(in: warehouse)
                let keySet = try Tokens.webhookKey(in: warehouse) != nil
                let table = ResultTable(columns: ["name", "scope", "created_at"],
                                        rows: entries.map { [.text($0.name), .text($0.scope.rawValue), .text($0.createdAt)] })
                Terminal.write(output.formatter.render(table))
                Terminal.printError("webhook signing key: \(keySet ? "set" : "not set (warehouse auth set-webhook-key -, then the key)")")
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Revoke a token by name; a running server refuses it within a second.")
            @OptionGroup var database: DatabaseOptions
            @Argument(help: "The token's name (warehouse auth list).") var name: String

            func run() throws {
                let warehouse = try database.openWritable(creating: true)
                try Tokens.revoke(name: name, in: warehouse)
                Terminal.printError("token \(name) revoked.")
            }
        }

        struct SetWebhookKey: ParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "set-webhook-key",
                abstract: "Store respond.io's webhook signing key, which checks each event's X-Webhook-Signature."
            )
            @OptionGroup var database: DatabaseOptions
            @Argument(help: ArgumentHelp(
                "The signing key respond.io shows for the webhook, or - to read it from standard input (one line).",
                discussion: "With -, the key stays out of the process list and the shell's history: warehouse auth set-webhook-key - < key.txt, or type it (not echoed)."))
            var key: String

            func run() throws {
                let key = self.key == "-" ? try SecretInput.line(prompt: "webhook signing key: ") : self.key
                let warehouse = try database.openWritable(creating: true)
                try Tokens.setWebhookKey(key, in: warehouse)
                Terminal.printError("webhook signing key stored in \(warehouse.name).")
            }
        }
    }
}
