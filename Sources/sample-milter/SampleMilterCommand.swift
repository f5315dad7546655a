import ArgumentParser
import Glibc
import Logging
import Milter

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
              chgfrom ADDR [PARAMS...]    change the envelope sender
              replacebody TEXT            replace the body with TEXT, no line end added
              quarantine REASON           quarantine the message
              progress                    tell the MTA we are still working
              reply CODE XCODE L1[|L2...] answer with this reply (multi-line):
                                          reject for 5xx, tempfail for 4xx
              tempfail, discard, accept   answer so
              throw                       throw: the exception policy answers
              skip                        answer SKIP to the first body chunk
            The first reply/tempfail/discard/accept/throw decides the answer and
            ends the list; the actions before it are performed. A malformed
            action throws. "X-Sample-Macro-i: VALUE" is added first whenever
            the MTA sent macro i.

            Prints "listening on SPEC" once the socket is open. SIGUSR1 calls
            Libmilter.stop(); SIGTERM and SIGHUP stop it through libmilter.
            Exit status: 0 after a stop, 64 for bad arguments, 75 when the
            milter cannot run.
            """
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
        do {
            try runMilter(
                name: name, socket: socket, timeout: timeout.map { .seconds($0) },
                removeStaleSocket: removeStaleSocket,
                exceptionPolicy: ExceptionPolicy(rawValue: exceptionPolicy) ?? .tempfail,
                tcpNoDelay: !noTcpNodelay, logger: logger,
                onListening: { spec in
                    print("listening on \(spec)")
                    fflush(nil)
                },
                factory: { [endOfMessageOnly] in SampleHandler(logger: logger, endOfMessageOnly: endOfMessageOnly) }
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
}
