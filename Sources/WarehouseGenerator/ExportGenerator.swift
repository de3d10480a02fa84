import Foundation
import WarehouseCore

/// What to generate: how many contacts over which days, in which time zone,
/// from which seed. The same options always give byte-identical files.
public struct GeneratorOptions: Sendable, Equatable {
    public var contacts: Int
    public var days: Int
    /// The first local day, `YYYY-MM-DD`.
    public var startDate: String
    /// The workspace time zone (IANA name): every timestamp is wall time there.
    public var timeZone: String
    public var seed: UInt64

    public init(contacts: Int = 1000, days: Int = 365, startDate: String = "2025-01-01", timeZone: String = "UTC", seed: UInt64 = 1) {
        self.contacts = contacts
        self.days = days
        self.startDate = startDate
        self.timeZone = timeZone
        self.seed = seed
    }

    /// The largest number of contacts: contact, conversation and message IDs are
    /// made unique by construction up to it.
    public static let maxContacts = 999_999
    public static let maxDays = 3660
}

/// One file written by the generator.
public struct GeneratedFile: Sendable {
    public let name: String
    public let path: String
    /// Data rows (the header not counted).
    public let rows: Int
    public let bytes: Int64
}

/// Writes a realistic set of respond.io export files (SPEC §1 formats):
/// `users.csv`, `channels.csv`, `contacts.csv`, `conversations.csv` (current
/// 30-column form), `messages.csv` and `failed_messages.csv`.
///
/// The data model, in short:
/// - Agents (20–60 by size) in five teams, some in two, a few in none; 5–7 channels.
/// - Each contact has a propensity to write in; its conversations are spread over
///   the period, busiest on weekdays 9–18 local and quieter at night and on
///   weekends, one after another (a contact's conversations never overlap).
///   Only conversations resolved before the period's end get a row; one still
///   open at the end leaves its messages with no conversation.
/// - First responses are mostly seconds to minutes, hours for a share of them
///   (busy periods, nights); resolutions have a median of about 2 h and a tail of
///   days. All the duration columns are computed from the same instants as the
///   timestamps, and the message counts from the messages written, except for a
///   few conversations whose outgoing count is one higher (an incomplete messages
///   export).
/// - Broadcast campaigns reach a share of the contacts, outside their conversations.
///
/// Instants are drawn in UTC and written as wall time in the time zone (a wall
/// time in a repeated hour is written as it reads; loading takes the earlier
/// instant, as for real exports).
///
/// Contacts are generated one at a time, each from its own random stream, and
/// their rows written at once; conversations, messages and failed messages are
/// written in time order (resolved time; message time, which message IDs follow)
/// through a bucketed spool, so memory stays bounded whatever the size. Files
/// are UTF-8 without a BOM, with CRLF record ends.
public final class ExportGenerator {
    public static let fileNames = ["users.csv", "channels.csv", "contacts.csv", "conversations.csv", "messages.csv", "failed_messages.csv"]

    static let conversationColumns = [
        "Conversation ID", "DateTime Conversation Started", "DateTime Conversation Resolved", "Contact ID", "Assignee",
        "Number of Outgoing Messages", "Number of Incoming Messages", "DateTime First Response", "Conversation Category",
        "Closing Note Summary", "Closed By", "First Response Time", "Resolution Time", "First Assignee", "Closed By Source",
        "Closed By Team", "Opened By Source", "Opened By Channel", "First Assignment Timestamp", "First Response By",
        "Last Assignment Timestamp", "Last Assignee", "Time to First Assignment", "First Assignment to First Response Time",
        "Last Assignment to Response Time", "First Assignment to Close Time", "Last Assignment to Close Time",
        "Average Response Time", "Number of Assignments", "Number of Responses",
    ]
    static let messageColumns = [
        "Date & Time", "Sender ID", "Sender Type", "Contact ID", "Message ID", "Content Type", "Message Type", "Content",
        "Channel ID", "Type", "Sub Type",
    ]
    static let contactColumns = [
        "ContactID", "FirstName", "LastName", "PhoneNumber", "Email", "Country", "Language", "Tags", "Status", "Lifecycle",
        "Assignee", "LastInteractionTime", "DateTimeCreated", "Channels", "Customer Tier", "Order Number",
    ]
    static let userColumns = ["User ID", "First Name", "Last Name", "Email", "Role", "Team"]
    static let channelColumns = ["Channel ID", "Channel Name", "Channel Type"]
    static let failedMessageColumns = ["Date & Time", "Message ID", "Contact ID", "Channel ID", "Sender Type", "Sender ID", "Failure Reason"]

    public let options: GeneratorOptions
    let zone: WorkspaceZone
    /// The first local day (days since 1970-01-01).
    let startDay: Int
    /// The period in UTC: [periodStart, periodEnd).
    let periodStart: Int64
    let periodEnd: Int64

    /// Validates the options; nothing is written yet.
    public init(options: GeneratorOptions) throws {
        guard (1...GeneratorOptions.maxContacts).contains(options.contacts) else {
            throw GeneratorError.invalid("--contacts must be between 1 and \(GeneratorOptions.maxContacts)")
        }
        guard (1...GeneratorOptions.maxDays).contains(options.days) else {
            throw GeneratorError.invalid("--days must be between 1 and \(GeneratorOptions.maxDays)")
        }
        guard let day = Self.parseDate(options.startDate) else {
            throw GeneratorError.invalid("--start must be a date YYYY-MM-DD between 2000-01-01 and 2199-12-31, not '\(options.startDate)'")
        }
        self.options = options
        zone = try WorkspaceZone(options.timeZone)
        startDay = day
        periodStart = Self.instant(zone, wall: Int64(day) * 86400)
        periodEnd = Self.instant(zone, wall: Int64(day + options.days) * 86400)
    }

    static func parseDate(_ text: String) -> Int? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (2000...2199).contains(y), (1...12).contains(m), (1...CivilTime.daysInMonth(year: y, month: m)).contains(d)
        else { return nil }
        return CivilTime.days(year: y, month: m, day: d)
    }

    /// The UTC instant of a wall time; one in a gap (clocks moved forward) moves
    /// an hour later, past the gap.
    static func instant(_ zone: WorkspaceZone, wall: Int64) -> Int64 {
        switch zone.utc(wallTime: wall) {
        case .instant(let t): return t
        case .nonexistent:
            if case .instant(let t) = zone.utc(wallTime: wall + 3600) { return t }
            return wall - zone.offset(atUTC: wall)
        }
    }

    /// Writes the six files into `directory` (created if missing), replacing
    /// files of the same names.
    public func write(to directory: String) throws -> [GeneratedFile] {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let run = try GeneratorRun(generator: self, directory: directory)
        return try run.generate()
    }
}

/// The people, channels and campaigns shared by every contact, and the state of
/// one generation into one directory.
final class GeneratorRun {
    let options: GeneratorOptions
    let directory: String
    let zone: WorkspaceZone
    let periodStart: Int64
    let periodEnd: Int64
    let startDay: Int
    let seed: UInt64

    // Shared cast.
    var agents: [Agent] = []
    var teams: [Team] = []
    var outboundAgents: [Int] = []
    var teamShares = WeightedTable([1])
    var vipTeam = 0
    var anyTeamAgent = WeightedTable([1])
    var teamAgentIndex: [Int] = []
    var channels: [Channel] = []
    var channelTable = WeightedTable([1])
    var campaigns: [Campaign] = []
    let templates = TemplateCatalog()
    let cultures: [CultureText]
    let cultureTable: WeightedTable
    let hourTable: WeightedTable
    let categoryTable: WeightedTable
    let categories: [(name: [UInt8], team: Int)]
    let closingNotes: [[UInt8]]
    let failureReasons: [[UInt8]]
    /// Mean conversations per contact over the period.
    let meanConversations: Double

    // Outputs.
    let contactsFile: ExportFile
    let conversationSpool: TimeOrderedSpool
    let messageSpool: TimeOrderedSpool
    let failedSpool: TimeOrderedSpool
    var scratch = ByteWriter(capacity: 4096)

    // Per-contact working state, reused.
    var contactMessages: [PlannedMessage] = []
    var conversationMessages: [PlannedMessage] = []
    var intervals: [(start: Int64, end: Int64)] = []
    var times: [Int64] = []
    var conversationCount = 0
    var nextOrder: Int32 = 0

    init(generator: ExportGenerator, directory: String) throws {
        options = generator.options
        self.directory = directory
        zone = generator.zone
        periodStart = generator.periodStart
        periodEnd = generator.periodEnd
        startDay = generator.startDay
        seed = options.seed
        cultures = Names.cultures.map(CultureText.init)
        cultureTable = WeightedTable(Names.cultures.map(\.weight))
        hourTable = WeightedTable([0.25, 0.15, 0.1, 0.1, 0.1, 0.15, 0.3, 0.7, 1.6, 3.2, 4.2, 4.5,
                                   4.0, 4.2, 4.5, 4.4, 4.1, 3.6, 2.8, 2.2, 1.9, 1.5, 1.0, 0.5])
        categoryTable = WeightedTable([25, 15, 12, 12, 8, 10, 8, 10])
        let teamNames = Names.teams.map(\.0)
        categories = Names.categories.map { (CSVText.field($0.0), teamNames.firstIndex(of: $0.1) ?? 0) }
        closingNotes = Names.closingNotes.map(CSVText.field)
        failureReasons = Names.failureReasons.map(CSVText.field)
        // About 3 conversations per contact a year, so that the default 365 days
        // give about 300,000 conversations and 3 million messages for 100,000 contacts.
        meanConversations = 3.0 * Double(options.days) / 365
        contactsFile = try ExportFile(path: directory + "/contacts.csv")
        conversationSpool = try TimeOrderedSpool(scratchPath: directory + "/.conversations.csv.spool", from: periodStart, to: periodEnd, memoryBudget: 24 << 20)
        messageSpool = try TimeOrderedSpool(scratchPath: directory + "/.messages.csv.spool", from: periodStart, to: periodEnd, memoryBudget: 64 << 20)
        failedSpool = try TimeOrderedSpool(scratchPath: directory + "/.failed_messages.csv.spool", from: periodStart, to: periodEnd, memoryBudget: 4 << 20)
    }

    func generate() throws -> [GeneratedFile] {
        var setup = RandomSource(seed: seed, stream: 0)
        makeTeamsAndAgents(&setup)
        makeChannels(&setup)
        var campaignRandom = RandomSource(seed: seed, stream: 1)
        makeCampaigns(&campaignRandom)

        var files: [GeneratedFile] = []
        files.append(try writeUsers())
        files.append(try writeChannels())

        try contactsFile.header(ExportGenerator.contactColumns)
        for index in 0..<options.contacts {
            try generateContact(index)
        }
        try contactsFile.close()
        files.append(GeneratedFile(name: "contacts.csv", path: contactsFile.path, rows: contactsFile.rows, bytes: contactsFile.bytesWritten))

        for (name, columns, spool) in [("conversations.csv", ExportGenerator.conversationColumns, conversationSpool),
                                       ("messages.csv", ExportGenerator.messageColumns, messageSpool),
                                       ("failed_messages.csv", ExportGenerator.failedMessageColumns, failedSpool)] {
            let file = try ExportFile(path: directory + "/" + name)
            try file.header(columns)
            try spool.drain(into: file)
            try file.close()
            files.append(GeneratedFile(name: name, path: file.path, rows: file.rows, bytes: file.bytesWritten))
        }
        return files
    }

    // MARK: - The cast

    func makeTeamsAndAgents(_ random: inout RandomSource) {
        teams = Names.teams.map { Team(name: $0.0, field: CSVText.field($0.0)) }
        let count = min(60, 20 + Int(Double(options.contacts).squareRoot() / 8))
        var names = Names.agents
        for i in stride(from: names.count - 1, to: 0, by: -1) {
            names.swapAt(i, random.below(i + 1))
        }
        var ids = Set<Int>()
        let withoutTeam = max(2, count / 15)
        teamShares = WeightedTable(Names.teams.map(\.1))
        vipTeam = teams.firstIndex { $0.name == "VIP Care" } ?? 0
        for i in 0..<count {
            var id = 0
            repeat { id = random.between(1_000_000, 9_999_999) } while !ids.insert(id).inserted
            let (first, last) = names[i]
            var agentTeams: [Int] = []
            var role = "Agent"
            if i < withoutTeam {
                role = i == 0 ? "Owner" : "Manager"
            } else {
                // Every team has a member: the first agents take one team each.
                let main = i - withoutTeam < teams.count ? i - withoutTeam : teamShares.draw(&random)
                agentTeams = [main]
                if random.chance(0.15) {
                    var second = teamShares.draw(&random)
                    if second == main { second = (main + 1) % teams.count }
                    agentTeams.append(second)
                }
                if random.chance(0.08) { role = "Manager" }
            }
            let email = Names.emailPart(first) + "." + Names.emailPart(last) + "@acme-support.example"
            agents.append(Agent(id: id, idText: Array(String(id).utf8), first: first, last: last, email: email, role: role,
                                teams: agentTeams, weight: random.logNormal(median: 1, sigma: 0.5)))
        }
        for t in teams.indices {
            let members = agents.indices.filter { agents[$0].teams.contains(t) }
            teams[t].members = members
            teams[t].table = WeightedTable(members.map { agents[$0].weight })
        }
        teamAgentIndex = agents.indices.filter { !agents[$0].teams.isEmpty }
        anyTeamAgent = WeightedTable(teamAgentIndex.map { agents[$0].weight })
        // Agent-opened conversations come mostly from a few (sales) agents.
        let sales = teams.firstIndex { $0.name == "Sales" } ?? 0
        outboundAgents = Array(teams[sales].members.prefix(3))
        if outboundAgents.count < 3 {
            outboundAgents += teamAgentIndex.filter { !outboundAgents.contains($0) }.prefix(3 - outboundAgents.count)
        }
    }

    func makeChannels(_ random: inout RandomSource) {
        let count = 5 + random.below(3)
        var ids = Set<Int>()
        for (name, type, share) in Names.channels.prefix(count) {
            var id = 0
            repeat { id = random.between(100_000, 999_999) } while !ids.insert(id).inserted
            channels.append(Channel(id: id, idText: Array(String(id).utf8), name: name, type: type, share: share))
        }
        channelTable = WeightedTable(channels.map(\.share))
    }

    func makeCampaigns(_ random: inout RandomSource) {
        let count = max(1, Int((Double(options.days) * 40 / 365).rounded()))
        for _ in 0..<count {
            var day = random.below(options.days)
            var tries = 0
            while tries < 8 && isWeekend(startDay + day) {
                day = random.below(options.days)
                tries += 1
            }
            let hour = random.pick([10, 10, 14, 19])
            let wall = Int64(startDay + day) * 86400 + Int64(hour * 3600 + random.pick([0, 1800]))
            campaigns.append(Campaign(time: ExportGenerator.instant(zone, wall: wall),
                                      template: random.pick(templates.broadcast),
                                      audience: 0.03 + 0.05 * random.unit()))
        }
    }

    func writeUsers() throws -> GeneratedFile {
        let file = try ExportFile(path: directory + "/users.csv")
        try file.header(ExportGenerator.userColumns)
        for a in agents {
            file.buffer.append(a.idText)
            file.buffer.comma(); file.buffer.field(a.first)
            file.buffer.comma(); file.buffer.field(a.last)
            file.buffer.comma(); file.buffer.field(a.email)
            file.buffer.comma(); file.buffer.field(a.role)
            file.buffer.comma(); file.buffer.field(a.teams.map { teams[$0].name }.joined(separator: ";"))
            file.buffer.endRecord()
            try file.recordDone()
        }
        try file.close()
        return GeneratedFile(name: "users.csv", path: file.path, rows: file.rows, bytes: file.bytesWritten)
    }

    func writeChannels() throws -> GeneratedFile {
        let file = try ExportFile(path: directory + "/channels.csv")
        try file.header(ExportGenerator.channelColumns)
        for c in channels {
            file.buffer.append(c.idText)
            file.buffer.comma(); file.buffer.field(c.name)
            file.buffer.comma(); file.buffer.field(c.type)
            file.buffer.endRecord()
            try file.recordDone()
        }
        try file.close()
        return GeneratedFile(name: "channels.csv", path: file.path, rows: file.rows, bytes: file.bytesWritten)
    }

    // MARK: - Time

    @inline(__always)
    func wall(_ t: Int64) -> Int64 { zone.wallTime(utc: t) }

    func isWeekend(_ day: Int) -> Bool { CivilTime.weekday(days: day) >= 6 }

    /// A conversation start: a day (weekends less likely), an hour by the
    /// day's curve, a second within it, as local wall time turned into UTC.
    func sampleStart(_ random: inout RandomSource) -> Int64 {
        var day = random.below(options.days)
        var tries = 0
        while tries < 8 && isWeekend(startDay + day) && !random.chance(0.45) {
            day = random.below(options.days)
            tries += 1
        }
        let hour = hourTable.draw(&random)
        let wallTime = Int64(startDay + day) * 86400 + Int64(hour * 3600 + random.below(3600))
        return ExportGenerator.instant(zone, wall: wallTime)
    }

    /// The next 09:00 local on a weekday after the instant `t`.
    func nextOpening(after t: Int64) -> Int64 {
        let local = wall(t)
        var day = CivilTime.dayNumber(seconds: local)
        if local - Int64(day) * 86400 >= 9 * 3600 { day += 1 }
        while isWeekend(day) { day += 1 }
        return ExportGenerator.instant(zone, wall: Int64(day) * 86400 + 9 * 3600)
    }

    // MARK: - IDs

    /// 9-digit contact IDs, distinct for distinct indexes.
    func contactID(_ index: Int) -> UInt64 {
        100_000_000 + IDPermutation.apply(UInt64(index), below: 900_000_000, key: seed)
    }

    /// 17–19-digit conversation IDs: a random head and a tail that is a
    /// permutation of the conversation's index (below 10⁸), so they never repeat.
    func conversationID(_ index: Int, _ random: inout RandomSource) -> UInt64 {
        let head = UInt64(random.between64(100_000_000, 92_000_000_000))
        return head * 100_000_000 + IDPermutation.apply(UInt64(index), below: 100_000_000, key: seed &+ 1)
    }

    /// 19-digit message IDs that follow time: the UTC second times 10⁹ plus a
    /// permutation of (contact, sequence number within the contact modulo 1000).
    func messageID(time: Int64, contact: Int, sequence: Int) -> UInt64 {
        let x = UInt64(contact) * 1000 + UInt64(sequence % 1000)
        return UInt64(time) * 1_000_000_000 + IDPermutation.apply(x, below: 1_000_000_000, key: seed &+ 2)
    }
}
