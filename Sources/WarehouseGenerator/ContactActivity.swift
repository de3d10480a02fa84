import Foundation
import WarehouseCore

/// What stays the same across one contact's conversations.
struct ContactProfile {
    let id: UInt64
    let contactTexts: [Int32]
    let agentTexts: [Int32]
    let primaryChannel: Int
    let secondaryChannel: Int
    let vip: Bool
}

/// How one conversation ended, as far as the contact's row needs it.
struct ConversationOutcome {
    let end: Int64
    let open: Bool
    let assignee: Int
}

extension GeneratorRun {
    // MARK: - A contact

    /// Generates one contact: its conversations and their messages, broadcasts it
    /// received, failed sends, and its row of contacts.csv.
    func generateContact(_ index: Int) throws {
        var random = RandomSource(seed: seed, stream: UInt64(index) + 16)
        let id = contactID(index)
        let culture = cultures[cultureTable.draw(&random)]
        let firstName = random.pick(culture.firstNames)
        let lastName = random.chance(culture.culture.blankLastName) ? [] : random.pick(culture.lastNames)
        let country = random.chance(0.9) ? random.pick(culture.culture.countries) : ""
        let language = random.chance(0.85) ? culture.culture.language : "en"
        let phone = random.chance(0.8) ? random.between(10_000_000, 99_999_999) : -1
        let emailDomain = random.chance(0.45) ? random.pick(Names.emailDomains) : ""
        let vip = random.chance(0.07)
        let repeatBuyer = random.chance(0.2)
        let newsletter = random.chance(0.25)
        let lifecycle = random.pick(Names.lifecycles)
        let tier = random.chance(0.55) ? random.pick(Names.tiers) : ""
        let orderNumber = random.chance(0.4) ? random.between(10_000, 99_999) : -1
        let primary = channelTable.draw(&random)
        var secondary = -1
        if channels.count > 1 && random.chance(0.15) {
            secondary = channelTable.draw(&random)
            if secondary == primary { secondary = (primary + 1) % channels.count }
        }
        let profile = ContactProfile(
            id: id,
            contactTexts: templates.contactByLanguage[language] ?? [],
            agentTexts: templates.agentByLanguage[language] ?? [],
            primaryChannel: primary, secondaryChannel: secondary, vip: vip)

        // Conversations: a propensity per contact (log-normal with mean 1) times
        // the mean, then starts spread over the period.
        let activity = random.logNormal(median: 1, sigma: 0.8) / exp(0.32)
        let count = min(60, random.poisson(meanConversations * activity))
        times.removeAll(keepingCapacity: true)
        for _ in 0..<count { times.append(sampleStart(&random)) }
        times.sort()
        let starts = times

        contactMessages.removeAll(keepingCapacity: true)
        intervals.removeAll(keepingCapacity: true)
        nextOrder = 0
        var previousEnd = Int64.min
        var assignee = -1
        var open = false
        for sampled in starts {
            var start = sampled
            if previousEnd != Int64.min && start < previousEnd + 60 {
                // Back after the previous conversation: a while later.
                start = previousEnd + 60 + Int64(random.logNormal(median: 5400, sigma: 1.5))
            }
            if start >= periodEnd { break }
            let outcome = try conversation(start: start, profile, &random)
            previousEnd = outcome.end
            if outcome.assignee >= 0 { assignee = outcome.assignee }
            if outcome.open {
                open = true
                break
            }
        }

        // New contacts are created as they first write in; the others before the period.
        let created: Int64
        if let first = intervals.first, random.chance(0.6) {
            created = first.start - Int64(random.below(600))
        } else if intervals.isEmpty && random.chance(0.3) {
            created = random.between64(periodStart, periodEnd - 1)
        } else {
            created = periodStart - random.between64(3600, 3 * 365 * 86_400)
        }

        // Broadcasts, never inside one of the contact's conversations.
        for campaign in campaigns {
            guard random.chance(campaign.audience * (newsletter ? 2.5 : 0.7)) else { continue }
            let t = campaign.time + Int64(random.below(900))
            guard t >= created, t < periodEnd, !intervals.contains(where: { $0.start <= t && t <= $0.end }) else { continue }
            contactMessages.append(planned(t, .broadcast, channel: primary, template: campaign.template, &random))
            if random.chance(0.005) {
                var failed = planned(t, .broadcast, channel: primary, template: campaign.template, &random)
                failed.failure = Int32(1 + random.below(failureReasons.count - 1))
                contactMessages.append(failed)
            }
        }

        contactMessages.sort { ($0.time, $0.order) < ($1.time, $1.order) }
        var lastInteraction: Int64 = -1
        for (sequence, m) in contactMessages.enumerated() {
            try writeMessage(m, profile: profile, id: messageID(time: m.time, contact: index, sequence: sequence))
            if m.failure < 0 { lastInteraction = m.time }
        }

        // The contact's row: every field quoted, as the platform writes it
        // (appended to the file's buffer, moved out and back).
        var out = contactsFile.buffer
        contactsFile.buffer = ByteWriter()
        func quotedField(_ body: (inout ByteWriter) -> Void, last: Bool = false) {
            out.byte(UInt8(ascii: "\""))
            body(&out)
            out.byte(UInt8(ascii: "\""))
            if !last { out.comma() }
        }
        quotedField { $0.number(id) }
        quotedField { $0.append(firstName) }
        quotedField { $0.append(lastName) }
        quotedField { if phone >= 0 { $0.append(Array(culture.culture.phonePrefix.utf8)); $0.number(phone) } }
        quotedField {
            if !emailDomain.isEmpty {
                $0.ascii("c")
                let local = id % 1_000_000
                $0.twoDigits(Int(local / 10_000)); $0.twoDigits(Int(local / 100 % 100)); $0.twoDigits(Int(local % 100))
                $0.ascii("@")
                $0.append(Array(emailDomain.utf8))
            }
        }
        quotedField { $0.append(Array(country.utf8)) }
        quotedField { $0.append(Array(language.utf8)) }
        quotedField {
            var tags: [String] = []
            if vip { tags.append("vip") }
            if repeatBuyer { tags.append("repeat buyer") }
            if newsletter { tags.append("newsletter") }
            $0.append(Array(tags.joined(separator: ",").utf8))
        }
        quotedField { if open { $0.ascii("open") } else { $0.ascii("closed") } }
        quotedField { $0.append(Array(lifecycle.utf8)) }
        quotedField { if assignee >= 0 { $0.append(agents[assignee].idText) } }
        quotedField { if lastInteraction >= 0 { $0.wallTime(wall(lastInteraction)) } }
        quotedField { $0.wallTime(wall(created)) }
        quotedField {
            $0.append(channels[primary].idText)
            if secondary >= 0 { $0.comma(); $0.append(channels[secondary].idText) }
        }
        quotedField { $0.append(Array(tier.utf8)) }
        quotedField({
            if orderNumber >= 0 {
                $0.ascii("SO-")
                $0.number(CivilTime.date(days: startDay).year)
                $0.ascii("-")
                $0.number(orderNumber)
            }
        }, last: true)
        out.endRecord()
        contactsFile.buffer = out
        try contactsFile.recordDone()
    }

    // MARK: - A conversation

    /// Plans one conversation starting at `s`: its people, instants and
    /// messages. A conversation resolved before the period's end is written to
    /// conversations.csv; one still open keeps only its messages so far.
    func conversation(start s: Int64, _ p: ContactProfile, _ r: inout RandomSource) throws -> ConversationOutcome {
        let channel = p.secondaryChannel >= 0 && r.chance(0.2) ? p.secondaryChannel : p.primaryChannel
        let category = r.chance(0.2) ? -1 : categoryTable.draw(&r)
        let team: Int
        if p.vip && r.chance(0.6) {
            team = vipTeam
        } else if category >= 0 && r.chance(0.8) {
            team = categories[category].team
        } else {
            team = teamShares.draw(&r)
        }
        let roll = r.unit()
        let openedBy: Sender = roll < 0.85 ? .contact : (roll < 0.93 ? .user : .workflow)
        let noResponse = openedBy != .user && r.chance(0.03)

        // Assignment and first response.
        var firstAssignee = -1
        var fa = s
        var fr: Int64 = -1
        if openedBy == .user {
            firstAssignee = r.chance(0.75) ? r.pick(outboundAgents) : agent(in: team, &r)
            fr = s
        } else {
            if !noResponse || r.chance(0.4) {
                firstAssignee = agent(in: team, &r)
                fa = s + min(86_400, Int64(r.logNormal(median: 6, sigma: 1.6)))
            }
            if !noResponse {
                let local = wall(s)
                let day = CivilTime.dayNumber(seconds: local)
                let hour = Int(local - Int64(day) * 86400) / 3600
                if (hour < 8 || hour >= 20 || isWeekend(day)) && r.chance(0.4) {
                    // Written in out of hours: answered when the team is back.
                    fr = nextOpening(after: s) + Int64(r.logNormal(median: 600, sigma: 1.0))
                } else if r.chance(0.12) {
                    fr = s + max(3, Int64(r.logNormal(median: 1800, sigma: 1.2)))
                } else {
                    fr = s + max(3, Int64(r.logNormal(median: 70, sigma: 1.1)))
                }
                fa = min(fa, fr)
            }
        }

        // Resolution: median about 1.5 h, a tail of days; unanswered ones are
        // closed by a workflow after a day.
        var end = s + min(21 * 86_400, max(90, Int64(r.logNormal(median: 5400, sigma: 1.45))))
        if noResponse { end = s + 86_400 + Int64(r.below(7200)) }
        if fr >= 0 { end = max(end, fr + 30 + Int64(r.logNormal(median: 600, sigma: 1.2))) }

        // Reassignments.
        var assignments = 0
        var la = fa
        var lastAssignee = firstAssignee
        if firstAssignee >= 0 {
            let v = r.unit()
            assignments = v < 0.8 ? 1 : (v < 0.95 ? 2 : 3)
            if assignments > 1 {
                la = fa + Int64(Double(end - fa) * (0.1 + 0.6 * r.unit()))
                let otherTeam = r.chance(0.3) ? teamShares.draw(&r) : team
                lastAssignee = agent(in: otherTeam, &r)
                if lastAssignee == firstAssignee { lastAssignee = agent(in: otherTeam, &r) }
            }
        }
        func responder(_ t: Int64) -> Int { assignments > 1 && t >= la ? lastAssignee : firstAssignee }

        // Messages.
        conversationMessages.removeAll(keepingCapacity: true)
        func add(_ t: Int64, _ sender: Sender, agent: Int = -1, template: Int32) {
            conversationMessages.append(planned(t, sender, agent: agent, channel: channel, template: template, &r))
        }
        let target = noResponse ? 1 + r.below(3) : min(150, max(2, Int(r.logNormal(median: 8, sigma: 0.55).rounded())))
        switch openedBy {
        case .user:
            add(s, .user, agent: firstAssignee, template: agentTemplate(p, &r))
        case .workflow:
            add(s, .workflow, template: r.pick(templates.workflow))
            let room = (fr >= 0 ? fr : end) - s - 1
            if room >= 1 { add(s + r.between64(1, min(room, 900)), .contact, template: contactTemplate(p, &r)) }
        default:
            add(s, .contact, template: contactTemplate(p, &r))
        }
        if noResponse {
            while conversationMessages.count < target {
                add(s + r.between64(1, (end - s) / 3), .contact, template: contactTemplate(p, &r))
            }
            if r.chance(0.7) { add(end, .workflow, template: r.pick(templates.workflowClosing)) }
        } else {
            if openedBy == .contact && fr - s > 8 && r.chance(0.3) {
                let sender = r.pick([Sender.workflow, .bot, .aiAgent])
                add(s + r.between64(1, 3), sender, template: r.pick(sender == .workflow ? templates.workflow : templates.bot))
            }
            if openedBy != .user {
                if fr - s > 2 {
                    for _ in 0..<r.below(3) { add(s + r.between64(1, fr - s - 1), .contact, template: contactTemplate(p, &r)) }
                }
                add(fr, .user, agent: responder(fr), template: agentTemplate(p, &r))
            }
            // The rest of the exchange, denser early on.
            times.removeAll(keepingCapacity: true)
            for _ in 0..<max(0, target - conversationMessages.count) {
                times.append(fr + 1 + Int64(Double(end - fr - 1) * pow(r.unit(), 1.5)))
            }
            times.sort()
            var contactTurn = true
            for t in times {
                if contactTurn {
                    add(t, .contact, template: contactTemplate(p, &r))
                } else {
                    let u = r.unit()
                    if u < 0.93 {
                        add(t, .user, agent: responder(t), template: agentTemplate(p, &r))
                    } else if u < 0.96 {
                        add(t, .echo, template: r.pick(templates.echo))
                    } else if u < 0.98 {
                        add(t, .api, template: r.pick(templates.api))
                    } else {
                        add(t, .workflow, template: r.pick(templates.workflow))
                    }
                }
                if r.chance(0.65) { contactTurn.toggle() }
            }
            if r.chance(0.15) { add(end, .workflow, template: r.pick(templates.workflowClosing)) }
        }
        conversationMessages.sort { ($0.time, $0.order) < ($1.time, $1.order) }

        if end >= periodEnd {
            // Still open when the export was taken: messages so far, no row.
            for m in conversationMessages where m.time < periodEnd { contactMessages.append(m) }
            intervals.append((s, Int64.max))
            return ConversationOutcome(end: end, open: true, assignee: lastAssignee)
        }
        intervals.append((s, end))

        // Counts and response times from the messages themselves.
        var incoming = 0
        var outgoing = 0
        var responses = 0
        var responseSum: Int64 = 0
        var pending: Int64 = -1
        var lastAssignmentResponse: Int64 = -1
        for m in conversationMessages {
            contactMessages.append(m)
            if m.sender == .contact {
                incoming += 1
                if pending < 0 { pending = m.time }
                continue
            }
            outgoing += 1
            if m.sender == .user {
                if pending >= 0 {
                    responses += 1
                    responseSum += m.time - pending
                    pending = -1
                }
                if lastAssignmentResponse < 0 && m.time >= la { lastAssignmentResponse = m.time - la }
            }
            if (m.sender == .user || m.sender == .api) && r.chance(0.005) {
                var failed = m
                failed.order = nextOrder
                nextOrder += 1
                failed.failure = r.chance(0.7) ? 0 : Int32(r.below(failureReasons.count))
                contactMessages.append(failed)
            }
        }
        // A few conversations count a message the messages export lacks.
        if r.chance(0.004) { outgoing += 1 }

        // Who closed it, and for which team.
        var closer = -1
        if firstAssignee >= 0 && r.chance(noResponse ? 0.5 : 0.9) {
            let v = r.unit()
            closer = v < 0.9 ? lastAssignee : (v < 0.97 ? agent(in: team, &r) : r.below(agents.count))
        }
        func teamOf(_ a: Int) -> Int {
            let ts = agents[a].teams
            return ts.isEmpty ? -1 : (ts.contains(team) ? team : ts[0])
        }
        let closedTeam = closer >= 0 ? teamOf(closer) : (lastAssignee >= 0 ? teamOf(lastAssignee) : -1)
        let note = r.chance(0.45) ? r.below(closingNotes.count) : -1

        let conversationIndex = conversationCount
        conversationCount += 1
        let cid = conversationID(conversationIndex, &r)
        let assigned = firstAssignee >= 0
        // The row is built in the scratch buffer, moved out and back so that it
        // is never copied.
        var o = scratch
        scratch = ByteWriter()
        o.reset()
        o.number(cid); o.comma()
        o.wallTime(wall(s)); o.comma()
        o.wallTime(wall(end)); o.comma()
        o.number(p.id); o.comma()
        if assigned { o.append(agents[lastAssignee].idText) }; o.comma()
        o.number(outgoing); o.comma()
        o.number(incoming); o.comma()
        if fr >= 0 { o.wallTime(wall(fr)) }; o.comma()
        if category >= 0 { o.append(categories[category].name) }; o.comma()
        if note >= 0 { o.append(closingNotes[note]) }; o.comma()
        if closer >= 0 { o.append(agents[closer].idText) }; o.comma()
        if fr >= 0 { o.duration(fr - s) }; o.comma()
        o.duration(end - s); o.comma()
        if assigned { o.append(agents[firstAssignee].idText) }; o.comma()
        if closer >= 0 { o.ascii("user") } else { o.ascii("workflow") }; o.comma()
        if closedTeam >= 0 { o.append(teams[closedTeam].field) }; o.comma()
        o.ascii(openedBy.text); o.comma()
        o.append(channels[channel].idText); o.comma()
        if assigned { o.wallTime(wall(fa)) }; o.comma()
        if fr >= 0 { o.append(agents[responder(fr)].idText) }; o.comma()
        if assigned { o.wallTime(wall(la)) }; o.comma()
        if assigned { o.append(agents[lastAssignee].idText) }; o.comma()
        if assigned { o.duration(fa - s) }; o.comma()
        if assigned && fr >= 0 { o.duration(fr - fa) }; o.comma()
        if lastAssignmentResponse >= 0 { o.duration(lastAssignmentResponse) }; o.comma()
        if assigned { o.duration(end - fa) }; o.comma()
        if assigned { o.duration(end - la) }; o.comma()
        if responses > 0 { o.duration(responseSum / Int64(responses)) }; o.comma()
        o.number(assignments); o.comma()
        o.number(responses)
        o.endRecord()
        try conversationSpool.append(time: end, key: UInt64(end), tiebreak: cid, record: o.bytes)
        scratch = o
        return ConversationOutcome(end: end, open: false, assignee: lastAssignee)
    }
}
