import Foundation
import Testing
@testable import WarehouseCore

/// Opening a warehouse while another connection creates it.
@Suite struct WarehouseOpeningTests {
    /// A reader that opens the file while a load creates it sees no schema or
    /// the whole of it: it never finds a schema half made (which it would try
    /// to complete beside the creator, failing one of them or storing its own
    /// time zone), and the warehouse keeps the creator's time zone.
    @Test func aReaderDuringTheCreationSeesNoSchemaOrAllOfIt() throws {
        let dir = try TempDir()
        for round in 0..<30 {
            let path = dir.path("w\(round).db")
            let created = DispatchSemaphore(value: 0)
            var creatorError: Error?
            let creator = Thread {
                do { _ = try Warehouse.openForWriting(path: path, timeZone: "Asia/Tokyo", newFileWithoutLog: true) } catch { creatorError = error }
                created.signal()
            }
            var readerErrors: [String] = []
            var opened = false
            creator.start()
            while !opened {
                let creatorDone = creator.isFinished
                do {
                    let warehouse = try Warehouse.openExisting(path: path)
                    #expect(warehouse.timeZone == "Asia/Tokyo", "round \(round): a reader saw time zone \(warehouse.timeZone)")
                    opened = true
                } catch {
                    let message = "\(error)"
                    // Before the creator's transaction commits: no file yet, or no schema in it.
                    if !(message.contains("no warehouse at") || message.contains("no schema") || message.contains("locked")) {
                        readerErrors.append(message)
                    }
                    if readerErrors.count > 3 || creatorDone { break }
                }
            }
            created.wait()
            #expect(creatorError == nil, "round \(round): \(creatorError.map { "\($0)" } ?? "")")
            #expect(readerErrors.isEmpty, "round \(round): \(readerErrors)")
            let warehouse = try Warehouse.openExisting(path: path)
            #expect(try Schema.version(of: warehouse.db) == Schema.currentVersion)
            #expect(warehouse.timeZone == "Asia/Tokyo")
        }
    }
}
