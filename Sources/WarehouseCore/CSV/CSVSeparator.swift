/// The field separator of an export, found from its header line: a spreadsheet
/// saves `;` where the decimal mark is a comma (European Excel) and tabs as
/// "Unicode Text", and the header is the one line whose fields are known to be
/// plain names.
extension CSVReader {
    /// The separators a file may use, in the order a tie between them is decided.
    public static let separators: [UInt8] = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t")]

    /// The separator of the file that starts with `text` (its UTF-8 bytes):
    /// each of `,`, `;` and tab is counted outside quotes up to the first line
    /// break outside quotes, and the most frequent wins (a tie, in the order of
    /// `separators`); a comma when there is none.
    public static func separator<Bytes: Sequence>(inHeaderOf text: Bytes) -> UInt8 where Bytes.Element == UInt8 {
        var counts = [0, 0, 0]
        var quoted = false
        for byte in text {
            if byte == UInt8(ascii: "\"") { quoted.toggle(); continue }
            if quoted { continue }
            if byte == UInt8(ascii: "\n") { break }
            if let i = separators.firstIndex(of: byte) { counts[i] += 1 }
        }
        var best = 0
        for i in 1..<counts.count where counts[i] > counts[best] { best = i }
        return separators[best]
    }

    /// How a summary names a separator other than the comma: "`;`", "tab"; nil for the comma.
    public static func describe(separator: UInt8) -> String? {
        switch separator {
        case UInt8(ascii: ","): nil
        case UInt8(ascii: "\t"): "tab"
        default: "`\(Character(Unicode.Scalar(separator)))`"
        }
    }
}
