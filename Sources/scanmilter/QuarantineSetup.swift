import Configuration
import Filter
import Logging

/// The quarantine store the `quarantine` action writes to.
enum QuarantineSetup {
    static func sink(_ settings: ScanmilterConfig, logger: Logger) throws -> (any QuarantineSink)? {
        nil
    }
}
