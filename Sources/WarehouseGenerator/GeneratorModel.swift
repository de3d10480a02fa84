/// What the generator's run is made of: the keyed permutation behind its IDs,
/// and the workspace's cast (agents, teams, channels, campaigns, the texts of
/// each culture) and the messages it plans.

/// A keyed permutation of 0..<n: IDs that look random yet never repeat.
/// A four-round Feistel network over the smallest even number of bits that
/// holds n, walked until the value falls below n (cycle walking).
enum IDPermutation {
    static func apply(_ x: UInt64, below n: UInt64, key: UInt64) -> UInt64 {
        var bits = 2
        while (UInt64(1) << UInt64(bits)) < n { bits += 2 }
        let half = UInt64(bits / 2)
        let mask = (UInt64(1) << half) - 1
        var v = x
        repeat {
            var left = v >> half
            var right = v & mask
            for round in UInt64(0)..<4 {
                let f = RandomSource.mix(right ^ (key &+ round &* 0x9E37_79B9_7F4A_7C15)) & mask
                (left, right) = (right, left ^ f)
            }
            v = (left << half) | right
        } while v >= n
        return v
    }
}

/// A support agent (a row of users.csv).
struct Agent {
    let id: Int
    let idText: [UInt8]
    let first: String
    let last: String
    let email: String
    let role: String
    let teams: [Int]
    let weight: Double
}

/// A team and its members, drawn by workload weight.
struct Team {
    let name: String
    let field: [UInt8]
    var members: [Int] = []
    var table = WeightedTable([1])
}

/// A messaging channel (a row of channels.csv).
struct Channel {
    let id: Int
    let idText: [UInt8]
    let name: String
    let type: String
    let share: Double
}

/// A broadcast sent to a share of the contacts at one time.
struct Campaign {
    let time: Int64
    let template: Int32
    let audience: Double
}

/// A culture's names, escaped once for quoted CSV fields.
struct CultureText {
    let culture: Names.Culture
    let firstNames: [[UInt8]]
    let lastNames: [[UInt8]]

    init(_ culture: Names.Culture) {
        self.culture = culture
        firstNames = culture.firstNames.map(CSVText.inner)
        lastNames = culture.lastNames.map(CSVText.inner)
    }
}

/// Who sent a message: the export's `Sender Type`.
enum Sender: UInt8 {
    case contact, user, workflow, bot, aiAgent, echo, api, broadcast

    var text: StaticString {
        switch self {
        case .contact: return "contact"
        case .user: return "user"
        case .workflow: return "workflow"
        case .bot: return "bot"
        case .aiAgent: return "ai_agent"
        case .echo: return "echo"
        case .api: return "api"
        case .broadcast: return "broadcast"
        }
    }
}

/// A message (or a failed send) of one contact, before it gets its ID.
struct PlannedMessage {
    var time: Int64
    /// Order of creation: keeps messages of the same second in their order.
    var order: Int32
    var sender: Sender
    var agent: Int32
    var channel: Int32
    var template: Int32
    var number: UInt32
    /// A failure reason for a failed send (failed_messages.csv); -1 for a message.
    var failure: Int32
}
