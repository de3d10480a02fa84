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
    /// one core, on a second reading connection to its file at the same time;
    /// the first error (in the runs' order) is thrown.
    static func results(_ runs: [ReportRun], on warehouse: Warehouse) throws -> [String: ReportResult] {
        let workers = min(2, max(1, ProcessInfo.processInfo.activeProcessorCount), runs.count)
        let lock = NSLock()
        var next = 0
        var results = [Result<ReportResult, Error>?](repeating: nil, count: runs.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let connection: Result<Warehouse, Error> = worker == 0 ? .success(warehouse)
                : Result { try Warehouse.openExisting(path: warehouse.path) }
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

    static func run(_ run: ReportRun, on warehouse: Warehouse) throws -> ReportResult {
        var columns: [String] = []
        var rows: [[SQLValue]] = []
        var total = 0
        // The page reads columns by their names in calendar time: those in business hours are
        // named back (the page's scope says which time its sections count).
        let renamed = Dictionary(uniqueKeysWithValues: run.report.businessHoursColumns.map { (Report.businessHoursName($0), $0) })
        try warehouse.run(run.report, run.arguments, columns: { columns = $0.map { renamed[$0] ?? $0 } }, resultRow: { row in
            if total < run.keep ?? Int.max { rows.append(row.values) }
            total += 1
        })
        return ReportResult(run: run, columns: columns, rows: rows, total: total)
    }
}
