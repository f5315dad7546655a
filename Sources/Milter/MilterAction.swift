/// Something a filter asks the MTA to do; the context checks it and then performs it
/// (libmilter) or records it (MilterTesting).
public enum MilterAction: Sendable, Hashable, CustomStringConvertible {
    /// `smfi_setreply` / `smfi_setmlreply`.
    case setReply(SMTPReply)
    /// `smfi_addheader`.
    case addHeader(name: String, value: String)
    /// `smfi_insheader`.
    case insertHeader(index: Int, name: String, value: String)
    /// `smfi_chgheader`; an empty value deletes the header.
    case changeHeader(name: String, index: Int, value: String)
    /// `smfi_addrcpt`, or `smfi_addrcpt_par` when there are parameters.
    case addRecipient(String, parameters: ESMTPParameters)
    /// `smfi_delrcpt`.
    case deleteRecipient(String)
    /// `smfi_replacebody` (one piece of the new body).
    case replaceBody([UInt8])
    /// `smfi_chgfrom`.
    case changeFrom(String, parameters: ESMTPParameters)
    /// `smfi_quarantine`.
    case quarantine(reason: String)
    /// `smfi_progress`.
    case progress
    /// `smfi_setsymlist`.
    case setMacroList(MacroStage, [String])

    /// The libmilter function that performs this action.
    public var function: String {
        switch self {
        case .setReply(let reply): reply.lines.count > 1 ? "smfi_setmlreply" : "smfi_setreply"
        case .addHeader: "smfi_addheader"
        case .insertHeader: "smfi_insheader"
        case .changeHeader: "smfi_chgheader"
        case .addRecipient(_, let parameters): parameters.isEmpty ? "smfi_addrcpt" : "smfi_addrcpt_par"
        case .deleteRecipient: "smfi_delrcpt"
        case .replaceBody: "smfi_replacebody"
        case .changeFrom: "smfi_chgfrom"
        case .quarantine: "smfi_quarantine"
        case .progress: "smfi_progress"
        case .setMacroList: "smfi_setsymlist"
        }
    }

    /// The action flag the connection must have negotiated, if any.
    public var requiredFlag: ActionFlags? {
        switch self {
        case .setReply, .progress: nil
        case .addHeader, .insertHeader: .addHeaders
        case .changeHeader: .changeHeaders
        case .addRecipient(_, let parameters): parameters.isEmpty ? .addRecipients : .addRecipientsWithParameters
        case .deleteRecipient: .deleteRecipients
        case .replaceBody: .changeBody
        case .changeFrom: .changeFrom
        case .quarantine: .quarantine
        case .setMacroList: .setSymbolList
        }
    }

    /// Refuses what libmilter or the MTA would refuse, with an error naming the function: an
    /// action not negotiated, a message action outside end of message, a macro list outside
    /// negotiate, and arguments C cannot carry (NUL bytes, empty names, negative indexes).
    public func check(negotiated: NegotiatedOptions, callback: MilterCallback?) throws(MilterError) {
        if let flag = requiredFlag, !negotiated.actions.contains(flag) {
            throw .actionNotNegotiated(function: function, flag: flag)
        }
        switch self {
        case .setReply(let reply):
            do {
                try reply.checkSendableByMilter()
            } catch {
                throw .invalidReply(reason: error.reason)
            }
            return
        case .setMacroList:
            guard callback == .negotiate else {
                throw .wrongOrder(function: function, reason: "only allowed during negotiate (xxfi_negotiate)")
            }
            try checkMacroList()
            return
        default:
            guard callback == .endOfMessage else { throw .notAllowedHere(function: function, callback: callback) }
        }
        try checkArguments()
    }

    /// The most macros one stage's list may name: Sendmail and Postfix keep at most five per
    /// stage, and pymilter's `setsymlist` refuses more.
    public static let maximumMacrosPerStage = 5

    /// Refuses a macro list that is empty, names more than ``maximumMacrosPerStage`` macros, or
    /// has an empty name or one with spaces or control characters; other actions pass.
    func checkMacroList() throws(MilterError) {
        guard case .setMacroList(let stage, let macros) = self else { return }
        guard !macros.isEmpty else {
            throw .invalidArgument(function: function, reason: "the \(stage) macro list is empty")
        }
        guard macros.count <= Self.maximumMacrosPerStage else {
            throw .invalidArgument(
                function: function,
                reason: "the \(stage) macro list names \(macros.count) macros; at most \(Self.maximumMacrosPerStage) per stage")
        }
        for macro in macros where macro.isEmpty || macro.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            throw .invalidArgument(function: function, reason: "macro name \"\(macro)\" is empty or has spaces")
        }
    }

    private func checkArguments() throws(MilterError) {
        switch self {
        case .addHeader(let name, let value):
            try Self.checkHeader(name: name, value: value, function: function)
        case .insertHeader(let index, let name, let value):
            guard index >= 0 else { throw .invalidArgument(function: function, reason: "index \(index) is negative") }
            try Self.checkHeader(name: name, value: value, function: function)
        case .changeHeader(let name, let index, let value):
            guard index >= 0 else { throw .invalidArgument(function: function, reason: "index \(index) is negative") }
            try Self.checkHeader(name: name, value: value, function: function)
        case .addRecipient(let address, let parameters), .changeFrom(let address, let parameters):
            try Self.checkText(address, what: "address", function: function, allowEmpty: false)
            try Self.checkText(parameters.description, what: "parameters", function: function, allowEmpty: true)
        case .deleteRecipient(let address):
            try Self.checkText(address, what: "address", function: function, allowEmpty: false)
        case .quarantine(let reason):
            try Self.checkText(reason, what: "reason", function: function, allowEmpty: false)
        case .replaceBody(let bytes):
            guard bytes.count <= Int(Int32.max) else {
                throw .invalidArgument(function: function, reason: "a piece must be under 2 GiB")
            }
        case .setReply, .progress, .setMacroList:
            return
        }
    }

    private static func checkHeader(name: String, value: String, function: String) throws(MilterError) {
        let nameOK = !name.isEmpty && name.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
        guard nameOK else {
            throw .invalidArgument(function: function, reason: "header name \"\(name)\" must be printable ASCII without spaces or ':'")
        }
        try checkText(value, what: "header value", function: function, allowEmpty: true)
    }

    private static func checkText(_ text: String, what: String, function: String, allowEmpty: Bool) throws(MilterError) {
        if !allowEmpty && text.isEmpty {
            throw .invalidArgument(function: function, reason: "\(what) is empty")
        }
        if text.utf8.contains(0) {
            throw .invalidArgument(function: function, reason: "\(what) contains a NUL byte, which C strings cannot carry")
        }
    }

    /// The function and its main argument, e.g. `smfi_addheader(X-Spam, yes)`.
    public var description: String {
        switch self {
        case .setReply(let reply): "\(function)(\(reply))"
        case .addHeader(let name, let value): "\(function)(\(name), \(value))"
        case .insertHeader(let index, let name, let value): "\(function)(\(index), \(name), \(value))"
        case .changeHeader(let name, let index, let value): "\(function)(\(name), \(index), \(value))"
        case .addRecipient(let address, let parameters): "\(function)(\(address), \(parameters))"
        case .deleteRecipient(let address): "\(function)(\(address))"
        case .replaceBody(let bytes): "\(function)(\(bytes.count) bytes)"
        case .changeFrom(let address, let parameters): "\(function)(\(address), \(parameters))"
        case .quarantine(let reason): "\(function)(\(reason))"
        case .progress: "\(function)()"
        case .setMacroList(let stage, let macros): "\(function)(\(stage), \(macros.joined(separator: " ")))"
        }
    }
}
