import Configuration
import Filter
import Foundation
import Logging

/// Logging, bootstrapped once: `[log] target` (stderr, stdout or a file) and `format`.
enum LogSetup {
    static func bootstrap(_ settings: LogSettings) -> Logger {
        var descriptor = STDERR_FILENO
        switch settings.target {
        case "stderr": descriptor = STDERR_FILENO
        case "stdout": descriptor = STDOUT_FILENO
        default:
            let fd = open(settings.target, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            if fd >= 0 {
                descriptor = fd
            } else {
                FileHandle.standardError.write(Data("scanmilter: cannot open log file \(settings.target): \(String(cString: strerror(errno))); logging to stderr\n".utf8))
            }
        }
        let format = LogLineHandler.Format(rawValue: settings.format) ?? .text
        let level = Logger.Level(rawValue: settings.level.rawValue) ?? .info
        let output = descriptor
        LoggingSystem.bootstrap { label in
            LogLineHandler(label: label, descriptor: output, format: format, level: level)
        }
        return Logger(label: "scanmilter")
    }
}
