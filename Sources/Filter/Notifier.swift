import ScanmilterConfiguration
import Dispatch
import Foundation
import Logging
import Quarantine
import StableJSON
import Synchronization

/// Tells people that a message was stopped (`[notify]`): the administrators, if asked the held
/// recipients and the sender, and the hook command. All of it happens on the notifier's own
/// thread, from a bounded queue: ``submit(_:)`` never waits, so a slow or failing relay or hook
/// never delays a message or changes what happens to it. A full queue drops the newest notices
/// (counted as suppressed and logged).
final class Notifier: Sendable {
    private let settings: NotifySettings
    private let submission: MailSubmission
    private let hook: HookCommand?
    private let mail: NotificationMail
    private let temporaryDirectory: String
    private let metrics: Metrics
    private let logger: Logger
    private let job: BackgroundJob
    private let queue = Mutex<[MessageNotice]>([])
    /// Signalled for each notice queued, so the thread wakes at once.
    private let wake = DispatchSemaphore(value: 0)
    /// Touched by the notifier's thread only; in a Mutex because the class is shared.
    private let limit: Mutex<NotificationRateLimit>
    /// Whether a full queue has been logged since the queue last had room.
    private let overflowing = Atomic<Bool>(false)

    /// The notifier the configuration asks for, or nil when nobody is to be told of anything.
    /// Throws a startup error when the relay is not `HOST:PORT`.
    static func make(config: ScanmilterConfig, hostname: String, metrics: Metrics, logger: Logger) throws -> Notifier? {
        let notify = config.notify
        let anyAdmins = !notify.admins.isEmpty || config.overrides.contains { !($0.notifyAdmins ?? []).isEmpty }
        guard anyAdmins || notify.recipients || notify.sender || !notify.command.isEmpty, !notify.verdicts.isEmpty else { return nil }
        let relay = notify.relay.isEmpty ? config.quarantine.releaseRelay : notify.relay
        guard let submission = MailSubmission(relay: relay, heloName: hostname, timeout: notify.timeout) else {
            throw FilterService.StartupError(component: "[notify] relay", message: "'\(relay)' is not HOST:PORT")
        }
        if let program = notify.command.first, !FileManager.default.isExecutableFile(atPath: program) {
            // Refused at start, not found out one failed run per stopped message later.
            throw FilterService.StartupError(component: "[notify] command", message: "\(program) is not an executable file")
        }
        return try Notifier(
            settings: notify, submission: submission, hostname: hostname, temporaryDirectory: config.scan.tempDir,
            metrics: metrics, logger: logger)
    }

    init(
        settings: NotifySettings, submission: MailSubmission, hostname: String, temporaryDirectory: String, metrics: Metrics,
        logger: Logger
    ) throws {
        self.settings = settings
        self.submission = submission
        hook = settings.command.isEmpty
            ? nil : HookCommand(argv: settings.command, timeout: .milliseconds(Int64(settings.commandTimeout * 1000)))
        mail = NotificationMail(from: settings.from, host: hostname)
        self.temporaryDirectory = temporaryDirectory
        self.metrics = metrics
        self.logger = logger
        limit = Mutex(NotificationRateLimit(limit: settings.maxPerMinute))
        job = try BackgroundJob(name: "notifier", logger: logger)
    }

    /// The verdicts `[notify] verdicts` names.
    var verdicts: [NotifyVerdict] { settings.verdicts }
    /// Whether held recipients are told.
    var tellsRecipients: Bool { settings.recipients }

    /// Queues `notice`; returns at once whatever the relay is doing.
    func submit(_ notice: MessageNotice) {
        let queued = queue.withLock { pending in
            guard pending.count < settings.queueSize else { return false }
            pending.append(notice)
            return true
        }
        if queued {
            overflowing.store(false, ordering: .relaxed)
            wake.signal()
            return
        }
        metrics.recordNotification(.mail, .suppressed)
        if !overflowing.exchange(true, ordering: .relaxed) {
            logger.warning("notification queue full; new notifications are dropped until it drains",
                           metadata: ["notify.queue_size": "\(settings.queueSize)", "mail.queue_id": "\(notice.queueID)"])
        }
    }

    /// Starts the thread that sends.
    func start() {
        job.start { [self] stop in
            while !stop.isSignalled {
                _ = wake.wait(timeout: .now() + .milliseconds(500))
                sendDueSummary()
                while !stop.isSignalled, let notice = next() { deliver(notice) }
            }
            let left = queue.withLock { $0.count }
            if left > 0 { logger.warning("notifier stopped with notifications unsent", metadata: ["count": "\(left)"]) }
        }
    }

    /// Stops the thread; a relay conversation in progress is not waited for past a few seconds.
    func stop() {
        job.stop(waitingUpTo: .seconds(5))
    }

    /// The notices waiting to be sent (for tests and status).
    var pending: [MessageNotice] { queue.withLock { $0 } }

    private func next() -> MessageNotice? {
        queue.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }

    /// Everything one notice asks for: the administrators' mail, the held recipients' and the
    /// sender's (when configured), then the hook.
    func deliver(_ notice: MessageNotice) {
        let line = "\(notice.queueID): \(notice.status) from <\(notice.sender)>, \(notice.action)"
        if !notice.admins.isEmpty {
            send(mail.admin(notice, subject: settings.subject), to: notice.admins, kind: "admins", notice: notice, line: line)
        }
        if settings.recipients {
            for recipient in notice.held {
                let message = mail.personal(
                    notice, to: recipient, subject: "[scanmilter] a message for you was held (\(notice.quarantineID ?? "hold queue"))",
                    text: settings.recipientText)
                send(message, to: [recipient], kind: "recipient", notice: notice, line: line)
            }
        }
        if settings.sender {
            if let refusal = Self.senderRefusal(notice) {
                logger.info("sender not notified", metadata: ["mail.queue_id": "\(notice.queueID)", "reason": "\(refusal)"])
            } else {
                let message = mail.personal(
                    notice, to: notice.sender, subject: "[scanmilter] your message was not delivered", text: settings.senderText)
                send(message, to: [notice.sender], kind: "sender", notice: notice, line: line)
            }
        }
        if let hook { runHook(hook, notice) }
    }

    private func send(_ message: [UInt8], to recipients: [String], kind: String, notice: MessageNotice, line: String) {
        let admitted = limit.withLock { $0.admit(line, admins: notice.admins, now: .now) }
        guard admitted else {
            metrics.recordNotification(.mail, .suppressed)
            return
        }
        transmit(message, to: recipients, metadata: ["mail.queue_id": "\(notice.queueID)", "notify.to": "\(kind)"])
    }

    private func transmit(_ message: [UInt8], to recipients: [String], metadata: Logger.Metadata) {
        do {
            // Notifications may carry UTF-8 text (a subject); the client passes BODY=8BITMIME on
            // only when the relay offers it.
            let reply = try submission.send(message, from: settings.from, to: recipients, parameters: ["BODY=8BITMIME"])
            metrics.recordNotification(.mail, .sent)
            logger.info("notification sent", metadata: metadata.merging(["smtp.reply": "\(reply)"]) { $1 })
        } catch {
            metrics.recordNotification(.mail, .failed)
            logger.warning("notification not sent", metadata: metadata.merging([
                "error": "\(error)", "notify.relay": "\(submission.relay)",
            ]) { $1 })
        }
    }

    private func sendDueSummary() {
        guard let summary = limit.withLock({ $0.dueSummary(now: .now) }) else { return }
        let admins = summary.admins.isEmpty ? settings.admins : summary.admins
        logger.notice("notifications past max_per_minute were suppressed; sending a summary",
                      metadata: ["count": "\(summary.count)", "notify.max_per_minute": "\(settings.maxPerMinute)"])
        guard !admins.isEmpty else { return }
        transmit(mail.summary(to: admins, suppressed: summary.count, lines: summary.lines), to: admins, metadata: ["notify.to": "summary"])
    }

    private func runHook(_ hook: HookCommand, _ notice: MessageNotice) {
        let input: [UInt8]
        do {
            input = Array((try StableJSONEncoder().encode(notice) + "\n").utf8)
        } catch {
            logger.error("hook input could not be written", metadata: ["error": "\(error)"])
            metrics.recordNotification(.command, .failed)
            return
        }
        let outcome = hook.run(input: input, temporaryDirectory: temporaryDirectory)
        var metadata: Logger.Metadata = ["mail.queue_id": "\(notice.queueID)", "notify.command": "\(hook.argv.first ?? "")"]
        if !outcome.output.isEmpty { metadata["notify.command_output"] = "\(outcome.output)" }
        switch outcome.ending {
        case .exited(0):
            metrics.recordNotification(.command, .sent)
            logger.debug("notify command done", metadata: metadata)
            return
        case .exited(let status): metadata["notify.command_exit"] = "\(status)"
        case .signalled(let signal): metadata["notify.command_signal"] = "\(signal)"
        case .killed: metadata["notify.command_killed"] = "after \(settings.commandTimeout)s"
        case .notStarted(let reason): metadata["error"] = "\(reason)"
        }
        metrics.recordNotification(.command, .failed)
        logger.warning("notify command failed; the message's fate is unchanged", metadata: metadata)
    }

    /// Why the sender must not be told, or nil: never a null sender (a bounce), an address
    /// without a proper domain, an automated or role sender, or an infected message's sender
    /// (viruses forge the sender nearly always: the mail would go to an innocent third party).
    static func senderRefusal(_ notice: MessageNotice) -> String? {
        var sender = Substring(notice.sender)
        if sender.hasPrefix("<"), sender.hasSuffix(">"), sender.count >= 2 { sender = sender.dropFirst().dropLast() }
        guard !sender.isEmpty else { return "null sender" }
        guard case .address? = RecipientPattern(String(sender))?.kind,
              let at = sender.lastIndex(of: "@"), sender[sender.index(after: at)...].contains(".")
        else { return "not a plain address with a domain" }
        let local = sender[..<at].lowercased()
        let automated = ["mailer-daemon", "postmaster", "noreply", "no-reply", "donotreply", "do-not-reply", "bounce", "bounces", "root", "nobody"]
        if automated.contains(local) || local.hasPrefix("bounce") || local.hasPrefix("owner-") || local.hasSuffix("-request") {
            return "automated or role sender"
        }
        if notice.verdict == "infected" { return "infected mail forges its sender" }
        return nil
    }
}
