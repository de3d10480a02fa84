import Dispatch
import Foundation
import WarehouseCore
import WarehousePostgres

extension ShellSession {
    /// The statements of one input on PostgreSQL, in one transaction, as `warehouse sql`
    /// runs them there: read-only unless --write (then all of them stay, or none).
    /// Each one's rows print as it ends.
    func runSQL(_ sql: String, on warehouse: PostgresWarehouse) {
        var shown = 0
        do {
            var names: [String] = []
            var rows: [[SQLValue]] = []
            try PostgresCancel.onInterrupt(of: warehouse) {
                try warehouse.runScript(sql, write: writable, columns: { names = $0; rows = [] }, row: { rows.append($0) }, ended: {
                    if shown > 0 && mode == .table { emit("\n") }
                    emit(render(ResultTable(columns: names, rows: rows)))
                    shown += 1
                })
            }
        } catch let PostgresFailure.statement(error) {
            if error.isCancelled {
                fail("interrupted")
            } else if !writable && error.isReadOnlyRefusal {
                fail("the warehouse is open read-only: start the shell with --write to change it (\(error.message))")
            } else {
                fail("SQL error: \(error)")
            }
        } catch {
            fail("\(error)")
        }
    }
}

/// Ctrl-C while a statement runs on PostgreSQL. SQLite's statement is stopped from
/// the signal handler itself (`sqlite3_interrupt`); a PostgreSQL statement runs on
/// the server, which stops it when asked on another connection
/// (`pg_cancel_backend`), and the statement then fails with SQLSTATE 57014. A
/// signal handler may not connect anywhere, so a timer watches the handler's flag
/// while the statement runs and asks from its own thread.
enum PostgresCancel {
    /// How often the flag is looked at: a Ctrl-C is acted on within this.
    static let interval = DispatchTimeInterval.milliseconds(50)

    static func onInterrupt<T>(of warehouse: PostgresWarehouse, _ body: () throws -> T) throws -> T {
        guard let pid = try warehouse.session.scalar("SELECT pg_backend_pid()")?.int64 else { return try body() }
        let location = warehouse.location
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue.global())
        var asked = false
        timer.setEventHandler {
            guard !asked, ShellSignals.interrupted != 0 else { return }
            asked = true
            guard let other = try? BlockingPostgresSession(connectingTo: location) else { return }
            _ = try? other.query("SELECT pg_cancel_backend($1::integer)", [.integer(pid)])
            other.close()
        }
        timer.schedule(deadline: .now() + interval, repeating: interval)
        timer.resume()
        defer { timer.cancel() }
        return try body()
    }
}
