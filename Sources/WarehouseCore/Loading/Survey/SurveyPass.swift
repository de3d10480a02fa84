/// One reading of a source from its first record (through a second opening
/// of it, `RecordSource.reopened`), answering what single records cannot: which
/// day/month order its dates are in, and which key columns hold IDs a
/// spreadsheet cut (and whether it shows another sign of a spreadsheet). It keeps no record, so memory stays bounded whatever the
/// source's size, and stops as soon as every question it was asked is answered.
struct SurveyPass {
    /// A value that can be read in one order only, and so decides the file's.
    struct Witness: Equatable {
        let order: DateOrder
        /// The source's position of its record (a file's line).
        let line: Int
        let value: String
    }

    struct Findings {
        /// The first value that decides the order; nil when none does (or the order was not asked).
        var witness: Witness?
        /// The first date that reads either way, for the message that asks for `--date-order`.
        var firstAmbiguous: (line: Int, value: String)?
        /// Normalised header names of the key columns whose every ID was cut to
        /// 15 digits, with enough such IDs or another sign of a spreadsheet.
        var zeroPaddedIDColumns: Set<String> = []
        /// The first sign of a spreadsheet met (`SpreadsheetSigns`), when IDs were asked about.
        var sign: String?
        /// Records read before every question was answered.
        var recordsRead = 0
    }

    /// Header positions of the timestamp columns the order is read from.
    let timestamps: [Int]
    /// Whether the day/month order is asked.
    let order: Bool
    /// The key columns asked about (normalised name, header position).
    let ids: [(name: String, position: Int)]
    /// Where to look for a sign of a spreadsheet, which makes a few IDs ending in zeros enough.
    let signs: SpreadsheetSigns

    func run(_ source: any RecordSource) throws -> Findings {
        var findings = Findings()
        var tallies = ids.map { ZeroPaddedIDs.Tally(name: $0.name, position: $0.position) }
        if !ids.isEmpty { findings.sign = SpreadsheetSigns.ofSource(source) }
        var orderOpen = order
        while orderOpen || tallies.contains(where: { !$0.ruledOut }), try source.next() {
            // A record that is not well formed is rejected by the load: it says nothing.
            guard source.malformation == nil else { continue }
            findings.recordsRead += 1
            let fields = source.fields
            for i in tallies.indices where !tallies[i].ruledOut { tallies[i].see(fields.field(tallies[i].position)) }
            if findings.sign == nil, tallies.contains(where: { !$0.ruledOut }) {
                findings.sign = signs.of(fields, line: source.position)
            }
            guard orderOpen else { continue }
            for position in timestamps {
                let f = FieldParsing.trimmed(fields.field(position))
                guard !f.isEmpty, FieldParsing.timestamp(f) == nil,
                      let t = SpreadsheetTimestamp.read(f), t.needsOrder else { continue }
                if let order = t.orderEvidence {
                    findings.witness = Witness(order: order, line: source.position, value: String(decoding: f, as: UTF8.self))
                    orderOpen = false
                    break
                }
                if findings.firstAmbiguous == nil {
                    findings.firstAmbiguous = (source.position, String(decoding: f, as: UTF8.self))
                }
            }
        }
        let sign = findings.sign
        findings.zeroPaddedIDColumns = Set(tallies.filter { $0.isZeroPaddedAlone || ($0.isZeroPadded && sign != nil) }.map(\.name))
        return findings
    }
}
