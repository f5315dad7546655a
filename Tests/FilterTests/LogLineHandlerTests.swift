@testable import Filter
import Testing

@Suite struct LogLineHandlerTests {
    @Test func textLinesQuoteValuesWithSpacesAndEscapeNewlines() {
        let line = LogLineHandler.textLine(level: .info, label: "scanmilter", message: "message done",
                                           metadata: ["mail.queue_id": "4Q1", "mail.from": "a b", "x": "evil\ninjected"])
        #expect(line.hasSuffix("info scanmilter: message done mail.from=\"a b\" mail.queue_id=4Q1 x=evil\\ninjected"))
    }

    @Test func jsonLinesAreSingleLineObjects() {
        let line = LogLineHandler.jsonLine(level: .warning, label: "l", message: "m \"q\"",
                                           metadata: ["k": .array(["a", "b\n"])])
        #expect(line.contains("\"message\":\"m \\\"q\\\"\""))
        #expect(line.hasSuffix("\"k\":[\"a\",\"b\\n\"]}"))
        #expect(!line.contains("\n"))
    }

    @Test func jsonLinesPutTimeLevelLoggerMessageFirstThenMetadataInKeyOrder() {
        let line = LogLineHandler.jsonLine(level: .info, label: "scanmilter", message: "message done",
                                           metadata: ["mail.queue_id": "4Q1", "a": ["z": "1", "b": "2"], "mail.from": "a\u{85}b"])
        #expect(line.hasPrefix("{\"time\":\""))
        #expect(line.hasSuffix(#"Z","level":"info","logger":"scanmilter","message":"message done","a":{"b":"2","z":"1"},"mail.from":"a\u0085b","mail.queue_id":"4Q1"}"#))
    }
}
