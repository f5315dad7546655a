import ScanmilterConfiguration
import Foundation
import Logging
import Quarantine
import QuarantinePostgres

/// The quarantine's counts for `scanmilterctl status` (entries by status, plus the total and the
/// bytes held), or nil when there is no store yet or it cannot be read. Opening the store never
/// creates it here: status only looks. Works alike on the local and the shared store.
func statusQuarantineCounts(_ config: ScanmilterConfig) -> [String: Int]? {
    let location = QuarantineStoreOpener.Location(config.quarantine)
    if !location.isShared && !FileManager.default.fileExists(atPath: location.directory) { return nil }
    var logger = Logger(label: "scanmilterctl.status")
    logger.logLevel = .error
    guard let store = try? QuarantineStoreOpener.open(location, logger: logger, createIfMissing: false, applicationName: "scanmilterctl"),
          let stats = try? store.stats()
    else {
        return nil
    }
    var counts = stats.byStatus
    counts["entries"] = stats.entries
    counts["bytes"] = stats.bytes
    return counts
}
