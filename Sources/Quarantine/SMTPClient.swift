import MilterProtocol
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Delivers one message to a relay over SMTP (RFC 5321): EHLO, MAIL FROM with the parameters
/// that are safe to repeat, RCPT TO each recipient, DATA with CRLF line ends and dot-stuffing.
/// All recipients or none: a refused RCPT ends the transaction before DATA, so a release is
/// never half done.
struct SMTPClient {
    var relay: RelayAddress
    var heloName: String
    var timeout: Double

    /// Delivers `message`; returns the relay's reply to the end of data.
    func deliver(message: [UInt8], sender: EnvelopeAddress, recipients: [EnvelopeAddress]) throws(SMTPFailure) -> SMTPReply {
        let connection = try SMTPConnection(to: relay, timeout: timeout)
        let greeting = try connection.readReply(stage: "greeting")
        guard greeting.code == 220 else { throw SMTPFailure(stage: "greeting", reply: greeting, detail: "") }
        var extensions: Set<String> = []
        let ehlo = try connection.command("EHLO \(heloName)")
        if ehlo.isPositive {
            extensions = Set(ehlo.lines.dropFirst().compactMap { $0.split(separator: " ").first.map { $0.uppercased() } })
        } else {
            let helo = try connection.command("HELO \(heloName)")
            guard helo.isPositive else { throw SMTPFailure(stage: "HELO", reply: helo, detail: "") }
        }
        let mailParameters = Self.mailParameters(sender.parameters, size: message.count, extensions: extensions)
        let mailCommand = (["MAIL FROM:<\(sender.address)>"] + mailParameters).joined(separator: " ")
        try expectPositive(connection, mailCommand)
        for recipient in recipients {
            let parameters = Self.recipientParameters(recipient.parameters, extensions: extensions)
            try expectPositive(connection, (["RCPT TO:<\(recipient.address)>"] + parameters).joined(separator: " "))
        }
        let data = try connection.command("DATA")
        guard data.code == 354 else { throw SMTPFailure(stage: "DATA", reply: data, detail: "") }
        try connection.send(Self.dataBlock(message), stage: "message data")
        let final = try connection.readReply(stage: "end of data")
        guard final.isPositive else { throw SMTPFailure(stage: "end of data", reply: final, detail: "") }
        _ = try? connection.command("QUIT")
        return final
    }

    private func expectPositive(_ connection: SMTPConnection, _ line: String) throws(SMTPFailure) {
        let reply = try connection.command(line)
        guard reply.isPositive else {
            _ = try? connection.command("QUIT")
            throw SMTPFailure(stage: line, reply: reply, detail: "")
        }
    }

    /// The MAIL FROM parameters worth repeating to the relay: SIZE recomputed, BODY and SMTPUTF8
    /// when the relay offers them, RET/ENVID when it offers DSN. Others (AUTH=, XCLIENT leftovers,
    /// unknown extensions) are dropped: the relay may not know them and would refuse the mail.
    static func mailParameters(_ original: [String], size: Int, extensions: Set<String>) -> [String] {
        var result: [String] = []
        if extensions.contains("SIZE") { result.append("SIZE=\(size)") }
        for parameter in original {
            let keyword = keywordOf(parameter)
            switch keyword {
            case "BODY":
                let value = parameter.dropFirst(5).uppercased()
                if extensions.contains("8BITMIME") && (value == "8BITMIME" || value == "7BIT") { result.append("BODY=\(value)") }
            case "SMTPUTF8" where extensions.contains("SMTPUTF8"):
                result.append("SMTPUTF8")
            case "RET", "ENVID":
                if extensions.contains("DSN") { result.append(parameter) }
            default:
                continue
            }
        }
        return result
    }

    /// The RCPT TO parameters worth repeating: NOTIFY and ORCPT when the relay offers DSN.
    static func recipientParameters(_ original: [String], extensions: Set<String>) -> [String] {
        guard extensions.contains("DSN") else { return [] }
        return original.filter { ["NOTIFY", "ORCPT"].contains(keywordOf($0)) }
    }

    private static func keywordOf(_ parameter: String) -> String {
        String(parameter.prefix { $0 != "=" }).uppercased()
    }

    /// The message as DATA sends it: every line end CRLF (a bare LF or CR becomes CRLF), a dot
    /// at the start of a line doubled, a final CRLF added when missing, then `.` CRLF
    /// (RFC 5321 sections 2.3.8 and 4.5.2).
    static func dataBlock(_ message: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(message.count + message.count / 32 + 5)
        var atLineStart = true
        var index = 0
        while index < message.count {
            let byte = message[index]
            index += 1
            switch byte {
            case 13:
                if index < message.count && message[index] == 10 { index += 1 }
                output.append(contentsOf: [13, 10])
                atLineStart = true
            case 10:
                output.append(contentsOf: [13, 10])
                atLineStart = true
            default:
                if atLineStart && byte == UInt8(ascii: ".") { output.append(byte) }
                output.append(byte)
                atLineStart = false
            }
        }
        if !atLineStart { output.append(contentsOf: [13, 10]) }
        output.append(contentsOf: [UInt8(ascii: "."), 13, 10])
        return output
    }

    /// This host's name for EHLO, or `localhost` when it has none.
    static func localHostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let text = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.isEmpty ? "localhost" : text
    }
}
