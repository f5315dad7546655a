import Foundation
import MIME

/// Message files named on the command line (`mime`, `scan`).
enum MessageFile {
    /// The message in `file`, mapped into memory; nil after one line on standard error
    /// (`scanmilterctl COMMAND: FILE: reason`) when it is missing, a directory or unreadable.
    static func open(_ file: String, command: String) -> MessageBytes? {
        do {
            return try MessageBytes(mappingFile: file)
        } catch {
            let reason = (error as? MessageBytesError)?.reason ?? "\(error)"
            // Unbuffered, so it interleaves sanely with what stdout printed before.
            FileHandle.standardError.write(Data("scanmilterctl \(command): \(file): \(reason)\n".utf8))
            return nil
        }
    }
}
