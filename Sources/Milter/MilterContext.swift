/// One SMTP connection as a filter sees it: its macros and the actions it can ask of the MTA
/// (pymilter's `milterContext`, libmilter's `SMFICTX`).
///
/// Two implementations exist: the libmilter-backed one the callbacks of a running milter get,
/// and MilterTesting's recording one, which runs the same checks and writes down what was asked.
/// Both refuse an action the connection did not negotiate, and a message action outside end of
/// message, with a ``MilterError`` before anything is sent, as pymilter does.
///
/// A context is confined to its connection's callbacks: never keep it past `close` or hand it
/// to another thread or task.
public protocol MilterContext: AnyObject {
    /// The actions and protocol steps in force for this connection (the offer, during negotiate).
    var negotiated: NegotiatedOptions { get }
    /// The callback running now, or nil between callbacks.
    var currentCallback: MilterCallback? { get }
    /// The value of an MTA macro (`smfi_getsymval`; pymilter `getsymval`): `i`, `{auth_type}`.
    /// A one-letter name matches with or without braces, as in libmilter.
    func macro(_ name: String) -> String?
    /// Checks `action` with ``MilterAction/check(negotiated:callback:)`` and performs it.
    func perform(_ action: MilterAction) throws(MilterError)
}

extension MilterContext {
    /// Sets the reply for the current step's reject or tempfail (`smfi_setreply`/`smfi_setmlreply`; pymilter `setreply`).
    public func setReply(_ reply: SMTPReply) throws(MilterError) {
        try perform(.setReply(reply))
    }

    /// Builds and sets a reply of 1 to 32 lines (pymilter `setreply(rcode, xcode, msg, *ml)`);
    /// the text is literal, a `%` is escaped for libmilter.
    public func setReply(code: String, extendedCode: String? = nil, lines: [String]) throws(MilterError) {
        let reply: SMTPReply
        do {
            reply = try SMTPReply(code: code, extendedCode: extendedCode, lines: lines)
        } catch {
            throw .invalidReply(reason: error.reason)
        }
        try perform(.setReply(reply))
    }

    /// Appends a header (`smfi_addheader`, needs ``MilterProtocol/ActionFlags/addHeaders``; pymilter `addheader`).
    public func addHeader(_ name: String, value: String) throws(MilterError) {
        try perform(.addHeader(name: name, value: value))
    }

    /// Inserts a header at `index` (0 is the top) (`smfi_insheader`; pymilter `addheader(f, v, idx)`).
    public func insertHeader(_ name: String, value: String, at index: Int) throws(MilterError) {
        try perform(.insertHeader(index: index, name: name, value: value))
    }

    /// Changes the `index`th (1-based) header called `name`; an empty value deletes it
    /// (`smfi_chgheader`, needs ``MilterProtocol/ActionFlags/changeHeaders``; pymilter `chgheader`).
    public func changeHeader(_ name: String, index: Int = 1, value: String) throws(MilterError) {
        try perform(.changeHeader(name: name, index: index, value: value))
    }

    /// Deletes the `index`th (1-based) header called `name` (`smfi_chgheader` with no value).
    public func deleteHeader(_ name: String, index: Int = 1) throws(MilterError) {
        try perform(.changeHeader(name: name, index: index, value: ""))
    }

    /// Adds a recipient; with parameters it uses `smfi_addrcpt_par` and needs
    /// ``MilterProtocol/ActionFlags/addRecipientsWithParameters`` (pymilter `addrcpt`).
    public func addRecipient(_ address: String, parameters: ESMTPParameters = []) throws(MilterError) {
        try perform(.addRecipient(address, parameters: parameters))
    }

    /// Removes a recipient, spelled as the MTA sent it to envelopeRecipient (`smfi_delrcpt`; pymilter `delrcpt`).
    public func deleteRecipient(_ address: String) throws(MilterError) {
        try perform(.deleteRecipient(address))
    }

    /// Replaces the body; call repeatedly to send a long body in pieces (`smfi_replacebody`; pymilter `replacebody`).
    public func replaceBody(_ bytes: [UInt8]) throws(MilterError) {
        try perform(.replaceBody(bytes))
    }

    /// Replaces the body with a string's UTF-8 bytes; lines should end in CRLF.
    public func replaceBody(_ text: String) throws(MilterError) {
        try perform(.replaceBody(Array(text.utf8)))
    }

    /// Changes the envelope sender (`smfi_chgfrom`, needs ``MilterProtocol/ActionFlags/changeFrom``; pymilter `chgfrom`).
    public func changeFrom(_ address: String, parameters: ESMTPParameters = []) throws(MilterError) {
        try perform(.changeFrom(address, parameters: parameters))
    }

    /// Puts the message on hold in the MTA's quarantine (`smfi_quarantine`; pymilter `quarantine`).
    public func quarantine(reason: String) throws(MilterError) {
        try perform(.quarantine(reason: reason))
    }

    /// Tells the MTA the filter is still working, resetting its timeout (`smfi_progress`; pymilter `progress`).
    public func progress() throws(MilterError) {
        try perform(.progress)
    }

    /// Asks the MTA to send only these macros (at most ``MilterAction/maximumMacrosPerStage``)
    /// at `stage`; only during negotiate (`smfi_setsymlist`, needs ``MilterProtocol/ActionFlags/setSymbolList``; pymilter `setsymlist`).
    public func setMacroList(_ stage: MacroStage, macros: [String]) throws(MilterError) {
        try perform(.setMacroList(stage, macros))
    }

    /// Asks for the macros of a space-separated list, such as `"{auth_authen} {auth_type}"`, at
    /// `stage`, as pymilter's `setsymlist(stage, "a b")` takes them; at most
    /// ``MilterAction/maximumMacrosPerStage``.
    public func setMacroList(_ stage: MacroStage, macros: String) throws(MilterError) {
        try perform(.setMacroList(stage, macros.split(separator: " ", omittingEmptySubsequences: true).map(String.init)))
    }
}

/// Macro names to try for `name`: libmilter matches `i` and `{i}` alike.
public func macroNameVariants(_ name: String) -> [String] {
    if name.hasPrefix("{"), name.hasSuffix("}"), name.count == 3 {
        return [name, String(name.dropFirst().dropLast())]
    }
    if name.count == 1 { return [name, "{\(name)}"] }
    return [name]
}
