import ScanmilterConfiguration
import Filter
import Logging
import MIME
import Quarantine

/// The rescan a release runs first: the daemon's own pipeline (parser, type rules, the
/// configured scanner with the current signatures, the policy), offline.
enum QuarantineRescan {
    /// A rescan for `configuration`, or nil when no scanner can be set up (the release then
    /// says it did not rescan; `--force` is still needed for what was held).
    static func make(configuration: ScanmilterConfig) -> (([UInt8]) -> RescanResult?)? {
        makeSendable(configuration: configuration)
    }

    /// The same, callable from many requests of the web console at once: the pipeline is
    /// the daemon's, made for many milter threads (FilterService is Sendable).
    static func makeSendable(configuration: ScanmilterConfig) -> (@Sendable ([UInt8]) -> RescanResult?)? {
        var logger = Logger(label: "scanmilterctl.rescan")
        logger.logLevel = .warning
        var settings = configuration
        settings.actions = ActionSettings()
        guard let service = try? FilterService.make(config: settings, quarantine: nil, logger: logger) else { return nil }
        return { raw in
            let result = service.pipeline.evaluate(MessageBytes(raw), truncated: false, queueID: "")
            switch result.decision.verdict {
            case .clean: return .clean
            case .infected(let names): return .infected(names)
            case .banned(let rules): return .banned(rules)
            case .unscanned(let reason): return .unscannable(reason)
            }
        }
    }
}
