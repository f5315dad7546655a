import CMilter
import Glibc
import Logging

// The C callbacks registered with libmilter, and the ownership of each connection's box.
//
// Ownership across C, kept in this one file: a connection's ConnectionBox is created at its
// first callback and handed to libmilter with `Unmanaged.passRetained` (smfi_setpriv); every
// later callback borrows it (`takeUnretainedValue`); close takes it back with
// `takeRetainedValue` and clears the pointer. close may come first (the MTA connected and left,
// or negotiation failed): then no box exists and nothing is made just to be released.
//
// No Swift error crosses into C: ResponseRules catches, logs once and answers the policy.

/// The connection's box, made on its first callback.
private func box(for ctx: OpaquePointer) -> ConnectionBox? {
    if let raw = smfi_getpriv(ctx) {
        return Unmanaged<ConnectionBox>.fromOpaque(raw).takeUnretainedValue()
    }
    let (registration, policy) = libmilterState.withLock { ($0.registration, $0.policy) }
    guard let registration else { return nil }
    var logger = registration.logger
    logger[metadataKey: "milter.conn_id"] = "\(connectionIDs.add(1, ordering: .relaxed).newValue)"
    let context = LibmilterContext(ctx: ctx, negotiated: NegotiatedOptions(actions: registration.flags, steps: []))
    do {
        let box = try registration.makeBox(context, ResponseRules(policy: policy, logger: logger, milterName: registration.name))
        guard smfi_setpriv(ctx, Unmanaged.passRetained(box).toOpaque()) == MI_SUCCESS else {
            // Balance the retain we just gave away; libmilter did not take it.
            Unmanaged.passUnretained(box).release()
            logger.error("smfi_setpriv failed; the connection gets the exception policy")
            return nil
        }
        contextsCreated.add(1, ordering: .relaxed)
        return box
    } catch {
        logger.error("making the connection's state failed; answering the exception policy",
                     metadata: ["error": "\(error)"])
        return nil
    }
}

/// Runs one step for the connection behind `ctx`.
private func run(_ ctx: OpaquePointer?, _ event: ConnectionEvent) -> sfsistat {
    guard let ctx else { return failureCode(nil, event.callback) }
    guard let box = box(for: ctx) else { return failureCode(ctx, event.callback) }
    let callback = event.callback
    box.context.currentCallback = callback
    defer { box.context.currentCallback = nil }
    let context = box.context
    return box.rules.answer(callback, context: context) { try box.dispatch(event) ?? .continue }.rawValue
}

/// The answer when no state could be made: the process-wide exception policy, with its reply
/// naming the filter and the callback, as for a callback that throws.
private func failureCode(_ ctx: OpaquePointer?, _ callback: MilterCallback) -> sfsistat {
    let (policy, name) = libmilterState.withLock { ($0.policy, $0.registration?.name) }
    guard let ctx, let name else { return policy.response.code.rawValue }
    let response = policy.response(milterName: name, callback: callback)
    if let reply = response.reply {
        // setReply needs no negotiated action; a failure leaves the MTA's generic text.
        try? LibmilterContext(ctx: ctx, negotiated: NegotiatedOptions(actions: [], steps: [])).setReply(reply)
    }
    return response.code.rawValue
}

private func string(_ pointer: UnsafePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    return String(decoding: UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)), as: UTF8.self)
}

private func bytes(_ pointer: UnsafePointer<CChar>?) -> [UInt8] {
    guard let pointer else { return [] }
    return Array(UnsafeRawBufferPointer(start: pointer, count: strlen(pointer)))
}

/// argv of envfrom/envrcpt: the address, then ESMTP parameters, NULL-terminated.
private func arguments(_ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> (String, ESMTPParameters) {
    guard let argv, let first = argv[0] else { return ("", []) }
    var parameters: [String] = []
    var index = 1
    while let argument = argv[index] {
        parameters.append(string(argument))
        index += 1
    }
    // The address keeps bytes that are not UTF-8 (EnvelopeText), so it can be handed back to
    // smfi_delrcpt exactly as the MTA sent it.
    return (EnvelopeText.string(bytes(first)), ESMTPParameters(parameters))
}

func milterNegotiate(
    _ ctx: OpaquePointer?, _ f0: UInt, _ f1: UInt, _ f2: UInt, _ f3: UInt,
    _ pf0: UnsafeMutablePointer<UInt>?, _ pf1: UnsafeMutablePointer<UInt>?,
    _ pf2: UnsafeMutablePointer<UInt>?, _ pf3: UnsafeMutablePointer<UInt>?
) -> sfsistat {
    guard let ctx, let box = box(for: ctx) else { return SMFIS_ALL_OPTS }
    // The protocol's flag words are 32 bits (mfdef.h); libmilter hands them over as unsigned long.
    let offer = NegotiationOffer(actions: ActionFlags(rawValue: UInt32(truncatingIfNeeded: f0)),
                                 steps: ProtocolSteps(rawValue: UInt32(truncatingIfNeeded: f1)))
    let context = box.context
    context.negotiated = NegotiatedOptions(actions: offer.actions, steps: offer.steps)
    context.currentCallback = .negotiate
    defer { context.currentCallback = nil }
    let result: NegotiationResult
    do {
        result = try box.negotiate(offer) ?? .allOptions
    } catch {
        // As pymilter does: a failed negotiation changes nothing and takes what is offered.
        box.rules.logger.error("negotiate failed; using everything the MTA offered", metadata: ["error": "\(error)"])
        result = .allOptions
    }
    // libmilter drops the connection if we ask for more than the MTA offered: options(for:)
    // cuts the answer down to the offer.
    let chosen = result.options(for: offer, defaultSteps: box.defaultSteps)
    if let chosen { context.negotiated = chosen }
    box.rules.logger.debug("negotiated", metadata: ["milter.negotiated": "\(chosen.map { "\($0)" } ?? "rejected")"])
    switch result {
    case .options:
        pf0?.pointee = UInt(chosen?.actions.rawValue ?? 0)
        pf1?.pointee = UInt(chosen?.steps.rawValue ?? 0)
        pf2?.pointee = 0
        pf3?.pointee = 0
        return SMFIS_CONTINUE
    case .allOptions:
        return SMFIS_ALL_OPTS
    case .reject:
        return SMFIS_REJECT
    }
}

func milterConnect(_ ctx: OpaquePointer?, _ hostname: UnsafeMutablePointer<CChar>?, _ address: UnsafeMutablePointer<sockaddr>?) -> sfsistat {
    run(ctx, .connect(hostname: string(hostname), address: peerAddress(address)))
}

func milterHelo(_ ctx: OpaquePointer?, _ name: UnsafeMutablePointer<CChar>?) -> sfsistat {
    run(ctx, .helo(string(name)))
}

func milterEnvelopeFrom(_ ctx: OpaquePointer?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> sfsistat {
    let (address, parameters) = arguments(argv)
    return run(ctx, .envelopeFrom(address, parameters))
}

func milterEnvelopeRecipient(_ ctx: OpaquePointer?, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> sfsistat {
    let (address, parameters) = arguments(argv)
    return run(ctx, .envelopeRecipient(address, parameters))
}

func milterHeader(_ ctx: OpaquePointer?, _ name: UnsafeMutablePointer<CChar>?, _ value: UnsafeMutablePointer<CChar>?) -> sfsistat {
    run(ctx, .header(MilterHeader(name: string(name), valueBytes: bytes(value))))
}

func milterEndOfHeaders(_ ctx: OpaquePointer?) -> sfsistat { run(ctx, .endOfHeaders) }

func milterBody(_ ctx: OpaquePointer?, _ chunk: UnsafeMutablePointer<UInt8>?, _ length: Int) -> sfsistat {
    run(ctx, .body(UnsafeRawBufferPointer(start: chunk, count: chunk == nil ? 0 : length)))
}

func milterEndOfMessage(_ ctx: OpaquePointer?) -> sfsistat { run(ctx, .endOfMessage) }

func milterAbort(_ ctx: OpaquePointer?) -> sfsistat { run(ctx, .abort) }

func milterData(_ ctx: OpaquePointer?) -> sfsistat { run(ctx, .data) }

func milterUnknown(_ ctx: OpaquePointer?, _ command: UnsafePointer<CChar>?) -> sfsistat {
    run(ctx, .unknown(string(command)))
}

func milterClose(_ ctx: OpaquePointer?) -> sfsistat {
    // Close before any other callback: no state exists, and none is made just to be released.
    guard let ctx, let raw = smfi_getpriv(ctx) else { return SMFIS_CONTINUE }
    smfi_setpriv(ctx, nil)
    let box = Unmanaged<ConnectionBox>.fromOpaque(raw).takeRetainedValue()
    contextsDeleted.add(1, ordering: .relaxed)
    let context = box.context
    context.currentCallback = .close
    return box.rules.answer(.close, context: context) { try box.dispatch(.close) ?? .continue }.rawValue
}
