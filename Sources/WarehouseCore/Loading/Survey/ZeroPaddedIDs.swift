/// Whether a key column's IDs were cut by a spreadsheet: Excel keeps 15
/// significant digits, so a 19-digit Conversation ID comes back with zeros
/// after its 15th digit (`7638301234567890000`). One value cannot tell (an
/// intact 17-digit ID ends in `00` one time in a hundred); a column can: it
/// is zero-padded when every one of its IDs of 16 or more digits has only
/// zeros after the 15th (shorter IDs survive a spreadsheet whole and say
/// nothing), and either there are at least `enoughAlone` such IDs or the
/// source shows another sign of a spreadsheet (`SpreadsheetSigns`).
enum ZeroPaddedIDs {
    /// How many different zero-padded IDs make a column cut on their own: the
    /// chance that 5 intact IDs all end in zeros is below one in 10^10.
    static let enoughAlone = 5

    enum Verdict: Equatable {
        /// Blank, 15 digits or fewer, or in scientific notation (`7.6383E+18`,
        /// damaged in its own way): says nothing about the column.
        case tellsNothing
        /// 16 or more digits, only zeros after the 15th (a trailing `.0` aside).
        case zeroPadded
        /// Any other value: the column was not cut.
        case intact
    }

    static func verdict(_ raw: UnsafeBufferPointer<UInt8>) -> Verdict {
        let f = FieldParsing.withoutPointZero(FieldParsing.trimmed(raw))
        if f.isEmpty || isScientific(f) { return .tellsNothing }
        guard f.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return .intact }
        // Up to 15 digits survive a spreadsheet whole: they say nothing of the others.
        guard f.count >= 16 else { return .tellsNothing }
        return f[15...].allSatisfy { $0 == 48 } ? .zeroPadded : .intact
    }

    /// `7.6383E+18`, `6.95968e12`: a digit, optional decimals, `E`, an optional sign, digits.
    static func isScientific(_ f: UnsafeBufferPointer<UInt8>) -> Bool {
        func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
        var i = 0
        guard i < f.count, isDigit(f[i]) else { return false }
        i += 1
        if i < f.count, f[i] == UInt8(ascii: ".") || f[i] == UInt8(ascii: ",") {
            i += 1
            while i < f.count, isDigit(f[i]) { i += 1 }
        }
        guard i < f.count, f[i] | 0x20 == UInt8(ascii: "e") else { return false }
        i += 1
        if i < f.count, f[i] == UInt8(ascii: "+") || f[i] == UInt8(ascii: "-") { i += 1 }
        guard i < f.count else { return false }
        return f[i...].allSatisfy(isDigit)
    }

    /// One column's answer as its values are seen.
    struct Tally {
        let name: String
        let position: Int
        private(set) var ruledOut = false
        /// The different zero-padded IDs seen, up to `enoughAlone`.
        private var padded: Set<[UInt8]> = []

        init(name: String, position: Int) { (self.name, self.position) = (name, position) }

        mutating func see(_ value: UnsafeBufferPointer<UInt8>) {
            switch ZeroPaddedIDs.verdict(value) {
            case .tellsNothing: break
            case .zeroPadded:
                if padded.count < ZeroPaddedIDs.enoughAlone { padded.insert(Array(FieldParsing.withoutPointZero(FieldParsing.trimmed(value)))) }
            case .intact: ruledOut = true
            }
        }

        /// Every value seen was cut, and at least one was there to say so.
        var isZeroPadded: Bool { !padded.isEmpty && !ruledOut }
        /// Cut, with enough IDs to say so without another sign of a spreadsheet.
        var isZeroPaddedAlone: Bool { isZeroPadded && padded.count >= ZeroPaddedIDs.enoughAlone }
    }
}
