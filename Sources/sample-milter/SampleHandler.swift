import Logging
import Milter

/// The sample filter for one connection: collects `X-Sample-Action` headers and performs them
/// at end of message.
///
/// Per-connection state in plain properties: libmilter never runs two callbacks of a
/// connection at once (see the Milter DocC concurrency notes).
final class SampleHandler: MilterHandler {
    static let actionHeader = "X-Sample-Action"

    private let logger: Logger
    private var instructions: [String] = []
    private var skipBody = false
    /// Recipients exactly as the MTA sent them, for `delrcpt-received`.
    private var recipients: [String] = []

    init(logger: Logger, declared: Set<MilterCallback> = [.envelopeRecipient, .header, .body], noReply: Set<MilterCallback> = [.header],
         macroLists: [MacroStage: [String]] = [:]) {
        self.logger = logger
        self.implementedCallbacks = declared
        self.noReplyCallbacks = noReply
        self.macroLists = macroLists
    }

    /// RCPT, header and body by default; `--declare` changes it, to show a wrong declaration refused.
    let implementedCallbacks: Set<MilterCallback>
    /// Header answers are continue unless a `reject-in-header` instruction came: by default the
    /// MTA need not wait for them.
    let noReplyCallbacks: Set<MilterCallback>
    /// `--macro-list`: the macros to ask for per stage.
    let macroLists: [MacroStage: [String]]

    /// Thrown by the `throw` instruction, to exercise the exception policy.
    struct RequestedFailure: Error, CustomStringConvertible {
        var description: String { "X-Sample-Action: throw" }
    }

    func header(_ header: MilterHeader, context: any MilterContext) throws -> MilterResponse {
        // Every header of every message comes here: compare without making lowercased copies.
        guard header.name.utf8.elementsEqual(Self.actionHeader.utf8, by: { asciiLower($0) == asciiLower($1) }) else {
            return .continue
        }
        let value = header.value
        let verb = value.trimmingSpaces.lowercased()
        if verb == "skip" { skipBody = true }
        instructions.append(value)
        if verb == "reject-in-header" { return .reject(try SMTPReply(code: 550, enhancedCode: "5.7.1", "rejected in header")) }
        return .continue
    }

    func envelopeRecipient(_ recipient: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse {
        recipients.append(recipient)
        return .continue
    }

    func body(_ chunk: RawSpan, context: any MilterContext) throws -> MilterResponse {
        skipBody ? .skip : .continue
    }

    func endOfMessage(context: any MilterContext) throws -> MilterResponse {
        defer { reset() }
        if let value = context.macro("i") {
            try context.addHeader("X-Sample-Macro-i", value: value)
        }
        for text in instructions {
            let instruction = try SampleInstruction(parsing: text)
            if let answer = try perform(instruction, context: context) { return answer }
        }
        return .continue
    }

    func abort(context: any MilterContext) throws -> MilterResponse {
        reset()
        return .continue
    }

    private func reset() {
        instructions = []
        skipBody = false
        recipients = []
    }

    /// Performs one instruction; returns the answer if it ends the list.
    private func perform(_ instruction: SampleInstruction, context: any MilterContext) throws -> MilterResponse? {
        switch instruction {
        case .addHeader(let name, let value): try context.addHeader(name, value: value)
        case .insertHeader(let index, let name, let value): try context.insertHeader(name, value: value, at: index)
        case .changeHeader(let name, let index, let value): try context.changeHeader(name, index: index, value: value)
        case .addRecipient(let address, let parameters): try context.addRecipient(address, parameters: parameters)
        case .deleteRecipient(let address): try context.deleteRecipient(address)
        case .deleteReceivedRecipients: try recipients.forEach { try context.deleteRecipient($0) }
        case .changeFrom(let address, let parameters): try context.changeFrom(address, parameters: parameters)
        case .replaceBody(let text): try context.replaceBody(text)
        case .quarantine(let reason): try context.quarantine(reason: reason)
        case .progress: try context.progress()
        case .reply(let reply): return reply.isTemporary ? .tempfail(reply) : .reject(reply)
        case .tempfail: return .tempfail
        case .discard: return .discard
        case .accept: return .accept
        case .throw: throw RequestedFailure()
        case .skip, .rejectInHeader: break
        }
        return nil
    }
}

/// The byte with ASCII A-Z folded to a-z.
private func asciiLower(_ byte: UInt8) -> UInt8 {
    (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) ? byte | 0x20 : byte
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    fileprivate var trimmingSpaces: Substring {
        let start = drop { $0 == " " || $0 == "\t" }
        var end = start
        while let last = end.last, last == " " || last == "\t" || last == "\r\n" || last == "\n" { end = end.dropLast() }
        return end
    }
}


/// The `--end-of-message-only` filter: headers and body negotiated away, so no instructions are
/// seen; end of message adds X-Sample-Macro-i only (the Milter layer benchmark's filter).
final class EndOfMessageOnlyHandler: MilterHandler {
    func endOfMessage(context: any MilterContext) throws -> MilterResponse {
        if let value = context.macro("i") {
            try context.addHeader("X-Sample-Macro-i", value: value)
        }
        return .continue
    }
}
