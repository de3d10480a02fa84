import Foundation
import Testing

extension Tag {
    /// A suite that takes long or starts many processes (fuzzing, kills and
    /// resource faults, the browser, the server as a process, spreadsheet
    /// round trips through the binary). `Scripts/test --quick` (or
    /// `WAREHOUSE_QUICK_TESTS=1 swift test`) leaves them out; `Scripts/test`
    /// runs everything.
    @Tag public static var slow: Self
}

/// Whether this run leaves out the suites tagged `slow`.
public enum TestRun {
    public static let quick = ProcessInfo.processInfo.environment["WAREHOUSE_QUICK_TESTS"].map { !$0.isEmpty && $0 != "0" } ?? false
    public static let slowComment: Comment = "a slow suite, left out by WAREHOUSE_QUICK_TESTS (Scripts/test --quick)"
}
