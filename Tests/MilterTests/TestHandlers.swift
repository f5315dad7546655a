import Milter
import MilterTesting

/// A handler that implements only end of message, and does whatever `onEndOfMessage` says.
final class EndOfMessageOnly: MilterHandler {
    let onEndOfMessage: (any MilterContext) throws -> MilterResponse

    init(_ onEndOfMessage: @escaping (any MilterContext) throws -> MilterResponse = { _ in .continue }) {
        self.onEndOfMessage = onEndOfMessage
    }

    func endOfMessage(context: any MilterContext) throws -> MilterResponse {
        try onEndOfMessage(context)
    }
}

/// A handler that implements every optional step and records what it saw.
final class Recorder: MilterHandler {
    var implementedCallbacks: Set<MilterCallback> { Set(MilterCallback.optional) }
    var noReplyCallbacks: Set<MilterCallback>
    var protocolOptIns: ProtocolSteps
    var macroLists: [MacroStage: [String]]
    var failIn: MilterCallback?
    var bodyAnswer: MilterResponse = .continue

    private(set) var seen: [MilterCallback] = []
    private(set) var connectedFrom: (String, PeerAddress)?
    private(set) var sender: (String, ESMTPParameters)?
    private(set) var recipients: [(String, ESMTPParameters)] = []
    private(set) var headers: [MilterHeader] = []
    private(set) var bodyBytes: [UInt8] = []
    private(set) var macroAtEndOfMessage: String?

    init(noReply: Set<MilterCallback> = [], optIns: ProtocolSteps = [], macroLists: [MacroStage: [String]] = [:]) {
        self.noReplyCallbacks = noReply
        self.protocolOptIns = optIns
        self.macroLists = macroLists
    }

    struct Failure: Error {}

    private func note(_ callback: MilterCallback) throws {
        seen.append(callback)
        if failIn == callback { throw Failure() }
    }

    func connect(hostname: String, address: PeerAddress, context: any MilterContext) throws -> MilterResponse {
        try note(.connect)
        connectedFrom = (hostname, address)
        return .continue
    }

    func helo(_ name: String, context: any MilterContext) throws -> MilterResponse {
        try note(.helo)
        return .continue
    }

    func envelopeFrom(_ sender: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse {
        try note(.envelopeFrom)
        self.sender = (sender, parameters)
        return .continue
    }

    func envelopeRecipient(_ recipient: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse {
        try note(.envelopeRecipient)
        recipients.append((recipient, parameters))
        return .continue
    }

    func data(context: any MilterContext) throws -> MilterResponse {
        try note(.data)
        return .continue
    }

    func header(_ header: MilterHeader, context: any MilterContext) throws -> MilterResponse {
        try note(.header)
        headers.append(header)
        return .continue
    }

    func endOfHeaders(context: any MilterContext) throws -> MilterResponse {
        try note(.endOfHeaders)
        return .continue
    }

    func body(_ chunk: RawSpan, context: any MilterContext) throws -> MilterResponse {
        try note(.body)
        chunk.withUnsafeBytes { bodyBytes.append(contentsOf: $0) }
        return bodyAnswer
    }

    func endOfMessage(context: any MilterContext) throws -> MilterResponse {
        try note(.endOfMessage)
        macroAtEndOfMessage = context.macro("i")
        return .continue
    }

    func abort(context: any MilterContext) throws -> MilterResponse {
        try note(.abort)
        return .continue
    }

    func close(context: any MilterContext) throws -> MilterResponse {
        try note(.close)
        return .continue
    }
}

extension RecordingContext {
    /// What the handler asked for, without the reply the exception policy sets on a failure.
    var actionsBesideTheReply: [MilterAction] {
        actions.filter { if case .setReply = $0 { false } else { true } }
    }
}
