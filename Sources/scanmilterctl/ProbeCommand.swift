import ArgumentParser
import Foundation
import MilterClient
import StableJSON

/// `scanmilterctl probe`: sends a message through a running milter as an MTA would and prints
/// what the milter did: its answer and every modification. Exit codes: 0 the milter answered,
/// 66 the message file cannot be read, 69 the milter cannot be reached or broke the protocol.
struct ProbeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Send a message through a running milter and show what it did.",
        discussion: "Exit codes: 0 the milter answered, 66 the message cannot be read, 69 the milter cannot be reached."
    )

    @Option(help: "The milter's socket: unix:/path, inet:PORT@HOST or inet6:PORT@HOST.")
    var socket: String

    @Option(help: "Envelope sender.")
    var from = "probe@localhost"

    @Option(name: .customLong("rcpt"), help: "Envelope recipient (repeatable).")
    var recipients: [String] = ["postmaster@localhost"]

    @Option(help: "Client address the milter is told about.")
    var clientAddress = "127.0.0.1"

    @Flag(help: "Print a JSON object instead of text.")
    var json = false

    @Argument(help: "The message (.eml) to send.")
    var file: String

    func validate() throws {
        if (try? MilterSocketSpec(parsing: socket)) == nil {
            throw ValidationError("'\(socket)' is not a socket spec: use unix:/path, inet:PORT@HOST or inet6:PORT@HOST")
        }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIFailure("cannot read \(file)", code: .noInput)
        }
        let result: MilterTransactionResult
        do {
            let spec = try MilterSocketSpec(parsing: socket)
            let connection = try MilterConnection.open(spec)
            defer { connection.close() }
            _ = try connection.connect(hostname: "probe.localhost", address: .inet(address: clientAddress, port: 25000))
            _ = try connection.helo("probe.localhost")
            let envelope = MilterEnvelope(
                sender: Self.bare(from), recipients: recipients.map { MilterEnvelope.Recipient(Self.bare($0)) },
                macros: [.endOfMessage: ["i": "PROBE"], .envelopeFrom: ["i": "PROBE"]])
            result = try connection.sendMessage([UInt8](data), envelope: envelope)
            try? connection.quit()
        } catch {
            throw CLIFailure("probe of \(socket) failed: \(error)", code: .unavailable)
        }
        if json {
            print(try StableJSONEncoder(sortedKeys: true).encode(ProbeJSON(
                response: "\(result.response)", stage: result.stage.rawValue, bodySkipped: result.bodySkipped,
                modifications: result.modifications.map { "\($0)" })))
        } else {
            print("response: \(result.response) (at \(result.stage.rawValue))")
            if result.bodySkipped { print("body: skipped by the milter") }
            for modification in result.modifications { print("  \(modification)") }
        }
    }

    /// The client adds the angle brackets itself.
    static func bare(_ address: String) -> String {
        String(address.drop { $0 == "<" }.reversed().drop { $0 == ">" }.reversed())
    }
}

/// `probe --json`: one object, keys sorted.
private struct ProbeJSON: Encodable {
    let response, stage: String
    let bodySkipped: Bool
    let modifications: [String]

    enum CodingKeys: String, CodingKey {
        case response, stage, bodySkipped = "body_skipped", modifications
    }
}
