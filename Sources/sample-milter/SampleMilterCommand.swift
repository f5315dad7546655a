import ArgumentParser
import Glibc
import Logging
import Milter
import Synchronization
import ScanmilterVersion

/// The sample-milter command line.
struct SampleMilterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-milter",
        abstract: "A milter that performs the actions a message asks for, to exercise the Swift Milter library.",
        discussion: """
            For each header "X-Sample-Action: ACTION", in order, at end of message:
              addheader NAME VALUE        add a header
              insheader INDEX NAME VALUE  insert a header at INDEX (0 = top)
              chgheader NAME INDEX VALUE  change the INDEXth NAME (empty VALUE: delete)
              addrcpt ADDR [PARAMS...]    add a recipient (smfi_addrcpt_par if PARAMS)
              delrcpt ADDR                delete a recipient
              delrcpt-received            delete every recipient as received
              chgfrom ADDR [PARAMS...]    change the envelope sender
              replacebody TEXT            replace the body with TEXT, no line end added
              quarantine REASON           quarantine the message
              progress                    tell the MTA we are still working
              reply CODE XCODE L1[|L2...] answer with this reply (multi-line):
                                          reject for 5xx, tempfail for 4xx
              tempfail, discard, accept   answer so
              throw                       throw: the exception policy answers
              skip                        answer SKIP to the first body chunk
              reject-in-header            the header callback itself answers
                                          550 5.7.1 (a no-reply step by default)
            The first reply/tempfail/discard/accept/throw decides the answer and
            ends the list; the actions before it are performed. A malformed
            action throws. "X-Sample-Macro-i: VALUE" is added first whenever
            the MTA sent macro i.

            Prints "listening on SPEC" once the socket is open. SIGUSR1 calls
            Libmilter.stop(); SIGTERM and SIGHUP stop it through libmilter.
            Exit status: 0 after a stop, 64 for bad arguments, 75 when the
            milter cannot run.
            """,
        version: ScanmilterVersion.current
    )

    @Option(help: "Where to listen: unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST.")
    var socket: String

    @Option(help: "Seconds libmilter waits on the MTA (smfi_settimeout); default libmilter's 7210.")
    var timeout: Int?

    @Option(help: "What a callback that throws answers: tempfail, continue, reject or accept.")
    var exceptionPolicy: String = "tempfail"

    @Flag(help: "Remove a stale unix socket file before listening.")
    var removeStaleSocket = false

    @Flag(help: ArgumentHelp("Leave TCP_NODELAY off on an inet socket, to measure the delayed-ACK stall it avoids.", visibility: .hidden))
    var noTcpNodelay = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    @Flag(help: "Only end of message: headers and body negotiated away, X-Sample-Macro-i still added (the Milter layer benchmark's end-of-message-only filter).")
    var endOfMessageOnly = false

    @Option(help: "The filter name given to libmilter.")
    var name = "sample-milter"

    @Flag(help: ArgumentHelp("Implement every callback and report what each saw in X-Sample-Seen headers at end of message (instructions are not performed).", visibility: .hidden))
    var report = false

    @Flag(help: ArgumentHelp("Make the handler factory throw for every connection (not for the registration check).", visibility: .hidden))
    var failFactory = false

    @Option(help: ArgumentHelp("libmilter's debug level (smfi_setdbg).", visibility: .hidden))
    var debugLevel: Int?

    @Option(help: ArgumentHelp("The listen backlog (smfi_setbacklog).", visibility: .hidden))
    var backlog: Int?

    @Option(help: ArgumentHelp("The callbacks the handler declares it implements, comma-separated (default envelopeRecipient,header,body); leaving out one it implements is refused at registration.", visibility: .hidden))
    var declare: String = "envelopeRecipient,header,body"

    @Option(help: ArgumentHelp("The callbacks negotiated as no-reply, comma-separated (default header).", visibility: .hidden))
    var noReply: String = "header"

    @Option(help: ArgumentHelp("Macros to ask for at a stage: STAGE:NAME,NAME... (stage as connect, helo, envelopeFrom, envelopeRecipient, data, endOfHeaders, endOfMessage); repeatable.", visibility: .hidden))
    var macroList: [String] = []

    func validate() throws {
        do {
            _ = try SocketSpec(socket)
        } catch {
            throw ValidationError("\(error)")
        }
        guard ExceptionPolicy(rawValue: exceptionPolicy) != nil else {
            throw ValidationError("--exception-policy must be one of tempfail, continue, reject, accept")
        }
        if let timeout, timeout <= 0 { throw ValidationError("--timeout must be a positive number of seconds") }
        _ = try callbacks(declare, option: "--declare")
        _ = try callbacks(noReply, option: "--no-reply")
        _ = try macroLists()
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sample-milter")
        StopSignalThread.start(signal: SIGUSR1)
        let declared = try callbacks(declare, option: "--declare")
        let noReplied = try callbacks(noReply, option: "--no-reply")
        let macros = try macroLists()
        do {
            if let debugLevel { try Libmilter.setDebugLevel(debugLevel) }
            try runMilter(
                name: name, socket: socket, timeout: timeout.map { .seconds($0) },
                removeStaleSocket: removeStaleSocket,
                exceptionPolicy: ExceptionPolicy(rawValue: exceptionPolicy) ?? .tempfail, backlog: backlog,
                tcpNoDelay: !noTcpNodelay, logger: logger,
                onListening: { spec in
                    print("listening on \(spec)")
                    fflush(nil)
                },
                factory: { [endOfMessageOnly, report, failFactory] () -> any MilterHandler in
                    // The first call is runMilter's declaration check; connections come after.
                    if failFactory, factoryCalls.add(1, ordering: .relaxed).oldValue > 0 { throw FactoryFailure() }
                    if endOfMessageOnly { return EndOfMessageOnlyHandler() }
                    if report { return ReportingHandler(noReply: noReplied, macroLists: macros) }
                    return SampleHandler(logger: logger, declared: declared, noReply: noReplied, macroLists: macros)
                }
            )
        } catch {
            logger.critical("sample-milter cannot run", metadata: ["error": "\(error)"])
            throw ExitCode(75)
        }
        let diagnostics = Libmilter.diagnostics
        logger.info("sample-milter stopped", metadata: [
            "milter.contexts_created": "\(diagnostics.contextsCreated)",
            "milter.contexts_deleted": "\(diagnostics.contextsDeleted)",
        ])
    }

    private func callbacks(_ list: String, option: String) throws -> Set<MilterCallback> {
        var set: Set<MilterCallback> = []
        for name in list.split(separator: ",") {
            guard let callback = MilterCallback(rawValue: String(name)) else {
                throw ValidationError("\(option): \"\(name)\" is not a callback (connect, helo, envelopeFrom, ...)")
            }
            set.insert(callback)
        }
        return set
    }

    private func macroLists() throws -> [MacroStage: [String]] {
        var lists: [MacroStage: [String]] = [:]
        for entry in macroList {
            let parts = entry.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let stage = MacroStage.allCases.first(where: { $0.description == parts[0] }) else {
                throw ValidationError("--macro-list \"\(entry)\" must be STAGE:NAME,NAME with a stage such as envelopeFrom")
            }
            lists[stage] = parts[1].split(separator: ",").map(String.init)
        }
        return lists
    }
}

/// How many handlers the factory was asked for (`--fail-factory`).
private let factoryCalls = Atomic<Int>(0)

/// Thrown by the factory under `--fail-factory`.
private struct FactoryFailure: Error {}
