import Foundation
public import Logging
import Sockets

/// A small unix-socket server through which `scanmilterctl` talks to the running daemon:
/// `reload` (hot-reload signatures and confirm), `status` (JSON), `ping`.
///
/// Protocol: the client sends one command line; the server answers one line, `OK <text>` or
/// `ERR <text>`, and closes. One connection at a time on its own thread: commands are rare and
/// a reload must not run twice at once anyway. Signals are not used because libmilter treats
/// SIGHUP as stop and a signal cannot carry an answer back.
public final class ControlServer: Sendable {
    /// Answers one command; returns the reply text or throws an error whose description is sent.
    public typealias Handler = @Sendable (_ command: String, _ arguments: [String]) throws -> String

    /// The socket could not be opened.
    public struct SocketError: Error, Sendable, CustomStringConvertible {
        public var operation: String
        public var path: String
        public var errno: Int32
        public var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
    }

    private let server: SocketServer
    private let handler: Handler
    private let logger: Logger

    /// Opens the socket at `path` (a stale socket file there is replaced), mode 0660.
    public init(path: String, logger: Logger = Logger(label: "scanmilter.control"), handler: @escaping Handler) throws {
        self.handler = handler
        self.logger = logger
        do throws(Sockets.SocketError) {
            server = try SocketServer(Listener(.unix(path: path), backlog: 8, mode: 0o660), name: "control socket", logger: logger)
        } catch {
            throw SocketError(operation: "listen on", path: path, errno: error.errno ?? EINVAL)
        }
    }

    /// Serves on its own thread until `stop()`.
    public func start() {
        server.start { [self] client, deadline in answer(client, until: deadline) }
    }

    /// Stops serving and removes the socket file.
    public func stop() {
        server.stop()
    }

    private func answer(_ client: Socket, until deadline: ContinuousClock.Instant) {
        var request: [UInt8] = []
        while request.count < 1024, !request.contains(UInt8(ascii: "\n")) {
            guard let chunk = try? client.read(upTo: 1024 - request.count, until: deadline), !chunk.isEmpty else { break }
            request += chunk
        }
        let line = request.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).first ?? []
        let words = String(decoding: line, as: UTF8.self).split(separator: " ").map(String.init)
        let reply: String
        if let command = words.first {
            do {
                reply = "OK " + (try handler(command.lowercased(), Array(words.dropFirst())))
            } catch {
                reply = "ERR \(error)"
            }
        } else {
            reply = "ERR empty command"
        }
        do {
            try client.write(reply.replacingNewlines() + "\n", until: .now + .seconds(5))
        } catch {
            logger.info("control client went away before the reply", metadata: ["error": "\(error)"])
        }
    }

    /// Sends `command` to the daemon's control socket and returns its reply line.
    public static func send(_ command: String, to path: String, timeout seconds: Int = 120) throws -> String {
        let deadline = ContinuousClock.now + .seconds(seconds)
        let socket: Socket
        do throws(Sockets.SocketError) {
            socket = try Socket.connect(to: .unix(path: path), until: deadline)
        } catch {
            throw SocketError(operation: "connect", path: path, errno: error.errno ?? ETIMEDOUT)
        }
        var reply: [UInt8] = []
        do throws(Sockets.SocketError) {
            try socket.write(command + "\n", until: deadline)
            while reply.last != UInt8(ascii: "\n") {
                let chunk = try socket.read(upTo: 4096, until: deadline)
                if chunk.isEmpty { break }
                reply += chunk
            }
        } catch {
            throw SocketError(operation: "read reply from", path: path, errno: error.errno ?? ETIMEDOUT)
        }
        return String(decoding: reply, as: UTF8.self).trimmingCharacters(in: "\n\r")
    }
}

extension String {
    func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
