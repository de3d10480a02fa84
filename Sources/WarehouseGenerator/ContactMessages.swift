/// A contact's messages: each planned message written as a messages.csv row.
extension GeneratorRun {
    func planned(_ t: Int64, _ sender: Sender, agent: Int = -1, channel: Int, template: Int32, _ r: inout RandomSource) -> PlannedMessage {
        defer { nextOrder += 1 }
        return PlannedMessage(time: t, order: nextOrder, sender: sender, agent: Int32(agent), channel: Int32(channel),
                              template: template, number: UInt32(r.between(10_000, 99_999_999)), failure: -1)
    }

    func contactTemplate(_ p: ContactProfile, _ r: inout RandomSource) -> Int32 {
        let u = r.unit()
        if u < 0.06 { return r.pick(templates.contactAttachments) }
        if u < 0.07 { return r.pick(templates.contactPlain) }
        if !p.contactTexts.isEmpty && u < 0.6 { return r.pick(p.contactTexts) }
        return r.pick(templates.contactEnglish)
    }

    func agentTemplate(_ p: ContactProfile, _ r: inout RandomSource) -> Int32 {
        let u = r.unit()
        if u < 0.02 { return r.pick(templates.agentAttachments) }
        if !p.agentTexts.isEmpty && u < 0.4 { return r.pick(p.agentTexts) }
        return r.pick(templates.agentEnglish)
    }

    /// An agent of the team, by workload weight (any agent with a team when it has none).
    func agent(in team: Int, _ r: inout RandomSource) -> Int {
        let members = teams[team].members
        if members.isEmpty { return teamAgentIndex[anyTeamAgent.draw(&r)] }
        return members[teams[team].table.draw(&r)]
    }

    /// Writes a message row (messages.csv) or a failed send (failed_messages.csv).
    func writeMessage(_ m: PlannedMessage, profile p: ContactProfile, id: UInt64) throws {
        // Built in the scratch buffer, moved out and back so that it is never copied.
        var o = scratch
        scratch = ByteWriter()
        o.reset()
        if m.failure < 0 {
            o.wallTime(wall(m.time)); o.comma()
            switch m.sender {
            case .contact: o.number(p.id)
            case .user: o.append(agents[Int(m.agent)].idText)
            default: break
            }
            o.comma()
            o.ascii(m.sender.text); o.comma()
            o.number(p.id); o.comma()
            o.number(id); o.comma()
            let template = templates[m.template]
            o.append(template.contentType); o.comma()
            o.ascii("message"); o.comma()
            template.write(&o, number: m.number); o.comma()
            o.append(channels[Int(m.channel)].idText); o.comma()
            if m.sender == .contact { o.ascii("incoming") } else { o.ascii("outgoing") }
            o.comma()
            o.append(template.subType)
            o.endRecord()
            try messageSpool.append(time: m.time, key: id, tiebreak: 0, record: o.bytes)
        } else {
            o.wallTime(wall(m.time)); o.comma()
            o.number(id); o.comma()
            o.number(p.id); o.comma()
            o.append(channels[Int(m.channel)].idText); o.comma()
            o.ascii(m.sender.text); o.comma()
            if m.sender == .user { o.append(agents[Int(m.agent)].idText) }
            o.comma()
            o.append(failureReasons[Int(m.failure)])
            o.endRecord()
            try failedSpool.append(time: m.time, key: id, tiebreak: 0, record: o.bytes)
        }
        scratch = o
    }
}
