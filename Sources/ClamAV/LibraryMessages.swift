internal import CClamAV
import Foundation

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

    /// Installs the callback; called once by ``ClamAVLibrary``, before `cl_init`.
    static func install() {
        cl_set_clcb_msg { severity, _, message, _ in
            // Only errors explain failures; warnings are kept too because libclamav reports some
            // refused database lines at warning level.
            guard severity == CL_MSG_ERROR || severity == CL_MSG_WARN, let message else { return }
            guard let collector = Thread.current.threadDictionary[LibraryMessages.key] as? Collector else { return }
            let text = String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty, collector.messages.count < 20 { collector.messages.append(text) }
        }
    }

    /// Messages logged on one thread during one call.
    private final class Collector {
        var messages: [String] = []
    }
}

/// libclamav's process-wide state: `cl_init` runs exactly once, on first use.
public enum ClamAVLibrary {
    /// The outcome of the one `cl_init`; thread-safe lazy initialisation of a static.
    private static let initialization: Result<Void, ClamAVError> = {
        LibraryMessages.install()
        do throws(ClamAVError) {
            try check("cl_init") { cl_init(UInt32(CL_INIT_DEFAULT)) }
            return .success(())
        } catch {
            return .failure(error)
        }
    }()

    /// Initialises libclamav if that has not happened yet; throws if it failed.
    public static func initialize() throws(ClamAVError) {
        try initialization.get()
    }

    /// The libclamav version, e.g. "1.4.6".
    public static var version: String { String(cString: cl_retver()) }

    /// The functionality level of the library; databases may require a minimum level.
    public static var functionalityLevel: Int { Int(cl_retflevel()) }
}
