/// How a source's timestamps were written when they were not in the export's
/// own form, gathered from the values read (only those that needed a
/// spreadsheet form: a native file adds nothing), for the load summary:
/// "dates day-first (DD/MM/YYYY, as '26/03/2025 12:16' on line 4 shows), no seconds".
struct TimestampForms {
    /// The date layouts seen, in the order first seen.
    private(set) var layouts: [SpreadsheetTimestamp.Layout] = []
    private var unpadded = false, withSeconds = false, withoutSeconds = false, twelveHour = false

    mutating func see(_ t: SpreadsheetTimestamp) {
        if !layouts.contains(t.layout) { layouts.append(t.layout) }
        guard t.layout != .serial else { return }
        if !t.padded { unpadded = true }
        if t.hasSeconds { withSeconds = true } else { withoutSeconds = true }
        if t.twelveHour { twelveHour = true }
    }

    /// One phrase, or nil when every timestamp was in the export's own form.
    /// `order` is the order slash dates were read in, and `why` what decided it.
    func description(order: DateOrder?, why: String) -> String? {
        guard !layouts.isEmpty else { return nil }
        var parts: [String] = []
        for layout in layouts {
            let (d, m) = unpadded ? ("D", "M") : ("DD", "MM")
            switch layout {
            case .slash:
                guard let order else { continue }
                let pattern = order == .dmy ? "\(d)/\(m)/YYYY" : "\(m)/\(d)/YYYY"
                parts.append("dates \(order.name) (\(pattern), \(why))")
            case .dayFirst(let separator):
                let s = String(UnicodeScalar(separator))
                parts.append("dates day-first (\(d)\(s)\(m)\(s)YYYY)")
            case .yearFirst(let separator):
                let s = String(UnicodeScalar(separator))
                parts.append("dates year-first (YYYY\(s)\(m)\(s)\(d))")
            case .serial:
                parts.append("timestamps as spreadsheet serial numbers")
            }
        }
        var time: [String] = []
        if withoutSeconds { time.append(withSeconds ? "some without seconds" : "no seconds") }
        if twelveHour { time.append("12-hour clock") }
        return (parts + time).joined(separator: ", ")
    }
}
