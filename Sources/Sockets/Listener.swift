import Glibc

/// A bound, listening stream socket (non-blocking, close-on-exec) on an ``Endpoint``.
public final class Listener: Sendable {
    /// The listening socket.
    public let socket: Socket
    /// What was asked for.
    public let endpoint: Endpoint
    /// The TCP port actually bound (the chosen one when 0 was asked for); 0 for unix sockets.
    public let port: Int

    /// Binds and listens on `endpoint` with room for `backlog` pending connections.
    ///
    /// A socket file already at a unix path (left by a process that is gone) is replaced, any
    /// other file is not (binding then fails with EADDRINUSE); `mode` sets the new file's
    /// permissions. TCP sockets get `SO_REUSEADDR`, so a restart does not wait
    /// out TIME_WAIT.
    public init(_ endpoint: Endpoint, backlog: Int32 = 16, mode: UInt32? = nil) throws(SocketError) {
        self.endpoint = endpoint
        do throws(SocketError) {
            switch endpoint {
            case .unix(let path):
                var address = try UnixAddress(path)
                socket = try Socket.open(family: AF_UNIX)
                let descriptor = socket.descriptor
                var existing = stat()
                if lstat(path, &existing) == 0, existing.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
                _ = try syscall("bind") { address.withSockaddr { bind(descriptor, $0, $1) } }
                if let mode { chmod(path, mode_t(mode)) }
            case .tcp(let host, let port, let family):
                guard let address = try resolve(host: host, port: port, family: family, passive: true).first else {
                    throw SocketError(.unresolved, call: "getaddrinfo")
                }
                socket = try Socket.open(family: address.family, protocol: address.protocol)
                socket.setOption(SOL_SOCKET, SO_REUSEADDR, 1)
                let descriptor = socket.descriptor
                _ = try syscall("bind") {
                    address.storage.withUnsafeBytes { raw in
                        bind(descriptor, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), address.length)
                    }
                }
            }
            let descriptor = socket.descriptor
            _ = try syscall("listen") { listen(descriptor, backlog) }
        } catch {
            throw error.doing("listening on \(endpoint)")
        }
        port = boundAddress(of: socket.descriptor).flatMap(\.port).map(Int.init) ?? 0
    }

    /// Stops listening: closes the socket and removes a unix socket's file.
    public func close() {
        let wasOpen = socket.descriptor >= 0
        socket.close()
        if wasOpen, case .unix(let path) = endpoint { unlink(path) }
    }
}
