import Foundation
import Testing
import TestSupport

/// The generated reference pages are what `Scripts/docs` would write now: docs/commands.md
/// from the built binary's `--help`, docs/report-table.md from the headers of Queries/*.sql;
/// and every relative link of README.md and docs/*.md names a file (and heading) that exists.
struct DocsTests {
    @Test func generatedPagesAreCurrentAndLinksResolve() throws {
        let script = Repository.root.appendingPathComponent("Scripts/docs")
        let run = try Binary.run(["--check", "--binary", Repository.binary.path], in: Repository.root, command: [script.path])
        #expect(run.status == 0, "Scripts/docs --check (run Scripts/docs to write the pages again):\n\(run.stderr)\(run.stdout)")
    }
}
