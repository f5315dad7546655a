import Synchronization

/// Everything the daemon counts, kept once: connections, bypasses, messages in flight and by
/// verdict and action, bytes, stage durations, SKIPs, oversize messages, scanner errors, reloads.
/// One per ``FilterService``; `/status` and `/metrics` both read its ``snapshot``.
///
/// libmilter calls back on a pool of worker threads, so everything sits behind one `Mutex`; a
/// recording is a few dictionary updates, far below the cost of the scan it follows.
public final class Metrics: Sendable {
    /// Upper bounds (seconds) of the duration histograms' buckets: 1 ms to 2 minutes, which
    /// covers a parse of a small text mail up to a scan that meets `milter_content_timeout`.
    public static let durationBuckets: [Double] = [
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
    ]

    /// The stages timed per message, in exposition order.
    public static let stages = ["parse", "types", "scan", "total"]

    /// Everything counted so far.
    public struct Snapshot: Sendable, Equatable {
        /// SMTP connections the MTA handed to the milter.
        public var connections = 0
        /// Connections and messages accepted without scanning by a bypass rule.
        public var bypassed = 0
        /// Messages being decided right now.
        public var inFlight = 0
        public var messagesByVerdict: [String: Int] = [:]
        public var messagesByAction: [String: Int] = [:]
        /// Bytes of message content handed to the pipeline (what was kept, at most `max_message_size`).
        public var bytesScanned = 0
        /// Bytes the MTA sent, kept or not.
        public var bytesReceived = 0
        /// Times a body chunk was answered SKIP (the message passed `max_message_size`).
        public var skips = 0
        /// Messages cut at `max_message_size` (scanned only in part).
        public var oversize = 0
        /// Messages the scanner could not scan completely, by reason code (limit, encrypted, engine, ...).
        public var unscannable: [String: Int] = [:]
        /// Harmless type mismatches recorded (not acted on), by kind: type-mismatch, content-type-mismatch.
        public var harmlessMismatches: [String: Int] = [:]
        /// Messages with a recipient under an `[[override]]`, by override name and the action it chose.
        public var overrideMessages: [OverrideKey: Int] = [:]
        /// Notifications by channel (mail, command) and result (sent, failed, suppressed).
        public var notifications: [NotificationKey: Int] = [:]
        public var reloads = 0
        public var reloadFailures = 0
        /// Stage name → histogram of its durations in seconds.
        public var durations: [String: Histogram] = [:]
        public init() {}

        /// Messages decided (each has exactly one verdict).
        public var messages: Int { messagesByVerdict.values.reduce(0, +) }
    }

    private let state = Mutex(Snapshot())

    public init() {}

    /// Counts one message that reached the end-of-message stage.
    public func record(_ sample: MessageSample) {
        state.withLock { state in
            state.messagesByVerdict[sample.verdict, default: 0] += 1
            state.messagesByAction[sample.action, default: 0] += 1
            state.bytesScanned += sample.bytesScanned
            state.bytesReceived += sample.bytesReceived
            if sample.truncated { state.oversize += 1 }
            if let reason = sample.unscannableReason { state.unscannable[reason, default: 0] += 1 }
            for kind in sample.harmlessMismatchKinds { state.harmlessMismatches[kind, default: 0] += 1 }
            for (name, action) in sample.overrideActions {
                state.overrideMessages[OverrideKey(override: name, action: action), default: 0] += 1
            }
            for (stage, seconds) in sample.stageSeconds {
                state.durations[stage, default: Histogram(bounds: Self.durationBuckets)].observe(seconds)
            }
        }
    }

    /// Counts notifications: `count` of one channel with one result.
    public func recordNotification(_ channel: NotificationKey.Channel, _ result: NotificationKey.Result, count: Int = 1) {
        state.withLock { $0.notifications[NotificationKey(channel: channel, result: result), default: 0] += count }
    }

    /// Counts one connection handed to the milter.
    public func recordConnection() {
        state.withLock { $0.connections += 1 }
    }

    /// Counts one connection or message accepted by a bypass rule.
    public func recordBypass() {
        state.withLock { $0.bypassed += 1 }
    }

    /// Counts a message as in flight while `body` decides it.
    public func inFlight<Result>(_ body: () throws -> Result) rethrows -> Result {
        state.withLock { $0.inFlight += 1 }
        defer { state.withLock { $0.inFlight -= 1 } }
        return try body()
    }

    /// Counts one SKIP answer to a body chunk.
    public func recordSkip() {
        state.withLock { $0.skips += 1 }
    }

    /// Counts one signature reload, successful or not.
    public func recordReload(succeeded: Bool) {
        state.withLock { state in
            if succeeded { state.reloads += 1 } else { state.reloadFailures += 1 }
        }
    }

    /// A consistent copy of every counter.
    public var snapshot: Snapshot {
        state.withLock { $0 }
    }
}

/// A Prometheus histogram: counts per upper bound (not yet cumulative), their sum, their count.
public struct Histogram: Sendable, Equatable {
    /// Upper bounds, ascending; `+Inf` is implicit.
    public let bounds: [Double]
    /// Observations per bucket; the last slot is for values above every bound.
    public private(set) var buckets: [Int]
    public private(set) var sum = 0.0
    public private(set) var count = 0

    public init(bounds: [Double]) {
        self.bounds = bounds
        buckets = Array(repeating: 0, count: bounds.count + 1)
    }

    /// Adds one observation.
    public mutating func observe(_ value: Double) {
        let index = bounds.firstIndex { value <= $0 } ?? bounds.count
        buckets[index] += 1
        sum += value
        count += 1
    }

    /// `(le, cumulative count)` pairs as the exposition format wants them, `+Inf` last.
    public var cumulative: [(bound: String, count: Int)] {
        var running = 0
        var rows: [(bound: String, count: Int)] = []
        for (index, count) in buckets.enumerated() {
            running += count
            rows.append((index < bounds.count ? PrometheusText.number(bounds[index]) : "+Inf", running))
        }
        return rows
    }
}

/// A label pair of `scanmilter_override_messages_total`.
public struct OverrideKey: Sendable, Hashable, Comparable {
    public var override: String
    public var action: String

    public static func < (a: Self, b: Self) -> Bool { (a.override, a.action) < (b.override, b.action) }
}

/// A label pair of `scanmilter_notifications_total`.
public struct NotificationKey: Sendable, Hashable, Comparable {
    /// How people are told: a mail through the relay, or the `[notify] command` hook.
    public enum Channel: String, Sendable, CaseIterable {
        case mail, command
    }

    /// sent: delivered to the relay (or the command exited 0); failed: the relay refused or
    /// could not be reached (the command failed, or was killed); suppressed: not sent, past
    /// `max_per_minute` (counted in a summary) or the queue was full.
    public enum Result: String, Sendable, CaseIterable {
        case sent, failed, suppressed
    }

    public var channel: Channel
    public var result: Result

    public static func < (a: Self, b: Self) -> Bool { (a.channel.rawValue, a.result.rawValue) < (b.channel.rawValue, b.result.rawValue) }
}
