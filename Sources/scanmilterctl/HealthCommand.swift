import ArgumentParser
import Foundation

/// `scanmilterctl health`: is the daemon serving? It must answer a real milter negotiation on
/// its socket and say over the control socket that a scanning engine is loaded. Made for
/// container HEALTHCHECKs and monitoring probes.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check that the running daemon answers on its milter socket and has an engine loaded.",
        discussion: """
            Opens [milter] socket (or --socket) and negotiates as an MTA would, then asks the daemon \
            over [milter] control_socket for its status and checks that signatures are loaded.

            Exit codes: 0 healthy; 69 unhealthy (the reason is printed); 78 configuration error.
            """
    )

    @OptionGroup var options: ConfigFileOption

    @Option(help: ArgumentHelp("The milter socket to probe instead of [milter] socket.", valueName: "SPEC"))
    var socket: String?

    @Option(help: ArgumentHelp("The control socket to ask instead of [milter] control_socket.", valueName: "PATH"))
    var controlSocket: String?

    @Option(help: "Seconds each check may take.")
    var timeout = 10

    func validate() throws {
        guard (1...600).contains(timeout) else { throw ValidationError("--timeout must be 1 to 600 seconds") }
    }

    func run() throws {
        let config = try options.load()
        let check = HealthCheck(
            milterSocket: socket ?? config.milter.socket,
            controlSocket: controlSocket ?? config.milter.controlSocket,
            timeout: .seconds(timeout))
        switch check.run() {
        case .success(let summary):
            print("healthy: \(summary)")
        case .failure(let problem):
            throw CLIFailure("unhealthy: \(problem.reason)", code: .unavailable)
        }
    }
}
