import Configuration
import Foundation
import Logging
import Quarantine

/// The quarantine's counts for `scanmilterctl status` (entries by status, plus the total and the
/// bytes held), or nil when there is no store at `[quarantine] dir` yet. Opening the store never
/// creates it here: status only looks.
func statusQuarantineCounts(_ config: ScanmilterConfig) -> [String: Int]? {
    let directory = config.quarantine.dir
    guard FileManager.default.fileExists(atPath: directory) else { return nil }
    var logger = Logger(label: "scanmilterctl.status")
    logger.logLevel = .error
    guard let store = try? QuarantineStore(directory: directory, logger: logger), let stats = try? store.stats() else {
        return nil
    }
    var counts = stats.byStatus
    counts["entries"] = stats.entries
    counts["bytes"] = stats.bytes
    return counts
}
