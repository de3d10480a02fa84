import Foundation

/// Loads records into the warehouse, whatever their source: an export file
/// (`load(path:)`), or records given as named fields (`load(_:as:)`). Every
/// source takes one path: its kind (recognised from its header, or given),
/// the kind's parsing on a reading thread (`RecordPipeline`), the same
/// rejects (with the source's position: a file's line, a record's index),
/// natural-key upserts, links, summaries and load log, in one transaction per
/// source, through the store it is given (`RecordStore`: the SQLite file's is
/// `SQLiteStore`). A source that fails leaves the warehouse as it was before it.
public final class Loader {
    let store: any RecordStore
    /// The workspace's time zone, in which local times are stored.
    private let zone: String
    /// Called now and then with (bytes read, file size) of the file being loaded.
    public var progress: ((Int, Int) -> Void)?
    /// How many rejects a summary keeps in memory (the table keeps all).
    public var rejectsInSummary = 20
    /// How many rejects of one source's part are stored in `rejected_rows`:
    /// of a file, or of each request in a source that combines several
    /// (`RecordSource.origin`); nil: every one (files loaded by `warehouse
    /// load`). The server stores 1,000 a request, so that a body of a million
    /// bad records cannot fill the disk; the summary counts every reject
    /// (`rejected`) and says how many were stored (`rejectsKept`).
    public var rejectsStored: Int?
    /// The longest record the CSV reader accepts; a longer one fails the file.
    public var maxRecordBytes = CSVReader.defaultMaxRecordBytes
    /// The day/month order of slash dates (`--date-order`); nil: each source's
    /// values decide it, and a source where none does is refused (`SourceSurvey`).
    public var dateOrder: DateOrder?

    /// A loader into the warehouse file.
    public convenience init(warehouse: Warehouse) throws {
        self.init(store: try SQLiteStore(warehouse: warehouse), zone: warehouse.timeZone)
    }

    /// A loader into a PostgreSQL warehouse of time zone `zone`, over `server`
    /// (a connection whose schema holds the warehouse; `WarehousePostgres` opens it).
    /// `nested`: each source loads in a savepoint of a transaction the caller holds
    /// (and has taken `PostgresStore.lock` in), as `warehouse serve`'s groups do.
    /// `distributed`: Citus distributes the warehouse (`PostgresWarehouse.isDistributed`).
    public convenience init(server: any ServerConnection, zone: String, nested: Bool = false, distributed: Bool) throws {
        self.init(store: try PostgresStore(server: server, zone: zone, nested: nested, distributed: distributed), zone: zone)
    }

    /// The statement that takes the lock loads into a PostgreSQL warehouse take turns on,
    /// held to the transaction's end (a caller of a `nested` loader takes it first).
    public static var serverLock: String { PostgresStore.lock }

    /// A loader into `store`, a warehouse of time zone `zone`.
    init(store: any RecordStore, zone: String) {
        self.store = store
        self.zone = zone
    }

    /// Files in the order they load: by file name, then by path.
    public static func loadOrder(_ paths: [String]) -> [String] {
        paths.sorted { a, b in
            let (na, nb) = ((a as NSString).lastPathComponent, (b as NSString).lastPathComponent)
            return na == nb ? a < b : na < nb
        }
    }

    /// Loads each file in its own transaction, in `loadOrder`.
    public func load(paths: [String]) -> [LoadSummary] {
        Self.loadOrder(paths).map { load(path: $0) }
    }

    /// Loads one export file. Errors are in the summary, never thrown: a file
    /// that fails leaves the warehouse as it was before it.
    public func load(path: String) -> LoadSummary {
        load(name: path) { [maxRecordBytes] in
            let source = try CSVFileSource(path: path, maxRecordBytes: maxRecordBytes)
            return (source, nil)
        }
    }

    /// Loads an export file as records of `kind` (nil: recognised from its
    /// header), called `name` in the load log, the rejects and messages (a CSV
    /// request body saved to a file: the request's name, not the file's).
    public func load(path: String, as kind: ExportKind?, name: String) -> LoadSummary {
        load(name: name) { [maxRecordBytes] in
            let source = try CSVFileSource(path: path, maxRecordBytes: maxRecordBytes)
            return (source, kind)
        }
    }

    /// Loads records given as named fields, as one unit (one transaction), as
    /// records of `kind` (nil: recognised from the names they use, as a file's
    /// header is). Rejects carry each record's index.
    /// `each` is told what became of every record, by its position:
    /// inserted, updated, unchanged, or rejected with the reason, and whether
    /// it was kept by its contact and time (`ContactIdentity`).
    public func load(_ records: NamedFieldsSource, as kind: ExportKind? = nil,
                     each: ((Int, RecordOutcome, _ keptByContactAndTime: Bool) -> Void)? = nil) -> LoadSummary {
        load(name: records.name, each: each) {
            // From its first record, also when loaded again (a group run again after a conflict).
            records.rewind()
            return (records, kind)
        }
    }

    // MARK: One source

    private func load(name: String, each: ((Int, RecordOutcome, Bool) -> Void)? = nil,
                      open: () throws -> (any RecordSource, ExportKind?)) -> LoadSummary {
        let started = Date()
        var summary = LoadSummary(path: name)
        do {
            let (source, kind) = try open()
            try load(source, kind: kind, started: started, each: each, into: &summary)
        } catch {
            // Every error names the source (SQLite's own, like a full disk, do not).
            let message: String
            if let failure = error as? CSVReader.Failure {
                message = "\(name):\(failure.line): \(failure.message); nothing of this file was loaded"
            } else {
                message = "\(error)".hasPrefix(name) ? "\(error)" : "\(name): \(error)"
            }
            let cause = (error as? SQLiteError) ?? (error as? StoreFailure)?.cause
            summary.failure = LoadFailure(FailureKind(of: error), message, cause: cause,
                                          isConflict: (error as? any ClassifiedFailure)?.isConflict ?? false)
            // Nothing of the source stayed: neither its records nor its rejects.
            summary.inserted = 0; summary.updated = 0; summary.unchanged = 0
            summary.rejected = 0; summary.rejects = []; summary.rejectsKept = 0
            // The source's transaction is gone; say so in the log.
            store.logFailure(summary, started: started)
        }
        summary.seconds = Date().timeIntervalSince(started)
        return summary
    }

    private func load(_ source: any RecordSource, kind given: ExportKind?, started: Date,
                      each: ((Int, RecordOutcome, Bool) -> Void)?, into summary: inout LoadSummary) throws {
        let header = source.header
        guard let kind = given ?? ExportKind.recognise(header) else {
            throw WarehouseError("\(source.name): not a known export: its header (\(header.names.prefix(6).joined(separator: ", "))\(header.count > 6 ? ", …" : "")) matches no kind. The kinds and their key columns: \(ExportKind.kindList). Nothing of it was loaded.")
        }
        summary.kind = kind
        summary.encoding = source.encoding
        summary.separator = source.separator
        let survey = SourceSurvey(source: source, dateOrder: dateOrder)
        let handler = try kind.definition.handler(kind, header: header, store: store, survey: survey, withoutIDs: source.withoutIDs)
        summary.form = handler.form
        let size = source.progress.total

        var stepStart = Date()
        func step(_ name: String) {
            summary.steps.append(.init(name: name, seconds: Date().timeIntervalSince(stepStart)))
            stepStart = Date()
        }
        // Rejects stored so far, by the name they are stored under (`rejectsStored`).
        var stored: [String: Int] = [:]
        try store.transaction {
            try store.begin(name: summary.fileName, path: summary.path, kind: kind, form: summary.form, started: started,
                            bulkBytes: source.exportBytes)
            let pipeline = RecordPipeline(source: source, zone: try WorkspaceZone(zone), requiresContact: store.requiresContact,
                                          prepare: handler.prepare)
            defer { pipeline.stop() }
            var lastProgress = Date()
            // A store that looks ahead (PostgreSQL) is given the next batch before this one is
            // written; the SQLite store takes each batch as soon as it is read.
            var next = try pipeline.next()
            while let batch = next {
                try store.prepare(batch)
                next = store.looksAhead ? try pipeline.next() : nil
                if let next { try store.lookAhead(next) }
                try batch.forEach(record: { record in
                    let keptBefore = each == nil ? 0 : store.identityCounts.kept
                    let written = try handler.write(record)
                    switch written {
                    case .inserted: summary.inserted += 1
                    case .updated: summary.updated += 1
                    case .unchanged: summary.unchanged += 1
                    }
                    each?(record.line, RecordOutcome(written), store.identityCounts.kept > keptBefore)
                }, reject: { r in
                    summary.rejected += 1
                    if summary.rejects.count < rejectsInSummary {
                        summary.rejects.append(.init(line: r.line, reason: r.reason))
                    }
                    let origin = source.origin(r.line) ?? (summary.fileName, r.line)
                    if rejectsStored.map({ stored[origin.name, default: 0] < $0 }) ?? true {
                        try store.reject(name: origin.name, line: origin.line, reason: r.reason, record: r.text)
                        stored[origin.name, default: 0] += 1
                        summary.rejectsKept += 1
                    }
                    each?(r.line, .rejected(r.reason), false)
                })
                try store.written(batch)
                summary.rowsRead += batch.records.count + batch.rejects.count
                if let progress, Date().timeIntervalSince(lastProgress) > 0.1 {
                    progress(batch.progress, size)
                    lastProgress = Date()
                }
                pipeline.recycle(batch)
                if !store.looksAhead { next = try pipeline.next() }
            }
            step("rows")
            let identities = store.identityCounts
            (summary.damagedIDs, summary.collisions, summary.keptByContactAndTime) = (identities.damagedIDs, identities.collisions, identities.kept)
            (summary.fieldsReadAsWindows1252, summary.firstLineReadAsWindows1252) = source.fieldsReadAsWindows1252
            // The reading thread has finished: what it found is read here.
            summary.timestampForm = survey.timestampForm
            try store.finish(kind, step: step)
            try store.complete(sha256: source.sha256, summary)
        }
        step("commit")
        progress?(size, size)
    }
}

/// What became of one record of a load.
public enum RecordOutcome: Sendable, Equatable {
    case inserted, updated, unchanged
    case rejected(String)

    init(_ written: Written) {
        switch written {
        case .inserted: self = .inserted
        case .updated: self = .updated
        case .unchanged: self = .unchanged
        }
    }
}
