import Sockets

/// A TCP port on 127.0.0.1 that nothing listens on right now.
func freeLoopbackPort() throws -> Int {
    let listener = try Listener(.tcp(host: "127.0.0.1", port: 0, family: .ipv4))
    defer { listener.close() }
    return listener.port
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
func acceptsConnections(port: Int) -> Bool {
    (try? Socket.connect(to: .tcp(host: "127.0.0.1", port: UInt16(port), family: .ipv4), until: .now + .seconds(1))) != nil
}
