public import ClamAV
import Foundation

/// The canary run a new set must pass before it is installed: every known-clean message in the
/// canary folder stays clean, and a built-in message carrying the EICAR test file is detected.
///
/// Messages are scanned whole with libclamav's own mail parser (the same bytes Postfix would
/// hand the daemon), so a signature that misfires on a header or a decoded part is caught.
public struct Canary: Sendable {
    /// The folder of known-clean messages; nil for none.
    public var directory: String?
    /// Whether the EICAR message must be detected.
    public var requireEICAR: Bool

    /// Makes a canary run.
    public init(directory: String?, requireEICAR: Bool) {
        self.directory = directory
        self.requireEICAR = requireEICAR
    }

    /// What a passed canary run checked.
    public struct Report: Sendable, Equatable, Codable {
        /// Known-clean messages that stayed clean.
        public var cleanMessages: Int
        /// What the EICAR message matched, or nil when it was not required.
        public var eicarDetectedAs: [String]?
    }

    /// Runs the canary over `engine`; throws ``UpdateError/Code/canaryFailed`` naming the first
    /// message that went wrong.
    public func run(_ engine: Engine) throws(UpdateError) -> Report {
        var clean = 0
        for file in try messages() {
            let bytes: Data
            do {
                bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            } catch {
                throw UpdateError(.configuration, "cannot read canary message \(file): \(error.localizedDescription)")
            }
            switch engine.scan(ArraySlice(bytes)) {
            case .clean:
                clean += 1
            case .matched(let names):
                throw UpdateError(.canaryFailed, "new database flags known-clean canary message \(file) as \(names.joined(separator: ", ")); not installed")
            case .failed(let error):
                throw UpdateError(.canaryFailed, "new database cannot scan canary message \(file): \(error); not installed")
            }
        }
        var eicar: [String]? = nil
        if requireEICAR {
            switch engine.scan(ArraySlice(Self.eicarMessage)) {
            case .matched(let names):
                eicar = names
            case .clean:
                throw UpdateError(.canaryFailed, "new database does not detect the EICAR test message; not installed")
            case .failed(let error):
                throw UpdateError(.canaryFailed, "new database cannot scan the EICAR test message: \(error); not installed")
            }
        }
        return Report(cleanMessages: clean, eicarDetectedAs: eicar)
    }

    /// The regular, non-hidden files in the canary folder, sorted.
    private func messages() throws(UpdateError) -> [String] {
        guard let directory, !directory.isEmpty else { return [] }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw UpdateError(.configuration, "canary_dir \(directory) cannot be read: \(error.localizedDescription)")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted().map { path(directory, $0) }.filter {
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: $0, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
    }

    /// A MIME message with the EICAR test file as a base64 attachment. The test string is
    /// assembled at run time so that the binary itself does not carry it whole.
    public static let eicarMessage: [UInt8] = {
        let eicar = "X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + "EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
        let attachment = Data(eicar.utf8).base64EncodedString()
        let message = [
            "From: canary@scanmilter.invalid",
            "To: postmaster@scanmilter.invalid",
            "Subject: scanmilter signature update canary",
            "Message-ID: <eicar-canary@scanmilter.invalid>",
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"canary-boundary\"",
            "",
            "--canary-boundary",
            "Content-Type: text/plain; charset=us-ascii",
            "",
            "This message carries the EICAR test file; a new signature set must detect it.",
            "--canary-boundary",
            "Content-Type: application/octet-stream; name=\"eicar.com\"",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment; filename=\"eicar.com\"",
            "",
            attachment,
            "--canary-boundary--",
            "",
        ].joined(separator: "\r\n")
        return Array(message.utf8)
    }()
}
