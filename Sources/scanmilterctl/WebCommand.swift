import ArgumentParser
import ScanmilterConfiguration
import Foundation
import Logging
import Quarantine
import WebConsole

/// `scanmilterctl web`: the quarantine web console, its JSON API and the recipient digests.
struct WebCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "web",
        abstract: "Serve the quarantine web console and API on [web] listen.",
        discussion: """
            Administrators sign in as users of [web] users_file (htpasswd -B); the API takes the \
            same users over HTTP Basic, or bearer tokens from [web] api_tokens_file, and is \
            described at /api/openapi.yaml. Releases are rescanned first, like quarantine \
            release. With [web] digest_interval set, each recipient with held mail gets a \
            digest with signed links. Several consoles may share one store.

            --send-digests sends one round of digests now and exits (for cron, or a test).

            Exit status: 0 after a clean stop; 78 (EX_CONFIG) when [web] is incomplete or a \
            file it names cannot be used; 66 (EX_NOINPUT) when the store does not exist.
            """
    )

    @OptionGroup var options: QuarantineOptions

    @Flag(help: "Send one round of recipient digests now, then exit.")
    var sendDigests = false

    func run() async throws {
        let configuration = try options.loadConfiguration()
        let web = configuration.web
        guard sendDigests || !web.listen.isEmpty else {
            throw CLIFailure("[web] listen is empty in \(options.config): the console is off", code: .config)
        }
        let store = try options.openStore()
        let console: Console
        do {
            let users = try UserFile(path: web.usersFile)
            let signer = try Signer.load(path: web.secretFile)
            var tokens = APITokens()
            if !web.apiTokensFile.isEmpty {
                guard let data = FileManager.default.contents(atPath: web.apiTokensFile) else {
                    throw WebConsoleError("cannot read [web] api_tokens_file \(web.apiTokensFile)")
                }
                tokens = try APITokens(text: String(decoding: data, as: UTF8.self))
            }
            var logger = Logger(label: "scanmilter.web") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = .info
            let rescan = QuarantineRescan.makeSendable(configuration: configuration)
            if rescan == nil { logger.warning("no scanner could be set up: releases will not be rescanned") }
            console = Console(
                settings: web, relay: configuration.quarantine.releaseRelay, store: store, users: users, tokens: tokens,
                signer: signer, rescan: rescan, logger: logger)
        } catch {
            throw CLIFailure("\(error)", code: .config)
        }
        if sendDigests {
            let report = console.sendDigests()
            print("digests sent: \(report.sent), failed: \(report.failed)")
            if report.failed > 0 { throw CLIFailure(reported: .tempFail) }
            return
        }
        guard let (host, port) = Self.hostAndPort(web.listen) else {
            throw CLIFailure("[web] listen '\(web.listen)' is not HOST:PORT", code: .config)
        }
        try await console.run(host: host, port: port)
    }

    /// `HOST:PORT` or `[V6]:PORT`.
    static func hostAndPort(_ text: String) -> (String, Int)? {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (1...65535).contains(port) else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }
}
