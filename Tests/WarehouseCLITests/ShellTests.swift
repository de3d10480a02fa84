import Foundation
import Testing
@testable import WarehouseCLI
import WarehouseCore

/// A shell session over the fixture warehouse, with its output captured.
final class ShellHarness {
    let scratch: Scratch
    var out = ""
    var err = ""
    let session: ShellSession

    init(writable: Bool = false) throws {
        scratch = try Scratch()
        let load = try scratch.loadFixtures()
        try #require(load.status == 0)
        let path = scratch.url.appendingPathComponent("w.db").path
        let warehouse = try Warehouse.openExisting(path: path, writable: writable)
        var sink = ""
        var errors = ""
        session = ShellSession(warehouse: warehouse, library: ReportLibrary(), writable: writable,
                               write: { sink += $0 }, writeError: { errors += $0 })
        outBox = { (sink, errors) }
        resetBox = { sink = ""; errors = "" }
    }

    private var outBox: () -> (String, String) = { ("", "") }
    private var resetBox: () -> Void = {}

    /// Feeds lines and returns (output, errors) they produced.
    func type(_ lines: String...) -> (out: String, err: String) {
        resetBox()
        for line in lines { session.handle(line: line) }
        return outBox()
    }
}

@Suite struct ShellTests {
    @Test func statementsEndAtASemicolonOutsideStringsAndComments() {
        #expect(ShellSession.isComplete("SELECT 1;"))
        #expect(!ShellSession.isComplete("SELECT 1"))
        #expect(!ShellSession.isComplete("SELECT ';'"))
        #expect(!ShellSession.isComplete("SELECT 1 -- ;"))
        #expect(ShellSession.isComplete("SELECT 1 -- ;\n;"))
        #expect(!ShellSession.isComplete("CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1;"))
        #expect(ShellSession.isComplete("CREATE TRIGGER t AFTER INSERT ON x BEGIN SELECT 1; END;"))
    }

    @Test func multiLineStatementsAndSeveralOnALine() throws {
        let shell = try ShellHarness()
        shell.session.mode = .csv
        var r = shell.type("SELECT count(*) AS n")
        #expect(r.out.isEmpty && shell.session.isContinuing)
        r = shell.type("FROM fact_conversation;")
        #expect(r.out == "n\n540\n")
        #expect(!shell.session.isContinuing)
        r = shell.type("SELECT 1 AS a; SELECT 'x;y' AS b;")
        #expect(r.out == "a\n1\nb\nx;y\n")
    }

    @Test func dotCommandsAreParsedLikeAShell() throws {
        #expect(try DotCommand.split(".report conversation_list --team \"VIP Care\" --limit 3")
                == [".report", "conversation_list", "--team", "VIP Care", "--limit", "3"])
        #expect(try DotCommand.split(".once 'my file.csv'") == [".once", "my file.csv"])
        #expect(throws: DotCommand.SplitError.self) { try DotCommand.split(".once \"open") }
    }

    @Test func reportsRunWithTheCommandLinesParameters() throws {
        let shell = try ShellHarness()
        shell.session.mode = .csv
        var r = shell.type(".report leaderboard_resolution_time --group-by team --limit 2")
        #expect(r.out.hasPrefix("rank,name,conversations,avg_resolution_seconds"))
        #expect(r.out.split(separator: "\n").count == 3)
        r = shell.type(".report overview --team Support")
        #expect(r.err.contains("report overview does not take --team"))
        r = shell.type(".report overvew")
        #expect(r.err.contains("Did you mean overview?"))
        r = shell.type(".report overview --frm 2025-03-01")
        #expect(r.err.contains("unknown option --frm") && r.err.contains("Did you mean --from?"), "\(r.err)")
        r = shell.type(".reports")
        #expect(r.out.split(separator: "\n").count == 16)
    }

    @Test func modesHeadersTimerAndFiles() throws {
        let shell = try ShellHarness()
        let q = "SELECT user_id, user_name FROM users WHERE user_id = '910111';"
        #expect(shell.type(".mode json", q).out == "[\n  {\"user_id\":\"910111\",\"user_name\":\"Priya Nair\"}\n]\n")
        #expect(shell.type(".mode line", q).out == "  user_id = 910111\nuser_name = Priya Nair\n")
        #expect(shell.type(".mode csv", ".headers off", q).out == "910111,Priya Nair\n")
        #expect(shell.type(".headers on", ".mode markdown", q).out.hasPrefix("| user_id | user_name |"))
        #expect(shell.type(".timer on", ".mode csv", q).out.contains("Run Time: "))
        _ = shell.type(".timer off")
        let file = shell.scratch.url.appendingPathComponent("once.csv").path
        #expect(shell.type(".once \(file)", q).out.isEmpty)
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "user_id,user_name\n910111,Priya Nair\n")
        #expect(shell.type(q).out == "user_id,user_name\n910111,Priya Nair\n")  // .once is for one result
        let all = shell.scratch.url.appendingPathComponent("all.csv").path
        _ = shell.type(".output \(all)", q, q, ".output stdout")
        #expect(try String(contentsOfFile: all, encoding: .utf8).split(separator: "\n").count == 4)
        #expect(shell.type(".mode wide").err.contains("usage: .mode table|csv|json|ndjson|markdown|line"))
    }

    @Test func errorsAreOneClearLineAndTheShellGoesOn() throws {
        let shell = try ShellHarness()
        var r = shell.type("SELECT nope FROM fact_conversation;")
        #expect(r.err == "Error: SQL error: no such column: nope\n  SELECT nope FROM fact_conversation;\n         ^ here\n")
        r = shell.type(".tabels")
        #expect(r.err == "Error: unknown command .tabels. Did you mean .tables? .help lists them.\n")
        r = shell.type("DELETE FROM fact_conversation;")
        #expect(r.err.contains("read-only: start the shell with --write"))
        shell.session.mode = .csv
        #expect(shell.type("SELECT count(*) AS n FROM fact_conversation;").out == "n\n540\n")
        #expect(shell.session.errorCount == 3)
    }

    @Test func tablesSchemaAndRead() throws {
        let shell = try ShellHarness()
        #expect(shell.type(".tables dim_").out.contains("dim_channel"))
        #expect(shell.type(".schema dim_team").out.hasPrefix("CREATE TABLE dim_team"))
        #expect(shell.type(".schema nothing").err.contains("no table or view named nothing"))
        let script = try shell.scratch.write("s.sql", ".mode csv\nSELECT 1\n  + 1 AS a;\n")
        #expect(shell.type(".read \(script)").out == "a\n2\n")
    }

    @Test func completionOffersWhatMayComeNext() throws {
        let shell = try ShellHarness()
        let s = shell.session
        #expect(s.completions(before: "", word: ".re") == [".read", ".report", ".reports"])
        #expect(s.completions(before: ".report ", word: "leader") == ["leaderboard_first_response_time", "leaderboard_resolution_time"])
        #expect(s.completions(before: ".report overview ", word: "--") == ["--business-hours", "--from", "--help", "--to", "--tz"])
        #expect(s.completions(before: ".report conversations_opened_vs_closed --by ", word: "w") == ["week"])
        #expect(s.completions(before: ".mode ", word: "") == ["csv", "json", "line", "markdown", "ndjson", "table"])
        #expect(s.completions(before: "SELECT * FROM ", word: "fact_m") == ["fact_message"])
        #expect(s.completions(before: "SELECT ", word: "resolution_s").contains("resolution_seconds"))
        #expect(s.completions(before: "", word: "sel") == ["select"])
        #expect(s.completions(before: "", word: "SEL") == ["SELECT"])
        #expect(s.completions(before: "SELECT * FROM ", word: "leaderboard_r") == ["leaderboard_resolution_time"])
    }

    @Test func aScriptOnStandardInputRunsWithoutPromptsAndFailsWhenAStatementFails() throws {
        let s = try Scratch()
        #expect(try s.loadFixtures().status == 0)
        let good = try s.run("shell", "--db", "w.db", input: ".mode csv\nSELECT count(*) AS n\nFROM fact_message;\n.report overview\n")
        #expect(good.status == 0)
        #expect(good.stdout.hasPrefix("n\n4987\nkpi,value,previous_value,change_pct\nconversations_opened,540,,\n"))
        #expect(!good.stdout.contains("warehouse>"))
        let bad = try s.run("shell", "--db", "w.db", input: ".mode csv\nSELEC 1;\nSELECT 2 AS b;\n")
        #expect(bad.status == 1)
        #expect(bad.stdout == "b\n2\n")
        #expect(bad.stderr.contains("syntax error"))
        // `warehouse` alone is the shell.
        let alone = try s.run("--db", "w.db", input: ".mode csv\nSELECT 3 AS c;")
        #expect(alone.stdout == "c\n3\n")
        // Read-only unless --write.
        #expect(try s.run("shell", "--db", "w.db", input: "DELETE FROM fact_message;").status == 1)
        let write = try s.run("shell", "--db", "w.db", "--write", input: "DELETE FROM fact_failed_message;\n.mode csv\nSELECT count(*) AS n FROM fact_failed_message;\n")
        #expect(write.stdout == "n\n0\n")
    }
}
