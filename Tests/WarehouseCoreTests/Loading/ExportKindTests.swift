import Testing
@testable import WarehouseCore

@Suite struct ExportKindTests {
    func kind(_ header: String) -> ExportKind? {
        ExportKind.recognise(Header(header.split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
    }

    @Test func eachKindByItsHeader() {
        #expect(kind("Conversation ID,DateTime Conversation Started,DateTime Conversation Resolved,Contact ID") == .conversations)
        #expect(kind("Date & Time,Sender ID,Sender Type,Contact ID,Message ID,Content Type,Message Type,Content") == .messages)
        #expect(kind("Date & Time,Message ID,Contact ID,Channel ID,Sender Type,Sender ID,Failure Reason") == .failedMessages)
        #expect(kind("ContactID,FirstName,LastName,PhoneNumber,Email") == .contacts)
        #expect(kind("User ID,First Name,Last Name,Email,Role,Team") == .users)
        #expect(kind("Channel ID,Channel Name,Channel Type") == .channels)
    }

    @Test func caseSpacesBOMAndContactIDSpellingAreIgnored() {
        #expect(kind("\u{FEFF}conversation id , DATETIME CONVERSATION STARTED") == .conversations)
        #expect(kind(" date & time,message id ,CONTACT ID,Channel ID,Sender Type,Sender ID,Failure Reason") == .failedMessages)
        #expect(kind("Date & Time,Sender ID,Sender Type,ContactID,Message ID") == .messages)
        #expect(kind("Contact ID,Email,Customer Tier") == .contacts)
        #expect(kind("Sender Type,Message ID") == .messages)  // column order is free
    }

    @Test func unknownHeaders() {
        #expect(kind("Order,Amount,Date") == nil)
        #expect(kind("Message ID,Content") == nil)
        #expect(kind("") == nil)
    }
}
