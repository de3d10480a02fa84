import Foundation
import Testing
import TestSupport
@testable import WarehouseCore

/// Runs the built `warehouse` binary as a user would.
struct Run {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum Binary {
    /// The `warehouse` executable beside the test bundle.
    static var url: URL { Repository.binary }

    /// The conformance fixtures (`Tests/Fixtures/small`).
    static var fixtures: URL { Repository.sample }

    /// `output`: where standard output goes instead of the returned `stdout`.
    /// `command`: what starts the binary, ending with its path (another user's
    /// `setpriv … /copy/of/warehouse`), instead of the binary itself.
    static func run(_ arguments: [String], in directory: URL, environment: [String: String] = [:], input: String? = nil,
                    output: FileHandle? = nil, command: [String] = []) throws -> Run {
        let process = Process()
        process.executableURL = command.first.map { URL(fileURLWithPath: $0) } ?? url
        process.arguments = Array(command.dropFirst()) + arguments
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "WAREHOUSE_DB")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = output ?? out
        process.standardError = err
        let stdin = Pipe()
        process.standardInput = input == nil ? FileHandle.nullDevice : stdin
        try ChildProcesses.run(process)
        if let input {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try stdin.fileHandleForWriting.close()
        }
        // Read both pipes to the end before waiting, so a large output cannot block the child.
        var outData = Data(), errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        if output == nil { outData = out.fileHandleForReading.readDataToEndOfFile() }
        group.wait()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                   stderr: String(decoding: errData, as: UTF8.self))
    }
}

final class Scratch {
    private let folder: TemporaryFolder
    var url: URL { folder.url }
    init() throws { folder = try TemporaryFolder(prefix: "warehouse-cli") }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String { try folder.write(name, text) }

    func run(_ args: String..., env: [String: String] = [:], input: String? = nil) throws -> Run {
        try Binary.run(args, in: url, environment: env, input: input)
    }

    /// The fixture exports loaded into `w.db`.
    func loadFixtures() throws -> Run {
        let files = try Repository.csvFiles(in: Repository.sampleExports)
        return try Binary.run(["load", "--db", "w.db", "--timezone", "Asia/Kuala_Lumpur"] + files.shuffled(), in: url)
    }
}

@Suite(.serialized) struct CommandLineTests {
    /// `--version` and `-V` print the program's version and the schema version it writes; `info` and the dashboard say it too.
    @Test func theVersionIsSaid() throws {
        let s = try Scratch()
        for flag in ["--version", "-V"] {
            let r = try s.run(flag)
            #expect(r.status == 0 && r.stdout == Version.description + "\n", "\(flag): \(r.stdout) \(r.stderr)")
        }
        #expect(Version.description.hasPrefix("warehouse \(Version.number) (schema version \(Schema.currentVersion))"))
        #expect(try s.loadFixtures().status == 0)
        #expect(try s.run("info", "--db", "w.db").stdout.contains(Version.description))
        #expect(try s.run("dashboard", "--db", "w.db", "--out", "-").stdout.contains("warehouse dashboard \(Version.number)"))
    }

    @Test func loadPrintsOneLinePerFileInNameOrder() throws {
        let s = try Scratch()
        let r = try s.loadFixtures()
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").filter { !$0.hasPrefix("  ") }
        #expect(lines.count == 10)
        #expect(lines.first?.hasPrefix("channels.csv: channels, 5 rows: 5 inserted") == true)
        #expect(lines.contains { $0.hasPrefix("conversations_legacy.csv: conversations (legacy form), 122 rows") })
        #expect(r.stdout.contains("rejected messages.csv:2129: wrong number of fields: 10, header has 11"))
        // Loaded again: nothing new.
        let again = try s.loadFixtures()
        #expect(again.status == 0)
        #expect(again.stdout.contains("users.csv: users, 13 rows: 0 inserted, 0 updated, 13 unchanged, 0 rejected"))
    }

    @Test func aBadFileFailsTheCommandButNotTheOthers() throws {
        let s = try Scratch()
        let bad = try s.write("orders.csv", "Order,Amount\n1,2\n")
        let good = try s.write("users.csv", "User ID,First Name,Last Name,Email,Role,Team\n1,A,B,a@x,Agent,Support\n")
        let r = try s.run("load", "--db", "w.db", bad, good, s.url.appendingPathComponent("missing.csv").path)
        #expect(r.status != 0)
        #expect(r.stderr.contains("orders.csv: not a known export"))
        #expect(r.stderr.contains("missing.csv: no such file"))
        #expect(!r.stderr.contains("Fatal error"))
        #expect(r.stdout.contains("users.csv: users, 1 rows: 1 inserted"))
        let count = try s.run("sql", "--db", "w.db", "SELECT count(*) AS n FROM users")
        #expect(count.stdout == "n\n1\n")
    }

    @Test func aFileWhoseDatesCannotBeDecidedIsRefusedNamingDateOrderAndLoadsWithIt() throws {
        let s = try Scratch()
        let file = try s.write("conversations.csv", "Conversation ID,DateTime Conversation Started,DateTime Conversation Resolved,Contact ID\n"
            + "1,03/04/2025 09:00,03/04/2025 10:30,c1\n2,05/06/2025 12:16,,c2\n")
        let refused = try s.run("load", "--db", "w.db", file)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("conversations.csv: cannot tell the day from the month in its dates"))
        #expect(refused.stderr.contains("--date-order dmy") && refused.stderr.contains("--date-order mdy"))
        #expect(refused.stderr.contains("Nothing of it was loaded."))
        #expect(try s.run("sql", "--db", "w.db", "SELECT count(*) AS n FROM conversations").stdout == "n\n0\n")
        let loaded = try s.run("load", "--db", "w.db", "--date-order", "dmy", file)
        #expect(loaded.status == 0, "\(loaded.stderr)")
        #expect(loaded.stdout.contains("conversations.csv: conversations (legacy form), 2 rows: 2 inserted"))
        #expect(loaded.stdout.contains("\n  dates day-first (DD/MM/YYYY, as --date-order says), no seconds\n"))
        #expect(try s.run("sql", "--db", "w.db", "SELECT opened_at FROM conversations ORDER BY 1").stdout
                == "opened_at\n2025-04-03 09:00:00\n2025-06-05 12:16:00\n")
        let wrong = try s.run("load", "--db", "w.db", "--date-order", "ymd", file)
        #expect(wrong.status != 0)
        #expect(wrong.stderr.contains("ymd") && wrong.stderr.contains("dmy"))
    }

    @Test func loadWithoutFilesIsAUsageError() throws {
        let s = try Scratch()
        let r = try s.run("load", "--db", "w.db")
        #expect(r.status != 0)
        #expect(r.stderr.contains("name at least one export file"))
    }

    @Test func sqlIsReadOnlyUnlessWrite() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let denied = try s.run("sql", "--db", "w.db", "DELETE FROM fact_message")
        #expect(denied.status != 0)
        #expect(denied.stderr.contains("--write"))
        #expect(try s.run("sql", "--db", "w.db", "SELECT count(*) FROM fact_message").stdout == "count(*)\n4987\n")
        let allowed = try s.run("sql", "--db", "w.db", "--write", "DELETE FROM fact_failed_message WHERE message_id = '15740631913'")
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(try s.run("sql", "--db", "w.db", "SELECT count(*) FROM failed_messages").stdout == "count(*)\n13\n")
    }

    @Test func sqlFormatsAndErrors() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let q = "SELECT user_id, user_name FROM users WHERE user_id IN ('910111', '1073060') ORDER BY user_id"
        #expect(try s.run("sql", "--db", "w.db", q).stdout == "user_id,user_name\n1073060,Chloé Martin\n910111,Priya Nair\n")
        #expect(try s.run("sql", "--db", "w.db", "--format", "json", q).stdout
                == "[\n  {\"user_id\":\"1073060\",\"user_name\":\"Chloé Martin\"},\n  {\"user_id\":\"910111\",\"user_name\":\"Priya Nair\"}\n]\n")
        #expect(try s.run("sql", "--db", "w.db", "--format", "ndjson", q).stdout.split(separator: "\n").count == 2)
        #expect(try s.run("sql", "--db", "w.db", "--format", "markdown", q).stdout.hasPrefix("| user_id | user_name |"))
        let table = try s.run("sql", "--db", "w.db", "--format", "table", q).stdout
        #expect(table.contains("│ 910111  │ Priya Nair   │"))
        let bad = try s.run("sql", "--db", "w.db", "SELEC 1")
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("SQL error"))
        #expect(bad.stderr.contains("syntax error"))
        let two = try s.run("sql", "--db", "w.db", "SELECT 1 AS a; SELECT 2 AS b")
        #expect(two.stdout == "a\n1\nb\n2\n")
    }

    /// The webhook key from standard input (`-`), out of `ps` and the shell's
    /// history: one line, its line break left off; never printed back, by
    /// `set-webhook-key` or `auth list`.
    @Test func theWebhookKeyComesFromStandardInputAndIsNeverShown() throws {
        let s = try Scratch()
        let key = "whsec-\(UUID().uuidString)"
        let set = try s.run("auth", "set-webhook-key", "-", "--db", "w.db", input: key + "\r\n")
        #expect(set.status == 0, "\(set.stderr)")
        #expect(set.stdout.isEmpty && !set.stderr.contains(key), "\(set.stderr)")
        let stored = try Warehouse.openExisting(path: s.url.appendingPathComponent("w.db").path)
            .db.scalar("SELECT value FROM settings WHERE key = 'webhook_signing_key'")
        #expect(stored == .text(key))
        for format in ["table", "csv", "json"] {
            let list = try s.run("auth", "list", "--db", "w.db", "--format", format)
            #expect(list.status == 0)
            #expect(!list.stdout.contains(key) && !list.stderr.contains(key), "\(list.stdout)\(list.stderr)")
            #expect(list.stderr.contains("webhook signing key: set"))
        }
        // Nothing on standard input is an error, and the key stays as it was.
        let none = try s.run("auth", "set-webhook-key", "-", "--db", "w.db", input: "")
        #expect(none.status != 0)
        #expect(none.stderr.contains("nothing came on standard input"), "\(none.stderr)")
        let blank = try s.run("auth", "set-webhook-key", "-", "--db", "w.db", input: "\n")
        #expect(blank.status != 0 && blank.stderr.contains("blank"), "\(blank.stderr)")
        #expect(try Warehouse.openExisting(path: s.url.appendingPathComponent("w.db").path)
            .db.scalar("SELECT value FROM settings WHERE key = 'webhook_signing_key'") == .text(key))
    }

    /// A warehouse the program creates is its owner's alone (0600), and so are
    /// the files SQLite keeps beside it.
    @Test func aWarehouseTheCommandCreatesIsTheOwnersAlone() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let path = s.url.appendingPathComponent("w.db").path
        #expect(PathInfo(path)?.mode == 0o600)
        let keyed = try s.run("auth", "add-token", "--scope", "read", "--db", "new.db")
        #expect(keyed.status == 0, "\(keyed.stderr)")
        #expect(PathInfo(s.url.appendingPathComponent("new.db").path)?.mode == 0o600)
    }

    @Test func infoAndTheDatabaseLocation() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let info = try s.run("info", env: ["WAREHOUSE_DB": "w.db"])
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stdout.contains("time zone      Asia/Kuala_Lumpur"))
        #expect(info.stdout.range(of: #"conversations\s+540"#, options: .regularExpression) != nil)
        #expect(info.stdout.range(of: #"messages\s+4987\s+\(4835 linked"#, options: .regularExpression) != nil)
        #expect(info.stdout.contains("Rejected rows"))
        #expect(info.stdout.range(of: #"│ fact_message\s+│\s+4987 │"#, options: .regularExpression) != nil)
        #expect(info.stdout.range(of: #"│ dim_time_of_day\s+│\s+24 │"#, options: .regularExpression) != nil)
        let none = try s.run("info", "--db", "nothing.db")
        #expect(none.status != 0)
        #expect(none.stderr.contains("no warehouse at nothing.db"))
        #expect(!FileManager.default.fileExists(atPath: s.url.appendingPathComponent("nothing.db").path))
    }

    @Test func theBinaryWorksWhenCopiedAnywhere() throws {
        let s = try Scratch()
        let copy = s.url.appendingPathComponent("bin/warehouse")
        try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Binary.url, to: copy)
        let users = try s.write("u.csv", "User ID,Email\n1,a@x\n")
        let process = Process()
        process.executableURL = copy
        process.arguments = ["load", "--db", s.url.appendingPathComponent("w.db").path, users]
        process.currentDirectoryURL = URL(fileURLWithPath: "/")
        process.standardOutput = FileHandle.nullDevice
        try ChildProcesses.run(process)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(try s.run("sql", "--db", "w.db", "SELECT count(*) AS n FROM users").stdout == "n\n1\n")
    }

    @Test func outputThatCannotBeWrittenIsAnErrorNotACrash() throws {
        let s = try Scratch()
        let users = try s.write("u.csv", "User ID,Email\n1,a@x\n")
        #expect(try s.run("load", "--db", "w.db", users).status == 0)
        guard let full = FileHandle(forWritingAtPath: "/dev/full") else { return }  // Linux's always-full device
        for arguments in [["sql", "--db", "w.db", "SELECT * FROM users"], ["report", "overview", "--db", "w.db", "--format", "csv"]] {
            let run = try Binary.run(arguments, in: s.url, output: full)
            #expect(run.status == 1, "\(arguments)")
            #expect(run.stderr == "error: cannot write the output: No space left on device\n", "\(arguments)")
        }
    }

    @Test func timeZoneMistakes() throws {
        let s = try Scratch()
        let users = try s.write("u.csv", "User ID,Email\n1,a@x\n")
        let unknown = try s.run("load", "--db", "w.db", "--timezone", "Mars/Base", users)
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown time zone 'Mars/Base'"))
        #expect(try s.run("load", "--db", "w.db", "--timezone", "Europe/Berlin", users).status == 0)
        let change = try s.run("load", "--db", "w.db", "--timezone", "UTC", users)
        #expect(change.status != 0)
        #expect(change.stderr.contains("created with time zone Europe/Berlin"))
    }
}
