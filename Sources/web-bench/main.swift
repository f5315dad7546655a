import Foundation
import Logging
import Quarantine

// For scripts/bench/web.sh:
//   web-bench fill DIR COUNT   fills a quarantine store with COUNT entries through QuarantineStore
//                              (the public API the daemon uses); senders, recipients, subjects,
//                              verdicts, findings, hosts and times vary so searches and sorts work
//   web-bench query DIR        the store alone: median and slowest of 10 runs of each list query
//                              the benchmark sends over HTTP (the reference beside its figures)
let arguments = CommandLine.arguments
var logger = Logger(label: "web-bench")
logger.logLevel = .error
if arguments.count == 3, arguments[1] == "query" {
    do {
        let store = try QuarantineStore(directory: arguments[2], logger: logger, createIfMissing: false)
        let queries: [(String, QuarantineQuery)] = [
            ("newest first (50)", QuarantineQuery(order: .receivedAt, descending: true, limit: 50)),
            ("search 'order 42'", QuarantineQuery(filter: QuarantineFilter(text: "order 42"), descending: true, limit: 50)),
            ("by sender, page 1000", QuarantineQuery(order: .sender, limit: 50, offset: 49_950)),
            ("recipient filter", QuarantineQuery(filter: QuarantineFilter(recipient: "user42@"), descending: true, limit: 50)),
        ]
        for (label, query) in queries {
            var times: [Double] = []
            for _ in 0..<10 {
                let start = Date()
                _ = try store.list(query)
                times.append(Date().timeIntervalSince(start) * 1000)
            }
            times.sort()
            print(String(format: "| store alone: %-31@ | %6.1fms | %6.1fms (max) |", label as NSString, times[4], times[9]))
        }
    } catch {
        FileHandle.standardError.write(Data("web-bench: \(error)\n".utf8))
        exit(74)
    }
    exit(0)
}
guard arguments.count == 4, arguments[1] == "fill", let count = Int(arguments[3]), count > 0 else {
    FileHandle.standardError.write(Data("usage: web-bench fill DIR COUNT | web-bench query DIR\n".utf8))
    exit(64)
}
do {
    let store = try QuarantineStore(directory: arguments[2], logger: logger)
    let start = Date()
    let verdicts = ["infected", "banned", "infected", "unscannable"]
    let findings = ["Eicar-Test-Signature", "Win.Trojan.Agent-1", "banned-type:exe", "Doc.Macro.Obfuscated", "Html.Phishing.Bank"]
    let now = Date().timeIntervalSince1970
    for index in 0..<count {
        let message = Array("From: sender\(index % 977)@example.org\r\nSubject: Invoice \(index)\r\n\r\nBody of message \(index).\r\n".utf8)
        let entry = NewEntry(
            receivedAt: Date(timeIntervalSince1970: now - Double(count - index) * 26), queueID: String(format: "%010X", index),
            clientAddress: "192.0.2.\(index % 250)", clientHelo: "mx\(index % 13).example.org",
            sender: EnvelopeAddress("sender\(index % 977)@example.org"),
            recipients: [EnvelopeAddress("user\(index % 3001)@example.net")], subject: "Invoice \(index) for order \(index % 7919)",
            verdict: verdicts[index % verdicts.count], findings: [findings[index % findings.count]], host: "mx\(index % 3)")
        _ = try store.store(message: .bytes(message), entry: entry)
        if index > 0 && index % 10_000 == 0 { print("\(index) entries, \(Int(Date().timeIntervalSince(start))) s") }
    }
    print("\(count) entries in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
} catch {
    FileHandle.standardError.write(Data("web-bench: \(error)\n".utf8))
    exit(74)
}
