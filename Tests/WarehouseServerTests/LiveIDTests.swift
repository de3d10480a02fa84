import Foundation
import Testing
import WarehouseCore
@testable import WarehouseServer

/// SPEC 1 and 6: a record sent live was typed by a program, so an ID of 16+
/// digits that ends in zeros is its own (one 17-digit ID in a hundred ends in
/// `00`); only scientific notation marks it as damaged. The answer counts the
/// records kept by contact and time.
@Suite struct LiveIDTests {
    static let ids = ["4025572770824820000", "4025572770824830000", "4025572770824840000", "4025572770824850000",
                      "4025572770824860000", "4025572770824870000", "4025572770824880000", "4025572770824890000"]

    @Test(arguments: ServedStoreKind.all) func oneRecordKeepsItsIDThatEndsInZeros(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let r = try await h.ingest("conversations", conversationJSON(id: Self.ids[0]))
        #expect(r.status == 200, "\(r.body)")
        #expect(r.json["inserted"] as? Int == 1)
        #expect(r.json["kept_by_contact_and_time"] as? Int == 0, "\(r.body)")
        #expect(try h.count("SELECT count(*) FROM conversations WHERE conversation_id = '\(Self.ids[0])'") == 1)
        try await h.stop()
    }

    /// Requests sent at once, which the writer loads as one unit, and one request with many.
    @Test(arguments: ServedStoreKind.all) func recordsSentTogetherKeepTheirIDs(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let answers = try await withThrowingTaskGroup(of: Harness.Answer.self) { group in
            for (i, id) in Self.ids.prefix(6).enumerated() {
                group.addTask { try await h.ingest("conversations", conversationJSON(id: id, contact: "55500\(i)")) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.allSatisfy { $0.status == 200 && $0.json["kept_by_contact_and_time"] as? Int == 0 }, "\(answers.map(\.body))")
        let array = "[" + Self.ids.suffix(2).enumerated().map { conversationJSON(id: $1, contact: "55510\($0)") }.joined(separator: ",") + "]"
        let many = try await h.ingest("conversations", array)
        #expect(many.json["inserted"] as? Int == 2 && many.json["kept_by_contact_and_time"] as? Int == 0, "\(many.body)")
        let stored = try h.read().rows("SELECT conversation_id FROM conversations ORDER BY 1").map { $0[0].description }
        #expect(stored == Self.ids)
        try await h.stop()
    }

    @Test(arguments: ServedStoreKind.all) func scientificNotationIsDamageAndTheAnswerSaysSo(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let r = try await h.ingest("conversations", conversationJSON(id: "4.0255E+18"))
        #expect(r.status == 200)
        #expect(r.json["kept_by_contact_and_time"] as? Int == 1, "\(r.body)")
        #expect(try h.count("SELECT count(*) FROM conversations WHERE conversation_id LIKE '~%'") == 1)
        try await h.stop()
    }

    /// A CSV body is a file: three IDs ending in zeros and no sign of a spreadsheet are kept.
    @Test(arguments: ServedStoreKind.all) func aSmallCSVBodyKeepsItsIDs(_ store: ServedStoreKind) async throws {
        let h = try await Harness(store)
        let csv = "Conversation ID,DateTime Conversation Started,Contact ID\n"
            + Self.ids.prefix(3).enumerated().map { "\($1),2025-03-11 0\($0):00:00,5550\($0)" }.joined(separator: "\n") + "\n"
        let r = try await h.ingest("conversations", csv, type: "text/csv")
        #expect(r.status == 200, "\(r.body)")
        #expect(r.json["inserted"] as? Int == 3 && r.json["kept_by_contact_and_time"] as? Int == 0, "\(r.body)")
        #expect(try h.count("SELECT count(*) FROM conversations WHERE conversation_id LIKE '40255727708248%'") == 3)
        try await h.stop()
    }
}
