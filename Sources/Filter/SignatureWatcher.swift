import Foundation
import Logging
import Sockets

/// Reloads the embedded engine when the signature directory changes (clamd's SelfCheck), every
/// `[scan] reload_check_interval`. A reload that fails leaves the running signatures in place.
final class SignatureWatcher: Sendable {
    private let directory: String
    private let interval: Double
    private let reload: SignatureReload
    private let job: BackgroundJob

    /// Watches `directory` every `interval` seconds (0: never) and reloads with `reload`.
    init(directory: String, interval: Double, reload: SignatureReload) throws {
        self.directory = directory
        self.interval = interval
        self.reload = reload
        job = try BackgroundJob(name: "signature watcher", logger: reload.logger)
    }

    func start() {
        guard interval > 0, reload.scanner.embedded != nil else { return }
        // The first look is taken here, not on the new thread: a change made right after start()
        // returns is then a change, whenever the thread gets to run.
        let first = Self.fingerprint(directory)
        job.start { [self] stop in watch(from: first, stop: stop) }
    }

    func stop() {
        job.stop()
    }

    private func watch(from first: [String], stop: StopSignal) {
        var last = first
        while !stop.wait(for: .seconds(interval)) {
            var now = Self.fingerprint(directory)
            guard now != last else { continue }
            // An update or a copy may still be writing: wait until two looks 0.5 s apart agree
            // (at most 30 s), so that one change is one reload of complete files.
            for _ in 0..<60 {
                if stop.wait(for: .milliseconds(500)) { return }
                let again = Self.fingerprint(directory)
                if again == now { break }
                now = again
            }
            last = now
            // Logged and counted by the reload; the running signatures stay when it fails.
            _ = try? reload.run(trigger: "directory change")
        }
    }

    /// Names, sizes and modification times of the directory's files; hidden files (the temp
    /// files of atomic writes) are not signatures and do not count.
    static func fingerprint(_ directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().compactMap { name in
            var info = stat()
            guard stat("\(directory)/\(name)", &info) == 0 else { return nil }
            return "\(name):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
        }
    }
}
