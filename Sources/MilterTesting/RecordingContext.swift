public import Milter

/// A ``MilterContext`` that performs nothing and records every action, after the same checks
/// the libmilter-backed context makes (pymilter's `testctx`).
public final class RecordingContext: MilterContext {
    /// The options in force, set by the ``TestConnection`` at negotiation.
    public internal(set) var negotiated: NegotiatedOptions
    /// The callback the ``TestConnection`` is running.
    public internal(set) var currentCallback: MilterCallback?
    /// Every action performed, in order, across the connection.
    public private(set) var actions: [MilterAction] = []
    /// Macros the MTA has sent so far, by stage.
    var visibleMacros: [MacroStage: [String: String]] = [:]

    init(negotiated: NegotiatedOptions) {
        self.negotiated = negotiated
    }

    /// Looks a macro up as libmilter does: the latest stage first, `i` and `{i}` alike.
    public func macro(_ name: String) -> String? {
        let order: [MacroStage] = [.endOfMessage, .endOfHeaders, .data, .envelopeRecipient, .envelopeFrom, .helo, .connect]
        for stage in order {
            guard let macros = visibleMacros[stage] else { continue }
            for variant in macroNameVariants(name) {
                if let value = macros[variant] { return value }
            }
        }
        return nil
    }

    /// Checks `action` as libmilter would and records it.
    public func perform(_ action: MilterAction) throws(MilterError) {
        try action.check(negotiated: negotiated, callback: currentCallback)
        actions.append(action)
    }

    /// Forgets the recorded actions, e.g. between two messages.
    public func clearRecords() {
        actions = []
    }

    /// Headers appended with `addHeader`.
    public var addedHeaders: [MilterHeader] {
        actions.compactMap { if case .addHeader(let name, let value) = $0 { MilterHeader(name: name, value: value) } else { nil } }
    }

    /// Headers inserted with `insertHeader`: index, name, value.
    public var insertedHeaders: [HeaderEdit] {
        actions.compactMap {
            if case .insertHeader(let index, let name, let value) = $0 { HeaderEdit(name: name, index: index, value: value) } else { nil }
        }
    }

    /// Headers changed (or, with an empty value, deleted) with `changeHeader`.
    public var changedHeaders: [HeaderEdit] {
        actions.compactMap {
            if case .changeHeader(let name, let index, let value) = $0 { HeaderEdit(name: name, index: index, value: value) } else { nil }
        }
    }

    /// Recipients added, with their parameters.
    public var addedRecipients: [EnvelopeAddress] {
        actions.compactMap {
            if case .addRecipient(let address, let parameters) = $0 { EnvelopeAddress(address, parameters) } else { nil }
        }
    }

    /// Recipients deleted.
    public var deletedRecipients: [String] {
        actions.compactMap { if case .deleteRecipient(let address) = $0 { address } else { nil } }
    }

    /// The last envelope sender set with `changeFrom`.
    public var changedFrom: EnvelopeAddress? {
        actions.lazy.compactMap { if case .changeFrom(let address, let parameters) = $0 { EnvelopeAddress(address, parameters) } else { nil } }.last
    }

    /// The new body: every `replaceBody` piece joined, or nil if the body was not replaced.
    public var replacedBody: [UInt8]? {
        let pieces = actions.compactMap { if case .replaceBody(let bytes) = $0 { bytes } else { nil } }
        return pieces.isEmpty ? nil : pieces.flatMap { $0 }
    }

    /// The last quarantine reason.
    public var quarantineReason: String? {
        actions.lazy.compactMap { if case .quarantine(let reason) = $0 { reason } else { nil } }.last
    }

    /// The last SMTP reply set.
    public var reply: SMTPReply? {
        actions.lazy.compactMap { if case .setReply(let reply) = $0 { reply } else { nil } }.last
    }

    /// How many times `progress` was called.
    public var progressCount: Int {
        actions.filter { $0 == .progress }.count
    }
}

/// A header inserted or changed: its name, index and value (empty: deleted).
public struct HeaderEdit: Sendable, Hashable {
    /// The header's name.
    public let name: String
    /// The insert position (0 is the top) or the occurrence changed (1-based).
    public let index: Int
    /// The new value; empty for a deleted header.
    public let value: String

    /// Creates an edit record.
    public init(name: String, index: Int, value: String) {
        self.name = name
        self.index = index
        self.value = value
    }
}

/// An envelope address with its ESMTP parameters.
public struct EnvelopeAddress: Sendable, Hashable {
    /// The address as given, e.g. `<user@example.com>`.
    public let address: String
    /// Its ESMTP parameters.
    public let parameters: ESMTPParameters

    /// Creates an address record.
    public init(_ address: String, _ parameters: ESMTPParameters = []) {
        self.address = address
        self.parameters = parameters
    }
}
