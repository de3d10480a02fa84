import Dispatch
import Foundation
import WarehouseCore

/// One report run for the page: a built-in report, with the page's arguments
/// that it takes and any of its own (`--by`, `--group-by`).
struct ReportRun {
    let key: String
    let report: Report
    let arguments: ReportArguments
    /// Rows kept for the page (all are counted); nil: all.
    let keep: Int?

    /// `name`'s run with the page's filters that the report takes.
    init(_ name: String, key: String? = nil, _ page: ReportArguments, by: String? = nil, groupBy: String? = nil, keep: Int? = nil) throws {
        report = try ReportLibrary(directories: []).report(named: name)
        self.key = key ?? name
        var arguments = page.restricted(to: report.parameters)
        (arguments.by, arguments.groupBy) = (by, groupBy)
        self.arguments = arguments
        self.keep = keep
    }
}

/// A report's result as the page uses it: its columns and (kept) rows.
struct ReportResult {
    let run: ReportRun
    let columns: [String]
    let rows: [[SQLValue]]
    /// Rows the report returned, kept or not.
    let total: Int

    func index(_ column: String) -> Int? { columns.firstIndex(of: column) }

    /// The values of `column`, one per row (NULL where the column is missing).
    func values(_ column: String) -> [SQLValue] {
        guard let i = index(column) else { return rows.map { _ in .null } }
        return rows.map { $0[i] }
    }

    func numbers(_ column: String) -> [Double] {
        values(column).map { value in
            switch value {
            case .integer(let v): return Double(v)
            case .real(let v): return v
            default: return 0
            }
        }
    }
}

enum ReportRuns {
    /// Runs every report, on `warehouse` and, where the machine has more than
    /// one core, on a second reading connection to it at the same time (on
    /// SQLite both read the file here; on PostgreSQL the server works for both);
    /// the first error (in the runs' order) is thrown.
    static func results(_ runs: [ReportRun], on warehouse: any ReportStore) throws -> [String: ReportResult] {
        let workers = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount), runs.count)
        let lock = NSLock()
        var next = 0
        var results = [Result<ReportResult, Error>?](repeating: nil, count: runs.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let connection: Result<any ReportStore, Error> = worker == 0 ? .success(warehouse) : Result { try warehouse.reader() }
            while true {
                let index: Int = lock.withLock { defer { next += 1 }; return next }
                guard index < runs.count else { return }
                let result = connection.flatMap { connection in Result { try run(runs[index], on: connection) } }
                lock.withLock { results[index] = result }
            }
        }
        var byKey: [String: ReportResult] = [:]
        for result in results {
            let value = try result!.get()
            byKey[value.run.key] = value
        }
        return byKey
    }

    static func run(_ run: ReportRun, on warehouse: any ReportStore) throws -> ReportResult {
        let (table, total) = try warehouse.run(run.report, run.arguments, keeping: run.keep ?? Int.max)
        // The page reads columns by their names in calendar time: those in business hours are
        // named back (the page's scope says which time its sections count).
        let renamed = Dictionary(uniqueKeysWithValues: run.report.businessHoursColumns.map { (Report.businessHoursName($0), $0) })
        return ReportResult(run: run, columns: table.columns.map { renamed[$0] ?? $0 }, rows: table.rows, total: total)
    }
}
