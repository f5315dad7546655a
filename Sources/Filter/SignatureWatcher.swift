import Foundation
import Logging
import Sockets

/// Reloads the embedded engine when the signature directory changes (clamd's SelfCheck), every
/// `[scan] reload_check_interval`. A reload that fails leaves the running signatures in place.
final class SignatureWatcher: Sendable {
    private let service: FilterService
    private let reload: SignatureReload
    private let logger: Logger
    private let job: BackgroundJob

    init(service: FilterService, reload: SignatureReload, logger: Logger) throws {
        self.service = service
        self.reload = reload
        self.logger = logger
        job = try BackgroundJob(name: "signature watcher", logger: logger)
    }

    func start() {
        let interval = service.config.scan.reloadCheckInterval
        guard interval > 0, service.scanner.embedded != nil else { return }
        // The first look is taken here, not on the new thread: a change made right after start()
        // returns is then a change, whenever the thread gets to run.
        let first = Self.fingerprint(service.config.scan.databaseDir)
        job.start { [self] stop in watch(every: interval, from: first, stop: stop) }
    }

    func stop() {
        job.stop()
    }

    private func watch(every interval: Double, from first: [String], stop: StopSignal) {
        let directory = service.config.scan.databaseDir
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
            // A failure is logged and counted there; the running signatures stay.
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
