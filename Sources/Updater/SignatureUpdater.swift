import ClamAV
import Foundation
public import Logging

/// Updates the signature databases of one directory: download with libfreshclam into a staging
/// set, test-load the complete set in a scratch engine, run the canary, and only then install it
/// atomically, keeping the previous set for ``rollback()``.
///
/// Run it in a process of its own (`scanmilterctl update`): libfreshclam changes the working
/// directory and keeps global state. Every failure leaves the installed set as it was, is
/// recorded in the state file, and is thrown as one ``UpdateError`` line. Telling the daemon to
/// reload is the caller's step (``recordDaemonReload(_:confirmed:)`` keeps its answer).
public struct SignatureUpdater: Sendable {
    /// What to fetch and where to install it.
    public var configuration: UpdaterConfiguration
    /// Where progress goes.
    public var logger: Logger
    /// The directory's layout.
    public var layout: DatabaseLayout { DatabaseLayout(directory: configuration.databaseDirectory) }

    /// Makes an updater.
    public init(configuration: UpdaterConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Brings the set up to date; with `dryRun` stops after the tests, installing nothing.
    public func update(dryRun: Bool = false) throws(UpdateError) -> UpdateReport {
        try layout.prepare()
        let lock = try UpdateLock(path: layout.lockFile)
        defer { withExtendedLifetime(lock) {} }
        do {
            let report = try performUpdate(dryRun: dryRun)
            if !dryRun { record(report) }
            return report
        } catch {
            if !dryRun { record(error) }
            throw error
        }
    }

    /// Installs the previous good set again (after testing that it loads); the set it replaces
    /// becomes the previous one, so a second rollback undoes the first.
    public func rollback() throws(UpdateError) -> UpdateReport {
        try layout.prepare()
        let lock = try UpdateLock(path: layout.lockFile)
        defer { withExtendedLifetime(lock) {} }
        do throws(UpdateError) {
            let previous = FileManager.default.fileExists(atPath: layout.previous) ? try DatabaseSet(directory: layout.previous) : nil
            guard let previous, !previous.isEmpty else {
                throw UpdateError(.noPreviousSet, "no previous database set in \(layout.previous) to roll back to")
            }
            let signatures = try testLoad(layout.previous, what: "previous database set").signatures
            let (changed, removed) = try Installer(layout: layout).install(from: layout.previous)
            let report = UpdateReport(
                outcome: .rolledBack, databaseDirectory: layout.directory, changed: changed, removed: removed,
                databases: DatabaseVersion.all(in: layout.directory), signatureCount: signatures, canary: nil)
            record(report)
            return report
        } catch {
            record(error)
            throw error
        }
    }

    /// Keeps the daemon's answer to the reload that followed an install, for `status`;
    /// `confirmed: false` leaves the reload pending so the next update asks again.
    public func recordDaemonReload(_ answer: String, confirmed: Bool) {
        guard var state = UpdateState.read(from: layout.stateFile) else { return }
        state.daemon = answer
        state.reloadPending = !confirmed
        try? state.write(to: layout.stateFile)
    }

    private func performUpdate(dryRun: Bool) throws(UpdateError) -> UpdateReport {
        let live = try DatabaseSet(directory: layout.directory)
        try makeFreshDirectory(layout.staging)
        try makeFreshDirectory(layout.temporary)
        defer {
            removeTree(layout.staging)
            removeTree(layout.temporary)
        }
        try live.link(into: layout.staging)
        try download(liveSet: live)

        let candidate = try DatabaseSet(directory: layout.staging)
        let changed = candidate.changed(from: live)
        let removed = candidate.removed(from: live)
        guard !candidate.isEmpty else {
            throw UpdateError(.configuration, "nothing to install: no databases and no custom_urls are configured")
        }
        if changed.isEmpty && removed.isEmpty {
            logger.info("signature databases already current", metadata: ["update.directory": "\(layout.directory)"])
            return UpdateReport(
                outcome: .current, databaseDirectory: layout.directory, changed: [], removed: [],
                databases: DatabaseVersion.all(in: layout.directory), signatureCount: nil, canary: nil)
        }
        logger.info("testing new signature set", metadata: ["update.changed": "\(changed.joined(separator: ","))"])
        let tested = try testLoad(layout.staging, what: "new database set", canary: true)
        if dryRun {
            return UpdateReport(
                outcome: .tested, databaseDirectory: layout.directory, changed: changed, removed: removed,
                databases: DatabaseVersion.all(in: layout.staging), signatureCount: tested.signatures, canary: tested.canary)
        }
        let installed = try Installer(layout: layout).install(from: layout.staging)
        logger.info("installed new signature set", metadata: ["update.changed": "\(installed.changed.joined(separator: ","))"])
        return UpdateReport(
            outcome: .updated, databaseDirectory: layout.directory, changed: installed.changed, removed: installed.removed,
            databases: DatabaseVersion.all(in: layout.directory), signatureCount: tested.signatures, canary: tested.canary)
    }

    /// Runs libfreshclam over the staging set: signed databases, then custom URLs.
    private func download(liveSet live: DatabaseSet) throws(UpdateError) {
        let stagedState = path(layout.staging, "freshclam.dat")
        // libfreshclam's state (its UUID and any mirror cool-down) outlives the staging folder.
        try? FileManager.default.copyItem(atPath: layout.freshclamState, toPath: stagedState)
        defer {
            if FileManager.default.fileExists(atPath: stagedState) {
                removeTree(layout.freshclamState)
                try? FileManager.default.copyItem(atPath: stagedState, toPath: layout.freshclamState)
            }
        }
        let settings = FreshclamConfiguration(
            databaseDirectory: layout.staging, temporaryDirectory: layout.temporary, logFile: layout.logFile,
            userAgent: configuration.userAgent.isEmpty ? nil : configuration.userAgent,
            proxy: try configuration.freshclamProxy(), maxAttempts: configuration.maxAttempts,
            connectTimeout: configuration.connectTimeout, requestTimeout: configuration.requestTimeout,
            bytecode: configuration.engineOptions.bytecode)
        let largestFile = live.names.reduce(UInt64(0)) { largest, name in
            let size = (try? FileManager.default.attributesOfItem(atPath: path(live.directory, name))[.size] as? NSNumber)?.uint64Value ?? 0
            return max(largest, size)
        }
        var failure: UpdateError?
        do {
            try FreshclamSession.withSession(settings) { session in
                var dnsInfo: String? = nil
                if configuration.dnsVersionCheck {
                    do {
                        dnsInfo = try session.dnsUpdateInfo(server: UpdaterConfiguration.versionDNSName)
                    } catch {
                        // freshclam carries on without DNS too: the mirror's headers decide.
                        logger.warning("DNS version check failed", metadata: ["update.error": "\(error)"])
                    }
                }
                let servers = configuration.servers
                for name in configuration.databases {
                    do throws(FreshclamError) {
                        _ = try session.updateDatabase(name, servers: servers, privateMirror: !configuration.privateMirrors.isEmpty, dnsUpdateInfo: dnsInfo)
                    } catch {
                        failure = classify(error, what: "database \(name) from \(servers.joined(separator: ", "))", largestFile: largestFile)
                        return
                    }
                }
                for url in configuration.customURLs {
                    do throws(FreshclamError) {
                        _ = try session.downloadURL(url)
                    } catch {
                        failure = classify(error, what: url, largestFile: largestFile)
                        return
                    }
                }
            }
        } catch let error as FreshclamError {
            throw classify(error, what: "libfreshclam", largestFile: largestFile)
        } catch {
            throw UpdateError(.downloadInvalid, "download failed: \(error); installed database unchanged")
        }
        if let failure { throw failure }
    }

    /// Turns a libfreshclam failure into one clear line with the right code.
    private func classify(_ error: FreshclamError, what: String, largestFile: UInt64) -> UpdateError {
        let detail = "\(what): \(error.message); installed database unchanged"
        let free = layout.availableBytes()
        // libfreshclam seldom says ENOSPC outright: a full disk shows up as a short write while
        // unpacking, sometimes under a "connection failed" code. A failed write, or almost no
        // room left, is a full disk whatever the code.
        let text = error.message.lowercased()
        let failedWrite = ["no space left", "wrote 0 instead", "can't write", "cannot write"].contains { text.contains($0) }
        if failedWrite || (free.map { $0 < 1 << 20 } ?? false) {
            let room = free.map { " (\($0 / 1024) KiB free)" } ?? ""
            return UpdateError(.diskFull, "disk full in \(layout.directory)\(room) while updating \(detail)")
        }
        // A mirror answering 200 with an HTML page (a proxy's or CDN's error page) instead of
        // the database: the data is wrong, not the connection.
        if text.contains("malformed cvd header") {
            return UpdateError(.downloadInvalid, "refused \(what): the mirror sent something that is not a signed database (\(error.message)); installed database unchanged")
        }
        switch error.code {
        case .connection, .mirrorNotSynchronised:
            return UpdateError(.mirrorUnavailable, "mirror unavailable for \(detail)")
        case .forbidden, .retryLater:
            return UpdateError(.mirrorRefused, "mirror refused \(detail) (libfreshclam waits out a cool-down; see \(layout.freshclamState))")
        default:
            break
        }
        // Other failures with less room left than the largest database are most likely space too.
        if let free, free < largestFile {
            return UpdateError(.diskFull, "disk full in \(layout.directory) (\(free / 1024) KiB free) while updating \(detail)")
        }
        switch error.code {
        case .failedGet:
            return UpdateError(.mirrorUnavailable, "mirror unavailable or file missing for \(detail)")
        case .directoryAccess:
            return UpdateError(.notWritable, "cannot write \(layout.staging) for \(detail)")
        default:
            return UpdateError(.downloadInvalid, "refused \(detail)")
        }
    }

    /// Loads the complete set in `directory` in a scratch engine (and, with `canary`, runs the
    /// canary over it), then frees the engine before anything is installed.
    private func testLoad(_ directory: String, what: String, canary: Bool = false) throws(UpdateError) -> (signatures: Int, canary: Canary.Report?) {
        let engine: Engine
        do {
            engine = try Engine(databaseDirectory: directory, options: configuration.engineOptions)
        } catch {
            throw UpdateError(.loadFailed, "\(what) does not load: \(error); installed database unchanged")
        }
        guard canary else { return (engine.database.signatureCount, nil) }
        // Official sets (main, daily) detect EICAR; a set of custom files need not.
        let signed = DatabaseInfo.signedDatabases(in: directory).contains { $0.name != "bytecode" }
        let run = Canary(directory: configuration.canaryDirectory.isEmpty ? nil : configuration.canaryDirectory, requireEICAR: signed)
        let report = try run.run(engine)
        return (engine.database.signatureCount, report)
    }

    private func record(_ report: UpdateReport) {
        let now = Date()
        var state = UpdateState.read(from: layout.stateFile) ?? UpdateState(lastAttempt: now, outcome: "", message: "")
        state.lastAttempt = now
        state.outcome = report.outcome.rawValue
        state.message = report.summary
        state.errorCode = nil
        state.lastSuccess = now
        if report.outcome != .current {
            state.lastInstall = now
            state.daemon = nil
            state.reloadPending = true
        }
        write(state)
    }

    private func record(_ error: UpdateError) {
        // A busy lock is someone else's run: its state is theirs to write.
        guard error.code != .busy, error.code != .notWritable else { return }
        let now = Date()
        var state = UpdateState.read(from: layout.stateFile) ?? UpdateState(lastAttempt: now, outcome: "", message: "")
        state.lastAttempt = now
        state.outcome = "failed"
        state.message = error.message
        state.errorCode = error.code.name
        write(state)
    }

    private func write(_ state: UpdateState) {
        do {
            try state.write(to: layout.stateFile)
        } catch {
            logger.warning("cannot write update state", metadata: ["update.state_file": "\(layout.stateFile)", "update.error": "\(error)"])
        }
    }
}
