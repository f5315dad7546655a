import Foundation
import Logging
import Quarantine

// web-bench fill DIR COUNT: fills a quarantine store with COUNT entries through QuarantineStore
// (the public API the daemon uses), for scripts/bench/web.sh. Senders, recipients, subjects,
// verdicts, findings, hosts and times vary so searches and sorts have work to do.
let arguments = CommandLine.arguments
guard arguments.count == 4, arguments[1] == "fill", let count = Int(arguments[3]), count > 0 else {
    FileHandle.standardError.write(Data("usage: web-bench fill DIR COUNT\n".utf8))
    exit(64)
}
var logger = Logger(label: "web-bench")
logger.logLevel = .error
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
