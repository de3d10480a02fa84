import Testing
@testable import WarehouseCore

@Suite struct MessageContentTests {
    @Test func jsonText() {
        #expect(MessageContent.text(of: #"{"type":"text","text":"Payment received, thank you!"}"#) == "Payment received, thank you!")
        #expect(MessageContent.text(of: #"{"type":"text","text":"Line one\nline \"two\" caf\u00e9 \ud83d\ude0a"}"#) == "Line one\nline \"two\" café 😊")
        #expect(MessageContent.text(of: #"{ "text" : "いつ届きますか？", "type": "text", "n": 3, "ok": true, "x": null, "a": [1, {"b": 2}] }"#) == "いつ届きますか？")
    }

    @Test func attachments() {
        #expect(MessageContent.text(of: #"{"type":"attachment","attachment":{"type":"image","url":"https://cdn.example.com/a.jpg","fileName":"photo, 8.jpg"}}"#) == "[image: photo, 8.jpg]")
        #expect(MessageContent.text(of: #"{"type":"attachment","attachment":{"type":"file","url":"https://x/y.pdf"}}"#) == "[file: https://x/y.pdf]")
    }

    @Test func theFastPathAgreesWithTheJSONReader() {
        for raw in [#"{"type":"text","text":"Payment received, thank you!"}"#, #"{"type":"text","text":"a \"quoted\" word"}"#,
                    #"{"type":"text","text":"back\\slash"}"#, #"{"type":"text","text":""}"#, #"{"type":"text","text":"x"} "#,
                    #"{"type":"text","text":"😊 客户"}"#, "plain, text", #"{"type":"text","text":"cut"#] {
            var bytes = raw
            let viaBytes = bytes.withUTF8 { MessageContent.text(of: $0) }
            #expect(viaBytes == MessageContent.text(of: raw), "\(raw)")
        }
        var quoted = #"{"type":"text","text":"say \"hi\""}"#
        #expect(quoted.withUTF8 { MessageContent.text(of: $0) } == "say \"hi\"")
    }

    @Test func plainTextAndBrokenJSON() {
        #expect(MessageContent.text(of: "Where is my invoice? I need it for, like, tax purposes") == "Where is my invoice? I need it for, like, tax purposes")
        #expect(MessageContent.text(of: "👍") == "👍")
        #expect(MessageContent.text(of: "{not json") == "{not json")
        #expect(MessageContent.text(of: "") == nil)
    }
}
