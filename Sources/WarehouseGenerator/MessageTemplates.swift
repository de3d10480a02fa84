/// A message `Content` value as written in messages.csv, already quoted and
/// escaped, in pieces between which a per-message number goes (`{n}` in the
/// text), with its `Content Type` and `Sub Type`.
struct MessageTemplate {
    let parts: [[UInt8]]
    let contentType: [UInt8]
    let subType: [UInt8]

    /// Writes the field, with `number` in each gap.
    @inline(__always)
    func write(_ out: inout ByteWriter, number: UInt32) {
        out.append(parts[0])
        var i = 1
        while i < parts.count {
            out.number(UInt64(number))
            out.append(parts[i])
            i += 1
        }
    }
}

/// Every message template, and the pools (indexes into `all`) each kind of
/// sender draws from.
final class TemplateCatalog {
    private(set) var all: [MessageTemplate] = []
    private(set) var contactEnglish: [Int32] = []
    private(set) var contactByLanguage: [String: [Int32]] = [:]
    private(set) var contactPlain: [Int32] = []
    private(set) var contactAttachments: [Int32] = []
    private(set) var agentEnglish: [Int32] = []
    private(set) var agentByLanguage: [String: [Int32]] = [:]
    private(set) var agentAttachments: [Int32] = []
    private(set) var workflow: [Int32] = []
    private(set) var workflowClosing: [Int32] = []
    private(set) var bot: [Int32] = []
    private(set) var api: [Int32] = []
    private(set) var echo: [Int32] = []
    private(set) var broadcast: [Int32] = []

    init() {
        // Contacts' line breaks stay raw inside the JSON (the field then spans
        // lines); the platform's own texts escape them as \n.
        contactEnglish = Names.contactEnglish.map { add(json: $0, keepNewlines: true) }
        for (language, texts) in Names.contactByLanguage {
            contactByLanguage[language] = texts.map { add(json: $0, keepNewlines: true) }
        }
        contactPlain = Names.contactPlain.map { add(plain: $0) }
        contactAttachments = Names.contactAttachments.map { add(attachment: $0.0, url: $0.1, fileName: $0.2) }
        agentEnglish = Names.agentEnglish.map { add(json: $0, keepNewlines: false) }
        for (language, texts) in Names.agentByLanguage {
            agentByLanguage[language] = texts.map { add(json: $0, keepNewlines: false) }
        }
        agentAttachments = Names.agentAttachments.map { add(attachment: $0.0, url: $0.1, fileName: $0.2) }
        workflow = Names.workflowTexts.map { add(json: $0, keepNewlines: true) }
        workflowClosing = Names.workflowClosing.map { add(json: $0, keepNewlines: false) }
        bot = Names.botTexts.map { add(json: $0, keepNewlines: false) }
        api = Names.apiTexts.map { add(json: $0, keepNewlines: false) }
        echo = Names.echoTexts.map { add(json: $0, keepNewlines: false) }
        broadcast = Names.broadcastTexts.map { add(json: $0, keepNewlines: false) }
    }

    @inline(__always)
    subscript(_ index: Int32) -> MessageTemplate { all[Int(index)] }

    private func add(_ field: [UInt8], contentType: String, subType: String) -> Int32 {
        all.append(MessageTemplate(parts: Self.split(field), contentType: Array(contentType.utf8), subType: Array(subType.utf8)))
        return Int32(all.count - 1)
    }

    /// `{"type":"text","text":"…"}`.
    private func add(json text: String, keepNewlines: Bool) -> Int32 {
        let json = #"{"type":"text","text":""# + CSVText.jsonEscaped(text, keepNewlines: keepNewlines) + #""}"#
        return add(CSVText.field(json), contentType: "text", subType: "text")
    }

    /// Content that is not JSON, as some channels export it.
    private func add(plain text: String) -> Int32 {
        add(CSVText.field(text), contentType: "text", subType: "text")
    }

    /// `{"type":"attachment","attachment":{"type":…,"url":…,"fileName":…}}`.
    private func add(attachment kind: String, url: String, fileName: String) -> Int32 {
        let json = #"{"type":"attachment","attachment":{"type":""# + kind + #"","url":""# + CSVText.jsonEscaped(url, keepNewlines: false)
            + #"","fileName":""# + CSVText.jsonEscaped(fileName, keepNewlines: false) + #""}}"#
        return add(CSVText.field(json), contentType: "attachment", subType: kind)
    }

    /// The field's bytes cut at each `{n}`.
    static func split(_ field: [UInt8]) -> [[UInt8]] {
        let marker = Array("{n}".utf8)
        var parts: [[UInt8]] = []
        var current: [UInt8] = []
        var i = 0
        while i < field.count {
            if i + marker.count <= field.count && Array(field[i..<(i + marker.count)]) == marker {
                parts.append(current)
                current = []
                i += marker.count
            } else {
                current.append(field[i])
                i += 1
            }
        }
        parts.append(current)
        return parts
    }
}
