import ScanmilterConfiguration
import Filter
import Foundation
import Logging

/// Logging, bootstrapped once: `[log] target` (stderr, stdout, syslog or a file), `format`,
/// `facility`; under systemd, stderr lines carry the journal's priority prefixes.
enum LogSetup {
    /// The logger, and the log file when the target is one (reopened on SIGUSR1 once started).
    static func bootstrap(_ settings: LogSettings, environment: [String: String]) -> (Logger, LogFile?) {
        let format = LogLineHandler.Format(rawValue: settings.format) ?? .text
        let level = Logger.Level(rawValue: settings.level.rawValue) ?? .info
        var file: LogFile?
        let destination: LogLineHandler.Destination
        // stdout or stderr: into the journal with priorities when systemd connected it there.
        func stream(_ descriptor: Int32) -> LogLineHandler.Destination {
            LogLineHandler.isJournalStream(descriptor, environment: environment) ? .journal(descriptor) : .descriptor(descriptor)
        }
        switch settings.target {
        case "stderr", "stdout":
            destination = stream(settings.target == "stdout" ? STDOUT_FILENO : STDERR_FILENO)
        case let target where target == "syslog" || target.hasPrefix("syslog:"):
            let path = target == "syslog" ? "/dev/log" : String(target.dropFirst("syslog:".count))
            // The key's check accepts only named facilities; mail is the default.
            let facility = LogSettings.syslogFacilities[settings.facility] ?? 2
            destination = .syslog(SyslogWriter(path: path, facility: facility))
        default:
            do {
                file = try LogFile(path: settings.target)
            } catch {
                FileHandle.standardError.write(Data("scanmilter: cannot open log file: \(error); logging to stderr\n".utf8))
            }
            destination = file.map { .descriptor($0.descriptor) } ?? stream(STDERR_FILENO)
        }
        LoggingSystem.bootstrap { label in
            LogLineHandler(label: label, destination: destination, format: format, level: level)
        }
        return (Logger(label: "scanmilter"), file)
    }
}
