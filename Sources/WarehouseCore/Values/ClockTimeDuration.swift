extension FieldParsing {
    /// A duration under 24 hours that a spreadsheet took for a time of day and
    /// wrote back on a 12-hour clock (SPEC 1, "Exports after a spreadsheet"):
    /// `12:01:37 AM` is 97 seconds, `05:05:49 PM` and `5:05:49 PM` are 17:05:49.
    ///
    /// LibreOffice Calc with US English settings reads `00:01:37` as a time and
    /// saves it as `12:01:37 AM`: the hour has two digits (`02:39:30 AM`) and the
    /// seconds are always there. Excel writes the hour with one digit, so one or
    /// two are accepted. The hour is 1 to 12 (`12` AM is hour 0, `12` PM hour
    /// 12), minutes and seconds have two digits and are under 60, and the
    /// seconds are required: a value without them would have lost them, and
    /// plain durations need them too. `AM`/`PM` in either case, after optional
    /// spaces. Longer durations (`86:07:38`) are written as they were and are
    /// not read here.
    ///
    /// A separate function from `duration` (which falls back to it) so that a
    /// value in this form can be told apart: it says the file went through a
    /// spreadsheet. Nil when the trimmed field is not in this form.
    public static func clockTimeDuration(_ raw: UnsafeBufferPointer<UInt8>) -> Int64? {
        let f = trimmed(raw)
        // `H:MM:SS` or `HH:MM:SS`, then the meridiem.
        let hourDigits = f.count > 1 && f[1] == UInt8(ascii: ":") ? 1 : 2
        guard let hour = digits(f, 0, hourDigits), (1...12).contains(hour),
              f.count > hourDigits, f[hourDigits] == UInt8(ascii: ":"),
              let minute = digits(f, hourDigits + 1, 2), minute < 60,
              f.count > hourDigits + 3, f[hourDigits + 3] == UInt8(ascii: ":"),
              let second = digits(f, hourDigits + 4, 2), second < 60
        else { return nil }
        var i = hourDigits + 6
        while i < f.count && isSpace(f[i]) { i += 1 }
        guard i + 2 == f.count, f[i + 1] | 0x20 == UInt8(ascii: "m") else { return nil }
        let pm: Bool
        switch f[i] | 0x20 {
        case UInt8(ascii: "a"): pm = false
        case UInt8(ascii: "p"): pm = true
        default: return nil
        }
        let hours = hour % 12 + (pm ? 12 : 0)
        return Int64(hours * 3600 + minute * 60 + second)
    }
}
