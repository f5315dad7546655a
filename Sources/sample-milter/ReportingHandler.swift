import Milter

/// The `--report` filter: implements every optional callback and, at end of message, adds one
/// `X-Sample-Seen` header per step it saw, in order, so a test can check through real libmilter
/// what each callback received (client address, HELO, MAIL/RCPT arguments, DATA, unknown
/// commands, each header with its line breaks and tabs shown as `\r` `\n` `\t`, end of headers,
/// body sizes, the SASL and `{mail_addr}` macros of MAIL).
final class ReportingHandler: MilterHandler {
    let implementedCallbacks = Set(MilterCallback.optional)
    let noReplyCallbacks: Set<MilterCallback>
    let macroLists: [MacroStage: [String]]
    private var seen: [String] = []

    init(noReply: Set<MilterCallback>, macroLists: [MacroStage: [String]]) {
        self.noReplyCallbacks = noReply
        self.macroLists = macroLists
    }

    func connect(hostname: String, address: PeerAddress, context: any MilterContext) throws -> MilterResponse {
        note("connect \(hostname) \(address.family) \(address)")
    }

    func helo(_ name: String, context: any MilterContext) throws -> MilterResponse {
        note("helo \(name)")
    }

    func envelopeFrom(_ sender: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse {
        seen.append("mail \(sender) \(parameters)".trimmingTrailingSpace)
        for name in ["{auth_type}", "{auth_authen}", "{mail_addr}"] {
            if let value = context.macro(name) { seen.append("macro \(name)=\(value)") }
        }
        return .continue
    }

    func envelopeRecipient(_ recipient: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse {
        note("rcpt \(recipient) \(parameters)".trimmingTrailingSpace)
    }

    func data(context: any MilterContext) throws -> MilterResponse {
        note("data")
    }

    func unknown(_ command: String, context: any MilterContext) throws -> MilterResponse {
        note("unknown \(command)")
    }

    func header(_ header: MilterHeader, context: any MilterContext) throws -> MilterResponse {
        note("header \(header.name):\(header.value.replacing("\r", with: "\\r").replacing("\n", with: "\\n").replacing("\t", with: "\\t"))")
    }

    func endOfHeaders(context: any MilterContext) throws -> MilterResponse {
        note("eoh")
    }

    func body(_ chunk: RawSpan, context: any MilterContext) throws -> MilterResponse {
        note("body \(chunk.byteCount)")
    }

    func endOfMessage(context: any MilterContext) throws -> MilterResponse {
        defer { seen = [] }
        for line in seen { try context.addHeader("X-Sample-Seen", value: line) }
        return .continue
    }

    /// Records one step; every step answers continue.
    private func note(_ line: String) -> MilterResponse {
        seen.append(line)
        return .continue
    }

    func abort(context: any MilterContext) throws -> MilterResponse {
        seen = []
        return .continue
    }
}

extension String {
    fileprivate var trimmingTrailingSpace: String {
        var text = Substring(self)
        while text.last == " " { text = text.dropLast() }
        return String(text)
    }
}
