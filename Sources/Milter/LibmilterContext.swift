import CMilter
import Glibc

/// The ``MilterContext`` of a running milter: libmilter's `SMFICTX` for one connection.
///
/// Touched only from its connection's callbacks. libmilter never runs two callbacks of one
/// connection at once, so the mutable fields need no lock even though successive callbacks may
/// run on different worker threads (the worker hand-off goes through libmilter's own mutex,
/// which orders the memory accesses).
final class LibmilterContext: MilterContext {
    /// libmilter's handle; valid while the connection lives (until close returns).
    let ctx: OpaquePointer
    var negotiated: NegotiatedOptions
    var currentCallback: MilterCallback?

    init(ctx: OpaquePointer, negotiated: NegotiatedOptions) {
        self.ctx = ctx
        self.negotiated = negotiated
    }

    func macro(_ name: String) -> String? {
        // libmilter itself matches `i` and `{i}` alike.
        let value = name.withCString { smfi_getsymval(ctx, UnsafeMutablePointer(mutating: $0)) }
        guard let value else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: value, count: strlen(value)), as: UTF8.self)
    }

    func perform(_ action: MilterAction) throws(MilterError) {
        try action.check(negotiated: negotiated, callback: currentCallback)
        let function = action.function
        let rc: Int32
        switch action {
        case .setReply(let reply):
            rc = Self.setReply(ctx, reply)
        case .addHeader(let name, let value):
            rc = withC(name, value) { smfi_addheader(ctx, $0, $1) }
        case .insertHeader(let index, let name, let value):
            rc = withC(name, value) { smfi_insheader(ctx, Int32(clamping: index), $0, $1) }
        case .changeHeader(let name, let index, let value):
            rc = withC(name, value) { name, value in
                // An empty value deletes; libmilter wants NULL for that.
                smfi_chgheader(ctx, name, Int32(clamping: index), value.pointee == 0 ? nil : value)
            }
        case .addRecipient(let address, let parameters):
            if parameters.isEmpty {
                rc = withC(envelope: address, "") { address, _ in smfi_addrcpt(ctx, address) }
            } else {
                rc = withC(envelope: address, parameters.description) { smfi_addrcpt_par(ctx, $0, $1) }
            }
        case .deleteRecipient(let address):
            rc = withC(envelope: address, "") { address, _ in smfi_delrcpt(ctx, address) }
        case .replaceBody(let bytes):
            rc = bytes.withUnsafeBufferPointer { buffer in
                smfi_replacebody(ctx, UnsafeMutablePointer(mutating: buffer.baseAddress), Int32(buffer.count))
            }
        case .changeFrom(let address, let parameters):
            rc = withC(envelope: address, parameters.description) { address, parameters in
                smfi_chgfrom(ctx, address, parameters.pointee == 0 ? nil : parameters)
            }
        case .quarantine(let reason):
            rc = withC(reason, "") { reason, _ in smfi_quarantine(ctx, reason) }
        case .progress:
            rc = smfi_progress(ctx)
        case .setMacroList(let stage, let macros):
            rc = withC(macros.joined(separator: " "), "") { list, _ in smfi_setsymlist(ctx, stage.rawValue, list) }
        }
        guard rc == MI_SUCCESS else { throw .callFailed(function: function) }
    }

    /// `smfi_setreply` for one line, the `cmilter_setmlreply` shim for more.
    private static func setReply(_ ctx: OpaquePointer, _ reply: SMTPReply) -> Int32 {
        let code = strdup(String(reply.code))
        let extended = reply.enhancedCode.map { strdup($0) }
        // Literal text in, the `%%` escapes libmilter's callers must write out (smfi_setreply(3)).
        let lines = reply.escapedLines.map { strdup($0) }
        defer {
            free(code)
            if let extended { free(extended) }
            lines.forEach { free($0) }
        }
        guard let code, extended.map({ $0 != nil }) ?? true, lines.allSatisfy({ $0 != nil }) else { return MI_FAILURE }
        if lines.count == 1 {
            return smfi_setreply(ctx, code, extended ?? nil, lines[0])
        }
        let constLines: [UnsafePointer<CChar>?] = lines.map { UnsafePointer($0) }
        return constLines.withUnsafeBufferPointer { buffer in
            cmilter_setmlreply(ctx, code, extended.map { UnsafePointer($0) } ?? nil, buffer.baseAddress, Int32(buffer.count))
        }
    }
}

/// Calls `body` with two mutable C strings; libmilter's prototypes lack `const` but do not write.
private func withC(
    _ first: String, _ second: String,
    _ body: (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<CChar>) -> Int32
) -> Int32 {
    first.withCString { a in
        second.withCString { b in
            body(UnsafeMutablePointer(mutating: a), UnsafeMutablePointer(mutating: b))
        }
    }
}

/// As ``withC(_:_:_:)``, with `address` as the bytes it stands for (``EnvelopeText``): an
/// address read from the MTA goes back byte for byte.
private func withC(
    envelope address: String, _ second: String,
    _ body: (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<CChar>) -> Int32
) -> Int32 {
    var bytes = EnvelopeText.bytes(address).map { CChar(bitPattern: $0) }
    bytes.append(0)
    return bytes.withUnsafeMutableBufferPointer { address in
        second.withCString { b in
            // Non-empty: the terminating NUL was appended above.
            guard let base = address.baseAddress else { return MI_FAILURE }
            return body(base, UnsafeMutablePointer(mutating: b))
        }
    }
}
