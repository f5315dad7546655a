import ClamAV
import ScanmilterConfiguration
import Dispatch
import Logging
public import Milter
import MIME

/// One SMTP connection as scanmilter sees it (a ``MilterHandler``): the envelope, the message
/// being buffered, and the bypass rules decided as early as each stage allows.
///
/// Thread confinement: libmilter calls a connection's callbacks one at a time, never two at once,
/// though successive ones may run on different worker threads (libmilter hands the connection
/// from one worker to the next with its own locking, which orders our writes before the next
/// callback's reads). So the stored properties below need no lock; nothing else ever sees this
/// object, and it never leaves its callbacks.
public final class ScanSession: MilterHandler {
    let service: FilterService
    var logger: Logger
    private var clientAddress: String?
    private var clientName = ""
    private var helo = ""
    private var connectionBypass: BypassReason?
    private var message: MessageState

    init(service: FilterService, connectionID: UInt64) {
        self.service = service
        var logger = service.logger
        logger[metadataKey: "milter.conn_id"] = "\(connectionID)"
        self.logger = logger
        let scan = service.config.scan
        message = MessageState(buffer: MessageBuffer(
            memoryThreshold: scan.memoryThreshold, maxSize: scan.maxMessageSize, temporaryDirectory: scan.tempDir))
    }

    // MARK: negotiation

    /// DATA is negotiated (and answered `continue` by the default callback) for its reply alone.
    ///
    /// Why: over TCP, Postfix's smtpd flushes the packets that expect no answer (the macros of
    /// steps negotiated away, no-reply RCPT) just before it hands the milter socket to cleanup;
    /// cleanup's first write then waits under Nagle's algorithm for their acknowledgement, which
    /// the milter's kernel delays by ~40 ms (delayed ACK). DATA's reply acknowledges everything
    /// first: one Postfix transaction went from ~20 to ~250 messages/s (README, Performance).
    public var implementedCallbacks: Set<MilterCallback> {
        [.connect, .helo, .envelopeFrom, .envelopeRecipient, .data, .header, .endOfHeaders, .body]
    }

    /// HELO, RCPT and each header never change the outcome on their own, so Postfix need not
    /// wait for their answers (one round trip less per header; SMFIP_NR_* lifted a C header and body
    /// filter from 8.3k to 21.2k messages/s on a unix socket).
    public var noReplyCallbacks: Set<MilterCallback> { [.helo, .envelopeRecipient, .header] }

    /// Header values arrive with their leading white space, so the stored and scanned message
    /// is the message as sent.
    public var protocolOptIns: ProtocolSteps { [.headerLeadingSpace] }

    /// What a decision may ask of the MTA: status headers, forged ones removed, a stripped body,
    /// the hold queue, recipients removed (their override quarantines or discards the message). The daemon registers with exactly these.
    public static let requiredActions: ActionFlags = [.addHeaders, .changeHeaders, .changeBody, .quarantine, .deleteRecipients]

    public var actions: ActionFlags { Self.requiredActions }

    // MARK: connection

    public func connect(hostname: String, address: PeerAddress, context: any MilterContext) throws -> MilterResponse {
        clientName = hostname
        switch address {
        case .inet(let text, _), .inet6(let text, _): clientAddress = text
        case .unix, .unknown: clientAddress = nil
        }
        logger[metadataKey: "client.addr"] = "\(clientAddress ?? address.description)"
        if let reason = BypassRules(service.config.policy).atConnect(clientAddress: clientAddress) {
            connectionBypass = reason
            service.metrics.recordBypass()
            logger.debug("connection bypassed", metadata: ["bypass": "\(reason.rawValue)"])
            return .accept  // no further callbacks for this connection: trusted mail costs nothing
        }
        return .continue
    }

    public func helo(_ name: String, context: any MilterContext) throws -> MilterResponse {
        helo = name
        return .continue
    }

    // MARK: message

    public func envelopeFrom(_ sender: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse {
        message.reset()
        message.sender = sender
        message.senderParameters = parameters.raw
        message.started = ContinuousClock.now
        if let reason = BypassRules(service.config.policy).atSender(sender, authenticatedUser: context.macro("{auth_authen}")) {
            service.metrics.recordBypass()
            logger.info("message bypassed", metadata: ["bypass": "\(reason.rawValue)", "mail.from": "\(sender)"])
            return .accept
        }
        return .continue
    }

    public func envelopeRecipient(_ recipient: String, parameters: ESMTPParameters, context: any MilterContext) throws -> MilterResponse {
        message.recipients.append(recipient)
        message.recipientParameters.append(parameters.raw)
        return .continue
    }

    public func header(_ header: MilterHeader, context: any MilterContext) throws -> MilterResponse {
        message.addHeader(header, statusNames: [service.config.headers.scannedName, service.config.headers.statusName, DecisionExecutor.mismatchHeaderName])
        return .continue
    }

    public func endOfHeaders(context: any MilterContext) throws -> MilterResponse {
        message.endHeaders()
        if let reason = BypassRules(service.config.policy).atRecipients(message.recipients) {
            service.metrics.recordBypass()
            logger.info("message bypassed", metadata: ["bypass": "\(reason.rawValue)", "mail.from": "\(message.sender)"])
            return .accept
        }
        return .continue
    }

    public func body(_ chunk: RawSpan, context: any MilterContext) throws -> MilterResponse {
        let kept = chunk.withUnsafeBytes { message.appendBody($0) }
        if kept { return .continue }
        // Past max_message_size (or the temp file failed): nothing more is needed. SKIP saves
        // Postfix sending the rest; without it, later chunks are counted and dropped.
        guard context.negotiated.steps.contains(.skip) else { return .continue }
        service.metrics.recordSkip()
        return .skip
    }

    public func endOfMessage(context: any MilterContext) throws -> MilterResponse {
        let queueID = context.macro("i") ?? ""
        var logger = self.logger
        logger[metadataKey: "mail.queue_id"] = "\(queueID)"
        defer { message.reset() }
        return service.metrics.inFlight { decide(queueID: queueID, logger: logger, context: context) }
    }

    /// Scans, decides, acts, logs and counts one message; the caller counts it in flight.
    private func decide(queueID: String, logger: Logger, context: any MilterContext) -> MilterResponse {
        // One of a bounded number of scan slots: the message's body stays in its (unlinked) temp
        // file until then, so memory does not grow with the number of connections.
        let outcome: MessageOutcome
        let acted: MilterResponseSummaryAndResponse
        let arrived = ContinuousClock.now
        if let ticket = service.admission.admit(timeout: Self.scanSlotWait) {
            defer {
                // A message too large to buffer in memory left the C heap fragmented (libclamav's
                // mail parser); give the pages back before the next one takes the slot.
                if message.buffer.isSpilled { ClamAVLibrary.returnFreeMemory() }
                ticket.finish()
            }
            // Parsed and typed in a local slot; scanned in the pool's when the pool is clamd.
            outcome = MessageOutcome.evaluate(message, queueID: queueID, pipeline: service.pipeline, logger: logger) { scans in
                // Both waits together stay within scanSlotWait, below Postfix's timeout.
                let waited = arrived.duration(to: .now).components.seconds
                return ticket.enterScanStage(scans: scans, timeout: max(1, Self.scanSlotWait - Double(waited)))
            }
            acted = service.decisionExecutor(logger: logger).apply(outcome, message: message, session: sessionFacts, context: context)
        } else {
            logger.warning("no scan slot became free in time; message temp-failed")
            outcome = MessageOutcome.unscannable(message, "scanner busy: no scan slot within \(Int(Self.scanSlotWait))s",
                                                 queueID: queueID, policies: service.pipeline.policies)
            acted = service.decisionExecutor(logger: logger).apply(outcome, message: message, session: sessionFacts, context: context)
        }
        outcome.logSummary(message: message, response: acted.summary, logger: logger)
        service.metrics.record(MessageSample(outcome: outcome, message: message))
        if let notifier = service.notifier, let notice = MessageNotice.make(
            outcome: outcome, message: message, session: sessionFacts, acted: acted.summary, queueID: queueID,
            host: service.hostname, policies: service.pipeline.policies, verdicts: notifier.verdicts) {
            // Queued, never sent here: the relay's speed cannot delay this answer.
            notifier.submit(notice)
        }
        return acted.response
    }

    /// How long a finished message waits for a scan slot before it is temp-failed; below
    /// Postfix's default milter_content_timeout (300 s), so Postfix hears our answer.
    static let scanSlotWait = 240.0

    public func abort(context: any MilterContext) throws -> MilterResponse {
        message.reset()
        return .continue
    }

    public func close(context: any MilterContext) throws -> MilterResponse {
        message.reset()
        return .continue
    }

    var sessionFacts: SessionFacts {
        SessionFacts(clientAddress: clientAddress ?? "", clientName: clientName, helo: helo)
    }
}

/// What the connection knows that a message's actions need.
struct SessionFacts {
    var clientAddress: String
    var clientName: String
    var helo: String
}
