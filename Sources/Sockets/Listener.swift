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

/// What a socket descriptor is bound to (`getsockname`): a unix path, or an address and port.
public func boundAddress(of descriptor: Int32) -> Endpoint? {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let named = withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    guard named == 0 else { return nil }
    let family = Int32(storage.ss_family)
    if family == AF_UNIX {
        let path = withUnsafeBytes(of: &storage) { raw in
            raw[MemoryLayout<sa_family_t>.size..<min(Int(length), raw.count)].prefix { $0 != 0 }
        }
        return .unix(path: String(decoding: path, as: UTF8.self))
    }
    guard family == AF_INET || family == AF_INET6 else { return nil }
    // getnameinfo prints either family's address and port as numbers.
    var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
    var service = [CChar](repeating: 0, count: Int(NI_MAXSERV))
    let printed = withUnsafePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            getnameinfo($0, length, &host, socklen_t(host.count), &service, socklen_t(service.count), NI_NUMERICHOST | NI_NUMERICSERV)
        }
    }
    let text = { (chars: [CChar]) in chars.withUnsafeBytes { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } }
    guard printed == 0, let port = UInt16(text(service)) else { return nil }
    return .tcp(host: text(host), port: port, family: family == AF_INET6 ? .ipv6 : .ipv4)
}

/// Reads an integer socket option of `descriptor`; nil when it is not a socket.
func socketOption(of descriptor: Int32, level: Int32, name: Int32) -> Int32? {
    var value: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    guard getsockopt(descriptor, level, name, &value, &length) == 0 else { return nil }
    return value
}
