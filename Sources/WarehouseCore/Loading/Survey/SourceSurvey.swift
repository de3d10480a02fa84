/// What a source's values say about the whole source where one record cannot
/// tell, decided before the records that depend on it are read: the day/month
/// order of its slash dates (`26/03/2025` or `3/26/2025`), and which key
/// columns hold IDs a spreadsheet cut to 15 digits (`zeroPaddedIDColumns`:
/// at least 5 of them, or fewer in a source that shows another sign of a
/// spreadsheet; never in records sent live).
///
/// A native export pays nothing: the first record is looked at once (its key
/// IDs, its timestamps), and only when it leaves a question open (a key ID of
/// 16+ digits ending in zeros, a slash date) does a `SurveyPass` read the source
/// again from the start through a second opening. A slash date met later in a
/// source whose first record had none asks for the order then. The order is
/// never guessed: the first value that reads one way only decides it (a first
/// part over 12 is a day, a second part over 12 is a day); a source where none
/// does is refused, naming `--date-order`; a later value that reads only the
/// other way refuses the source, naming both lines. `--date-order` overrides
/// all of it: a value that is no date in the order given rejects its row.
///
/// Used on the reading thread only; the loader reads `timestampForm` once the
/// reading thread has finished.
final class SourceSurvey {
    /// The order the user gave (`--date-order`); nil to decide it from the values.
    let given: DateOrder?
    private let source: any RecordSource
    private var timestamps: [Int] = []
    private var ids: [(name: String, position: Int)] = []
    private var signs = SpreadsheetSigns(ids: [], timestamps: [], durations: [])
    private var begun = false
    private var orderAsked = false
    /// The value that decided the order, when the values did.
    private(set) var witness: SurveyPass.Witness?
    /// Normalised header names of the key columns whose every ID has 16+ digits
    /// and only zeros after the 15th: IDs a spreadsheet cut, which cannot tell
    /// two records apart.
    private(set) var zeroPaddedIDColumns: Set<String> = []
    /// How many times the source was read again (0 for a native export).
    private(set) var passes = 0
    private var forms = TimestampForms()

    init(source: any RecordSource, dateOrder: DateOrder?) {
        self.source = source
        given = dateOrder
    }

    /// The header positions of the kind's timestamp columns, of the key
    /// columns asked about (with their normalised names), and of every ID and
    /// people column and every duration column (where a spreadsheet leaves its signs).
    func watch(timestamps: [Int], ids: [(name: String, position: Int)], idColumns: [Int], durations: [Int]) {
        self.timestamps = timestamps
        self.ids = ids
        signs = SpreadsheetSigns(ids: idColumns, timestamps: timestamps, durations: durations)
    }

    /// The order slash dates are read in: given, or decided by the values.
    var order: DateOrder? { given ?? witness?.order }

    /// Looks at the first well-formed record before it is read; surveys the
    /// source when it leaves a question open.
    func begin(_ first: RecordFields) throws {
        guard !begun else { return }
        begun = true
        // Only a first ID that looks cut asks about its column: a native file pays nothing.
        // Records sent live were typed by a program: zeros there are the ID's own.
        let openIDs = source.isLive ? [] : ids.filter { ZeroPaddedIDs.verdict(first.field($0.position)) == .zeroPadded }
        let needsOrder = given == nil && timestamps.contains { position in
            let f = FieldParsing.trimmed(first.field(position))
            return !f.isEmpty && FieldParsing.timestamp(f) == nil && SpreadsheetTimestamp.read(f)?.needsOrder == true
        }
        if !openIDs.isEmpty || needsOrder { try survey(order: needsOrder, ids: openIDs) }
    }

    /// The order to read `t` (a slash date, `value` as written) in; surveys the
    /// source when it is not decided yet. Throws, refusing the source, when
    /// nothing decides or when `t` reads only the other way than the decision.
    func order(for t: SpreadsheetTimestamp, value: UnsafeBufferPointer<UInt8>) throws -> DateOrder {
        if let given { return given }
        if !orderAsked { try survey(order: true, ids: []) }
        guard let witness else { throw WarehouseError("\(source.name): cannot tell the day from the month in its dates") }
        if let evidence = t.orderEvidence, evidence != witness.order {
            throw WarehouseError("\(source.name): its dates contradict each other: line \(witness.line) reads only \(witness.order.name) ('\(witness.value)'), "
                + "line \(source.position) only \(evidence.name) ('\(String(decoding: value, as: UTF8.self))'). "
                + "Correct the file, or say which order holds with --date-order dmy|mdy (the dates that are no date in it are then rejected). Nothing of it was loaded.")
        }
        return witness.order
    }

    /// Notes how a value not in the export's form was written, for `timestampForm`.
    func saw(_ t: SpreadsheetTimestamp) { forms.see(t) }

    /// How the source's timestamps were written, when not in the export's own
    /// form (`LoadSummary.timestampForm`); nil for a native export.
    var timestampForm: String? {
        let why = given != nil ? "as --date-order says"
            : witness.map { "as '\($0.value)' on line \($0.line) shows" } ?? ""
        return forms.description(order: order, why: why)
    }

    private func survey(order: Bool, ids: [(name: String, position: Int)]) throws {
        if order { orderAsked = true }
        guard let again = try source.reopened() else {
            if order { throw undecided(example: nil) }
            return
        }
        passes += 1
        let findings = try SurveyPass(timestamps: timestamps, order: order, ids: ids, signs: signs).run(again)
        zeroPaddedIDColumns.formUnion(findings.zeroPaddedIDColumns)
        if order {
            witness = findings.witness
            if witness == nil { throw undecided(example: findings.firstAmbiguous) }
        }
    }

    private func undecided(example: (line: Int, value: String)?) -> WarehouseError {
        var text = "\(source.name): cannot tell the day from the month in its dates"
        if let example {
            text += ": every one reads either way, like '\(example.value)' on line \(example.line)"
        }
        text += ". Say which with --date-order dmy (day first, 03/04 is 3 April) or --date-order mdy (month first, 03/04 is March 4). Nothing of it was loaded."
        return WarehouseError(text)
    }
}
