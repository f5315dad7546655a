internal import CClamAV
import Foundation
import Logging
import Synchronization

/// Routes libclamav's log messages (`cl_set_clcb_msg`) away from stderr.
///
/// libclamav reports *why* a call failed only as a log message ("No supported database files
/// found", "Malformed database"): the return code alone is not enough for a clear error. The
/// callback is process-wide and gets no context for load-time messages, so errors logged while a
/// call runs under ``capturing(_:)`` are collected for the calling thread. libclamav does its
/// loading on the thread that calls it, which is what makes a per-thread collector correct here.
enum LibraryMessages {
    /// Key of the current thread's collector in its thread dictionary.
    private static let key = "scanmilter.clamav.messages"

    /// Calls `body`, returning its result and the error/warning messages libclamav logged meanwhile.
    static func capturing<T>(_ body: () -> T) -> (T, [String]) {
        let collector = Collector()
        let dictionary = Thread.current.threadDictionary
        let previous = dictionary[key]
        dictionary[key] = collector
        defer { dictionary[key] = previous }
        let result = body()
        return (result, collector.messages)
    }

    /// Where messages logged outside ``capturing(_:)`` go (scans on any thread); none by default.
    static let logger = Mutex<Logger?>(nil)

    /// Installs the callback; called once by ``ClamAVLibrary``, before `cl_init`.
    static func install() {
        cl_set_clcb_msg { severity, _, message, _ in
            // Errors explain failures; warnings are kept too because libclamav reports some
            // refused database lines at warning level. Info and debug chatter is dropped.
            guard severity == CL_MSG_ERROR || severity == CL_MSG_WARN, let message else { return }
            let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else { return }
            if let collector = Thread.current.threadDictionary[LibraryMessages.key] as? Collector {
                if collector.messages.count < 20 { collector.messages.append(text) }
                return
            }
            guard let logger = LibraryMessages.logger.withLock({ $0 }) else { return }
            let level: Logger.Level = severity == CL_MSG_ERROR ? .error : .warning
            logger.log(level: level, "libclamav message", metadata: ["clamav.message": "\(text)"])
        }
    }

    /// Messages logged on one thread during one call.
    private final class Collector {
        var messages: [String] = []
    }
}
