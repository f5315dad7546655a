@testable import Filter
import Foundation
import Testing

@Suite struct ControlServerTests {
    @Test func commandsAreAnsweredOnTheSocketAndErrorsAreReported() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ctl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("control.sock").path
        struct Refused: Error, CustomStringConvertible { var description: String { "database corrupt" } }
        let server = try ControlServer(path: path) { command, arguments in
            switch command {
            case "ping": return "pong \(arguments.joined(separator: ","))"
            case "reload": throw Refused()
            default: return "unknown"
            }
        }
        server.start()
        #expect(try ControlServer.send("PING a b", to: path) == "OK pong a,b")
        #expect(try ControlServer.send("reload", to: path) == "ERR database corrupt")
        server.stop()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(throws: ControlServer.SocketError.self) { try ControlServer.send("ping", to: path) }
    }
}
