/// Whether a key column's IDs were cut by a spreadsheet: Excel keeps 15
/// significant digits, so a 19-digit Conversation ID comes back with zeros
/// after its 15th digit (`7638301234567890000`). One value cannot tell (an
/// intact ID may end in zeros too); a column can: it is zero-padded when every
/// one of its IDs of 16 or more digits has only zeros after the 15th (shorter
/// IDs survive a spreadsheet whole and say nothing).
enum ZeroPaddedIDs {
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
        private var seenPadded = false

        init(name: String, position: Int) { (self.name, self.position) = (name, position) }

        mutating func see(_ value: UnsafeBufferPointer<UInt8>) {
            switch ZeroPaddedIDs.verdict(value) {
            case .tellsNothing: break
            case .zeroPadded: seenPadded = true
            case .intact: ruledOut = true
            }
        }

        /// Every value seen was cut (and at least one was there to say so).
        var isZeroPadded: Bool { seenPadded && !ruledOut }
    }
}
