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
}
