import Foundation
import Synchronization
import MIME
import Testing

/// Messages built to exhaust a parser: each must finish with bounded output and the right defect.
/// (No wall-clock assertions: speed is the benchmark's business.)
@Suite struct HostileInputTests {
    /// 10,000 multiparts nested inside each other, each with its own boundary.
    static func depthBomb(levels: Int) -> [UInt8] {
        var text = "From: x@example.org\r\n"
        for level in 0..<levels {
            text += "Content-Type: multipart/mixed; boundary=\"b\(level)\"\r\n\r\n--b\(level)\r\n"
        }
        text += "Content-Type: text/plain\r\n\r\ninnermost\r\n"
        for level in (0..<levels).reversed() {
            text += "--b\(level)--\r\n"
        }
        return Array(text.utf8)
    }

    @Test func tenThousandNestedMultipartsStopAtTheDepthLimit() {
        let parsed = MIMEParser().parse(Self.depthBomb(levels: 10_000))
        #expect(defectNames(parsed).contains("NestingTooDeep"))
        #expect(parsed.allParts.map(\.depth).max() == MIMEParser.Limits().maxDepth)
        // The too-deep multipart is one leaf holding everything below it, so nothing is unseen.
        #expect(parsed.leaves.count == 1)
        let leaf = parsed.leaves[0]
        #expect(leaf.contentType.mimeType == "multipart/mixed")
        #expect(String(decoding: leaf.decoded(), as: UTF8.self).contains("innermost"))
    }

    @Test func aDepthLimitAboveTheCeilingIsClampedSoASmallThreadStackSurvives() {
        // Freeing a part tree recurses once per level; libmilter workers may have small stacks.
        let finished = Mutex(false)
        let depth = Mutex(0)
        let thread = Thread {
            let parsed = MIMEParser(limits: .init(maxDepth: 1_000_000, maxParts: 100_000))
                .parse(Self.depthBomb(levels: 5_000))
            depth.withLock { $0 = parsed.leaves.first?.depth ?? -1 }
            finished.withLock { $0 = true }
        }
        thread.stackSize = 512 * 1024
        thread.start()
        while !finished.withLock({ $0 }) { usleep(10_000) }
        #expect(depth.withLock { $0 } == MIMEParser.Limits.depthCeiling)
    }

    @Test func tenThousandNestedEnclosedMessagesStopAtTheDepthLimit() {
        var text = ""
        for _ in 0..<10_000 { text += "Content-Type: message/rfc822\r\n\r\n" }
        text += "Subject: bottom\r\n\r\nbody\r\n"
        let parsed = MIMEParser().parse(Array(text.utf8))
        #expect(defectNames(parsed).contains("NestingTooDeep"))
        #expect(parsed.leaves.count == 1)
        #expect(parsed.leaves[0].depth == MIMEParser.Limits().maxDepth)
    }

    @Test func aHundredThousandPartsStopAtThePartLimitAndKeepTheRestAsOneLeaf() {
        var text = "Content-Type: multipart/mixed; boundary=\"p\"\r\n\r\n"
        for number in 0..<100_000 { text += "--p\r\n\r\n\(number)\r\n" }
        text += "--p--\r\n"
        let limits = MIMEParser.Limits()
        let parsed = MIMEParser(limits: limits).parse(Array(text.utf8))
        #expect(defectNames(parsed).contains("TooManyParts"))
        #expect(parsed.allParts.count == limits.maxParts + 1)
        let remainder = parsed.leaves[parsed.leaves.count - 1]
        #expect(remainder.defects.map(\.name) == ["TooManyParts"])
        #expect(String(decoding: remainder.decoded(), as: UTF8.self).hasSuffix("99999\r\n--p--\r\n"))
    }

    @Test func aHundredThousandPartsAllParseWhenTheLimitAllowsThem() {
        var text = "Content-Type: multipart/mixed; boundary=\"p\"\r\n\r\n"
        for number in 0..<100_000 { text += "--p\r\n\r\n\(number)\r\n" }
        text += "--p--\r\n"
        let parsed = MIMEParser(limits: .init(maxParts: 200_000)).parse(Array(text.utf8))
        #expect(parsed.leaves.count == 100_000)
        #expect(parsed.leaves.last?.path == "100000")
        #expect(parsed.defects.isEmpty)
    }

    @Test func aTenMegabyteHeaderLineIsCutAtTheHeaderLimit() {
        let long = String(repeating: "a", count: 10 * 1024 * 1024)
        let message = "Subject: \(long)\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n"
        let parsed = MIMEParser().parse(Array(message.utf8))
        #expect(defectNames(parsed).contains("HeaderTooLong"))
        let subject = parsed.root.header("subject") ?? ""
        #expect(subject.utf8.count <= MIMEParser.Limits().maxHeaderBytes)
        #expect(subject.utf8.count > 1000)
        // The field past the limit is ignored, but the body is still found after the empty line.
        #expect(parsed.root.charset == nil)
        #expect(text(of: parsed.root) == "body\r\n")
    }

    @Test func aTenMegabyteContentTypeLineWithEncodedWordsStaysBounded() {
        let words = String(repeating: "=?utf-8?q?", count: 1_000_000)
        let message = "Content-Type: application/octet-stream; name=\"\(words)\"\r\n\r\nbody"
        let parsed = MIMEParser().parse(Array(message.utf8))
        #expect(defectNames(parsed).contains("HeaderTooLong"))
        #expect(parsed.leaves.count == 1)
    }

    @Test func endlessBase64IsCutAtTheDecodedSizeLimit() {
        let line = String(repeating: "QUFB", count: 19) + "\r\n"
        let body = String(repeating: line, count: 100_000)  // 7.8 MB of base64, 5.7 MB decoded
        let message = "Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body
        let limit = 1024 * 1024
        let parsed = MIMEParser(limits: .init(maxDecodedBytesPerPart: limit)).parse(Array(message.utf8))
        let decoded = parsed.leaves[0].decode()
        #expect(decoded.bytes.count == limit)
        #expect(decoded.isTruncated)
        #expect(decoded.defects.map(\.name) == ["DecodedSizeLimitExceeded"])
        #expect(decoded.bytes.allSatisfy { $0 == 0x41 })
    }

    @Test func theTotalDecodingBudgetIsSharedAcrossParts() {
        let body = String(repeating: "QUFBQUFB\r\n", count: 10_000)  // 60,000 bytes decoded each
        let part = "--b\r\nContent-Transfer-Encoding: base64\r\n\r\n" + body
        let message = "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + part + part + part + "--b--\r\n"
        let parsed = MIMEParser(limits: .init(maxDecodedBytesTotal: 100_000)).parse(Array(message.utf8))
        var budget = parsed.makeDecodingBudget()
        let sizes = parsed.leaves.map { $0.decode(budget: &budget).bytes.count }
        #expect(sizes == [60_000, 40_000, 0])
        #expect(budget.remaining == 0)
    }

    @Test func everyReadingOfAnAmbiguousMessageIsBoundedByThePartLimit() {
        // Two boundary parameters, each splitting the body into thousands of parts, repeated
        // in a Content-Type header per reading: work grows with readings x parts, both capped.
        var header = ""
        for index in 0..<40 {
            header += index.isMultiple(of: 2) ? "Content-Type: multipart/mixed; boundary=p; boundary=q\r\n"
                : "Content-Type: multipart/mixed; boundary=q; boundary=p\r\n"
        }
        var body = ""
        for number in 0..<20_000 { body += "--p\r\n\r\n\(number)\r\n--q\r\n\r\nq\(number)\r\n" }
        let limits = MIMEParser.Limits(maxParts: 1_000, maxAlternativeReadings: 4)
        let parsed = MIMEParser(limits: limits).parse(Array((header + "\r\n" + body).utf8))
        #expect(defectNames(parsed).isSuperset(of: ["TooManyParts", "MultipleBoundaryParameters", "TooManyAlternativeReadings"]))
        #expect(parsed.leaves.count <= limits.maxParts)
        #expect(parsed.alternativeLeaves.count <= limits.maxParts * limits.maxAlternativeReadings)
        #expect(!parsed.alternativeLeaves.isEmpty)
    }

    @Test func headerFieldFloodIsCutAtTheFieldLimit() {
        let fields = String(repeating: "X-Flood: y\r\n", count: 100_000)
        let parsed = MIMEParser().parse(Array((fields + "\r\nbody").utf8))
        #expect(defectNames(parsed).contains("TooManyHeaderFields"))
        #expect(parsed.root.headerFields.count == MIMEParser.Limits().maxHeaderFields)
        #expect(text(of: parsed.root) == "body")
    }
}
