import NIOCore
import PostgresNIO
import WarehouseCore

extension PostgresSession {
    /// Runs one statement and hands over its column names (none for a statement that
    /// returns no rows, as a `CREATE`), then each row as it arrives: a long result is
    /// never held whole, and the server waits while `row` works (postgres-nio reads
    /// the socket only as the rows are taken).
    public func stream(_ sql: String, _ arguments: [SQLValue] = [],
                       columns: ([String]) throws -> Void, row: ([SQLValue]) throws -> Void) async throws {
        guard !connection.isClosed else {
            throw PostgresFailure.connectionDropped(server: location.server, database: location.database, reason: "the server closed it")
        }
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: try Self.bindings(arguments)), logger: Self.logger)
            try columns(rows.columns.map(\.name))
            for try await next in rows {
                try row(next.map(PostgresValues.value))
            }
        } catch let error as WarehouseError {
            throw error
        } catch {
            throw failure(error, statement: sql)
        }
    }

    /// `COPY table (columns) FROM STDIN` in text format: `write` is given a function
    /// that sends the bytes of whole rows (`CopyText` encodes them) and returns when
    /// the server has room for more.
    public func copy(into table: String, columns: [String],
                     _ write: (_ send: (ByteBuffer) async throws -> Void) async throws -> Void) async throws {
        let statement = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN"
        do {
            try await connection.copyFrom(table: table, columns: columns, logger: Self.logger) { writer in
                try await write { try await writer.write($0) }
            }
        } catch let error as WarehouseError {
            throw error
        } catch {
            throw failure(error, statement: statement)
        }
    }
}

/// Rows in the text format of `COPY … FROM STDIN`: columns separated by tabs, a row
/// ended by a newline, NULL as `\N`, and a backslash, tab, newline or carriage return
/// in a value escaped with a backslash.
public struct CopyText {
    public private(set) var buffer: ByteBuffer

    public init(capacity: Int = 1 << 20) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    public var count: Int { buffer.readableBytes }

    public mutating func append(_ row: [SQLValue]) {
        for (i, value) in row.enumerated() {
            if i > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
            switch value {
            case .null: buffer.writeStaticString("\\N")
            case .integer(let v): buffer.writeString(String(v))
            case .real(let v): buffer.writeString(v.isFinite ? "\(v)" : (v.isNaN ? "NaN" : (v > 0 ? "Infinity" : "-Infinity")))
            case .text(let s): appendEscaped(s.utf8)
            case .blob(let bytes):
                // bytea in hex, its backslash escaped for COPY.
                buffer.writeStaticString("\\\\x")
                for byte in bytes { buffer.writeString(String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)) }
            }
        }
        buffer.writeInteger(UInt8(ascii: "\n"))
    }

    private mutating func appendEscaped<S: Sequence>(_ bytes: S) where S.Element == UInt8 {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    /// Hands the rows over and starts again empty.
    public mutating func take() -> ByteBuffer {
        defer { buffer.clear() }
        return buffer
    }
}
