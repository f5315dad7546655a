import Configuration
import Quarantine

/// The rescan a release runs first. Scanning is wired in here (the embedded engine or clamd
/// from the configuration); until it is, nothing is rescanned and the release says so.
enum QuarantineRescan {
    /// A rescan for `configuration`, or nil when this build has no scanner to offer.
    static func make(configuration: ScanmilterConfig) -> (([UInt8]) -> RescanResult?)? {
        nil
    }
}
