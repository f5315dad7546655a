import ClamAV
import Foundation
import Quarantine

/// Renders the Prometheus text exposition format (version 0.0.4) of a service's metrics:
/// https://prometheus.io/docs/instrumenting/exposition_formats/
struct MetricsExposition {
    /// The counts, taken once for the page.
    let metrics: Metrics.Snapshot
    /// The engine and its signatures.
    let scanner: ScannerHandle
    /// Whether the signatures are the demo database.
    let demo: Bool
    /// The quarantine's counts; nil without a store or when they could not be read.
    let quarantine: QuarantineStats?

    /// The whole `/metrics` page.
    func render() -> String {
        var text = PrometheusText()

        text.family("scanmilter_messages_total", "counter", "Messages decided, by verdict.")
        for (verdict, count) in metrics.messagesByVerdict.sorted(by: { $0.key < $1.key }) {
            text.sample("scanmilter_messages_total", ["verdict": verdict], count)
        }
        text.family("scanmilter_actions_total", "counter", "Messages decided, by the action taken.")
        for (action, count) in metrics.messagesByAction.sorted(by: { $0.key < $1.key }) {
            text.sample("scanmilter_actions_total", ["action": action], count)
        }
        text.counter("scanmilter_scanned_bytes_total", "Bytes of message content handed to the scanner.", metrics.bytesScanned)
        text.counter("scanmilter_received_bytes_total", "Bytes of message content the MTA sent, kept or not.", metrics.bytesReceived)
        text.counter("scanmilter_skips_total", "Body chunks answered SKIP because the message passed max_message_size.", metrics.skips)
        text.counter("scanmilter_oversize_messages_total", "Messages cut at max_message_size and scanned only in part.", metrics.oversize)
        text.family("scanmilter_scanner_errors_total", "counter", "Messages that could not be scanned completely, by reason.")
        for (reason, count) in metrics.unscannable.sorted(by: { $0.key < $1.key }) {
            text.sample("scanmilter_scanner_errors_total", ["reason": reason], count)
        }
        text.family("scanmilter_harmless_mismatches_total", "counter",
                    "Attachments whose name or declared type disagreed with harmless content (recorded, not refused), by kind.")
        for (kind, count) in metrics.harmlessMismatches.sorted(by: { $0.key < $1.key }) {
            text.sample("scanmilter_harmless_mismatches_total", ["kind": kind], count)
        }
        text.family("scanmilter_override_messages_total", "counter",
                    "Messages with a recipient under an [[override]], by override name and the action it chose for them.")
        for (key, count) in metrics.overrideMessages.sorted(by: { $0.key < $1.key }) {
            text.sample("scanmilter_override_messages_total", ["override": key.override, "action": key.action], count)
        }
        text.family("scanmilter_notifications_total", "counter",
                    "Notifications about stopped messages, by channel (mail, command) and result (sent, failed, suppressed).")
        for channel in NotificationKey.Channel.allCases {
            for result in NotificationKey.Result.allCases {
                let count = metrics.notifications[NotificationKey(channel: channel, result: result)] ?? 0
                text.sample("scanmilter_notifications_total", ["channel": channel.rawValue, "result": result.rawValue], count)
            }
        }
        text.family("scanmilter_stage_duration_seconds", "histogram", "Time per message spent in each stage (total: MAIL FROM to decision).")
        for stage in Metrics.stages {
            let histogram = metrics.durations[stage] ?? Histogram(bounds: Metrics.durationBuckets)
            text.histogram("scanmilter_stage_duration_seconds", ["stage": stage], histogram)
        }
        text.counter("scanmilter_reloads_total", "Signature reloads that succeeded.", metrics.reloads)
        text.counter("scanmilter_reload_failures_total", "Signature reloads that failed (the running signatures stayed).", metrics.reloadFailures)
        text.counter("scanmilter_connections_total", "SMTP connections the MTA handed to the milter.", metrics.connections)
        text.counter("scanmilter_bypassed_total", "Connections and messages accepted without scanning by a bypass rule.", metrics.bypassed)
        text.gauge("scanmilter_messages_in_flight", "Messages being decided right now.", Double(metrics.inFlight))
        text.family("scanmilter_build_info", "gauge", "The running version (label), the one in X-Virus-Scanned, the logs and the package; always 1.")
        text.sample("scanmilter_build_info", ["version": FilterService.version], 1)
        renderEngine(&text)
        renderQuarantine(&text)
        return text.output
    }

    private func renderEngine(_ text: inout PrometheusText) {
        let embedded = scanner.embedded
        let database = embedded?.database
        text.family("scanmilter_engine_info", "gauge", "The scanning engine and its signatures (labels); always 1.")
        text.sample("scanmilter_engine_info", [
            "backend": scanner.clamd != nil ? "clamd" : "clamav",
            "engine_version": scanner.clamd != nil ? "" : ClamAVLibrary.version,
            "database": scanner.backend.databaseDescription,
            "demo": demo ? "true" : "false",
        ], 1)
        text.gauge("scanmilter_engine_loaded", "1 when an engine with signatures is loaded (the clamd backend counts as loaded).", scanner.engineLoaded ? 1 : 0)
        if let database {
            text.gauge("scanmilter_signatures", "Signatures in the loaded database.", Double(database.signatureCount))
        }
        // Behind clamd: the oldest signatures a server in rotation runs.
        if let version = scanner.signatureVersion {
            text.gauge("scanmilter_signature_version", "Version of the main signed database (daily), when there is one.", Double(version))
        }
        if let built = scanner.signatureBuildTime {
            text.gauge("scanmilter_signature_build_timestamp_seconds", "When the loaded signatures were built (Unix time).", built.timeIntervalSince1970)
        }
        if let clamd = scanner.clamd { text.clamdServers(clamd.serverStatus) }
        if let isolated = scanner.isolated { text.scanWorkers(isolated.status) }
    }

    private func renderQuarantine(_ text: inout PrometheusText) {
        guard let stats = quarantine else { return }
        // A gauge; the total is sum(scanmilter_quarantine_entries) (a gauge never ends in _total).
        text.family("scanmilter_quarantine_entries", "gauge", "Entries in the quarantine, by status.")
        for (status, count) in stats.byStatus.sorted(by: { $0.key < $1.key }) {
            text.sample("scanmilter_quarantine_entries", ["status": status], count)
        }
        text.gauge("scanmilter_quarantine_bytes", "Bytes of stored messages in the quarantine.", Double(stats.bytes))
    }
}

/// Builds text in the Prometheus exposition format: families, samples, escaped labels.
struct PrometheusText {
    private(set) var output = ""

    mutating func family(_ name: String, _ type: String, _ help: String) {
        output += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Int) {
        sample(name, labels, Self.number(Double(value)))
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: String) {
        output += name + Self.labels(labels) + " " + value + "\n"
    }

    mutating func counter(_ name: String, _ help: String, _ value: Int) {
        family(name, "counter", help)
        sample(name, [:], value)
    }

    mutating func gauge(_ name: String, _ help: String, _ value: Double) {
        family(name, "gauge", help)
        sample(name, [:], Self.number(value))
    }

    mutating func histogram(_ name: String, _ labels: [String: String], _ histogram: Histogram) {
        for row in histogram.cumulative {
            sample(name + "_bucket", labels.merging(["le": row.bound]) { $1 }, row.count)
        }
        sample(name + "_sum", labels, Self.number(histogram.sum))
        sample(name + "_count", labels, histogram.count)
    }

    /// `{a="x",b="y"}` in key order, values escaped (backslash, quote, line feed), or "" for none.
    static func labels(_ labels: [String: String]) -> String {
        guard !labels.isEmpty else { return "" }
        let pairs = labels.sorted { order($0.key, $1.key) }.map { key, value in
            var escaped = ""
            for character in value {
                switch character {
                case "\\": escaped += "\\\\"
                case "\"": escaped += "\\\""
                case "\n", "\r\n": escaped += "\\n"
                default: escaped.append(character)
                }
            }
            return "\(key)=\"\(escaped)\""
        }
        return "{" + pairs.joined(separator: ",") + "}"
    }

    /// Label order: alphabetical, except `le` last, as Prometheus clients print it.
    private static func order(_ a: String, _ b: String) -> Bool {
        if a == "le" { return false }
        if b == "le" { return true }
        return a < b
    }

    /// A sample value: integers without a fraction, others in Swift's shortest round-trip form.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }
}
