import Foundation

/// Generated inputs for the engine benchmark: a signature database of a chosen size and a
/// corpus of clean files and messages, all deterministic so runs compare.
struct BenchCorpus {
    /// A deterministic byte generator (xorshift64*), so every run scans the same bytes.
    struct Generator {
        var state: UInt64

        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }

        mutating func bytes(_ count: Int) -> [UInt8] {
            var result = [UInt8]()
            result.reserveCapacity(count + 8)
            while result.count < count {
                withUnsafeBytes(of: next()) { result.append(contentsOf: $0) }
            }
            return Array(result.prefix(count))
        }

        /// Plain prose-like text of about `count` bytes.
        mutating func text(_ count: Int) -> [UInt8] {
            let words = [
                "the", "invoice", "meeting", "attached", "please", "find", "quarterly", "report", "regards",
                "shipment", "delivery", "schedule", "review", "budget", "update", "project", "thanks", "and",
            ]
            var result = [UInt8]()
            result.reserveCapacity(count + 16)
            var column = 0
            while result.count < count {
                let word = words[Int(next() % UInt64(words.count))]
                result.append(contentsOf: word.utf8)
                column += word.count + 1
                if column > 70 {
                    result.append(contentsOf: [13, 10])
                    column = 0
                } else {
                    result.append(0x20)
                }
            }
            return Array(result.prefix(count))
        }
    }

    /// Writes a database of `hashes` MD5 signatures and `bodies` 16-byte body signatures.
    static func writeDatabase(in directory: URL, hashes: Int, bodies: Int) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator = Generator(state: 0x5eed_0001)
        var hdb = ""
        hdb.reserveCapacity(hashes * 60)
        for index in 0..<hashes {
            let hex = generator.bytes(16).map { String(format: "%02x", $0) }.joined()
            hdb += "\(hex):\(1000 + index % 100_000):Bench.Hash.\(index)\n"
        }
        try hdb.write(to: directory.appendingPathComponent("bench.hdb"), atomically: true, encoding: .utf8)
        var ndb = "Bench.EICAR:0:*:\(hex(Array("EICAR-STANDARD-ANTIVIRUS-TEST-FILE".utf8)))\n"
        ndb.reserveCapacity(bodies * 60)
        for index in 0..<bodies {
            ndb += "Bench.Body.\(index):0:*:\(hex(generator.bytes(16)))\n"
        }
        try ndb.write(to: directory.appendingPathComponent("bench.ndb"), atomically: true, encoding: .utf8)
    }

    /// Clean files of the kinds mail carries: text, HTML, random binary, and a zip of text.
    static func writeFiles(in directory: URL, totalBytes: Int) throws -> [URL] {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var generator = Generator(state: 0x5eed_0002)
        let each = max(totalBytes / 16, 4096)
        var urls: [URL] = []
        for index in 0..<16 {
            let url: URL
            switch index % 4 {
            case 0:
                url = directory.appendingPathComponent("text-\(index).txt")
                try Data(generator.text(each)).write(to: url)
            case 1:
                url = directory.appendingPathComponent("page-\(index).html")
                let body = generator.text(each - 200)
                try Data(Array("<html><head><title>report</title></head><body><p>".utf8) + body + Array("</p></body></html>\n".utf8)).write(to: url)
            case 2:
                url = directory.appendingPathComponent("data-\(index).bin")
                try Data(generator.bytes(each)).write(to: url)
            default:
                let inner = directory.appendingPathComponent("inner-\(index).txt")
                try Data(generator.text(each * 3)).write(to: inner)
                url = directory.appendingPathComponent("archive-\(index).zip")
                try run("/usr/bin/zip", ["-q", "-j", url.path, inner.path])
                try FileManager.default.removeItem(at: inner)
            }
            urls.append(url)
        }
        return urls
    }

    /// A clean multipart message: a text body, an HTML alternative, and `attachments` attachments
    /// (the corpus files, base64-encoded).
    static func message(attaching files: [URL]) throws -> [UInt8] {
        var generator = Generator(state: 0x5eed_0003)
        var out = """
            From: Sender <sender@example.org>\r
            To: Recipient <rcpt@example.net>\r
            Subject: quarterly report\r
            Date: Tue, 24 Nov 2026 10:00:00 +0000\r
            Message-ID: <bench@example.org>\r
            MIME-Version: 1.0\r
            Content-Type: multipart/mixed; boundary="outer-boundary"\r
            \r
            --outer-boundary\r
            Content-Type: multipart/alternative; boundary="alt-boundary"\r
            \r
            --alt-boundary\r
            Content-Type: text/plain; charset=utf-8\r
            \r

            """
        out += String(decoding: generator.text(8000), as: UTF8.self) + "\r\n--alt-boundary\r\n"
        out += "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>"
        out += String(decoding: generator.text(8000), as: UTF8.self) + "</p></body></html>\r\n--alt-boundary--\r\n"
        for file in files {
            let data = try Data(contentsOf: file)
            out += "--outer-boundary\r\nContent-Type: application/octet-stream; name=\"\(file.lastPathComponent)\"\r\n"
            out += "Content-Disposition: attachment; filename=\"\(file.lastPathComponent)\"\r\n"
            out += "Content-Transfer-Encoding: base64\r\n\r\n"
            out += data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
            out += "\r\n"
        }
        out += "--outer-boundary--\r\n"
        return Array(out.utf8)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    /// Runs a tool to completion, failing on a non-zero exit.
    static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("\(tool) exited \(process.terminationStatus)") }
    }
}
