import Glibc

/// The listening sockets this process holds, found among its descriptors: for sockets a
/// library opened and does not expose (libmilter's listener).
public enum ProcessSockets {
    /// Every listening stream socket of this process, with what it is bound to. TCP sockets
    /// only among the inet ones (SO_PROTOCOL), so a listening SCTP socket is not taken for one.
    public static func listening() -> [(descriptor: Int32, endpoint: Endpoint)] {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var found: [(descriptor: Int32, endpoint: Endpoint)] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard let fd = Int32(name), fd != own, isListening(fd), let endpoint = boundAddress(of: fd) else { continue }
            if endpoint.port != nil, socketOption(of: fd, level: SOL_SOCKET, name: SO_PROTOCOL) != Int32(IPPROTO_TCP) { continue }
            found.append((fd, endpoint))
        }
        return found
    }

    /// Whether `descriptor` is a listening socket (SO_ACCEPTCONN).
    public static func isListening(_ descriptor: Int32) -> Bool {
        socketOption(of: descriptor, level: SOL_SOCKET, name: SO_ACCEPTCONN) == 1
    }

    /// Sets `TCP_NODELAY` on a TCP socket (a listening socket's accepted sockets inherit it).
    public static func setNoDelay(_ descriptor: Int32) -> Bool {
        var on: Int32 = 1
        return setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// Connects to the listening socket `descriptor` and hangs up at once, to wake a listener
    /// that only checks for stop when a connection arrives; does nothing if `descriptor` is no
    /// longer a listening socket (it may have been closed and reused since).
    public static func wake(_ descriptor: Int32) {
        guard isListening(descriptor), let endpoint = boundAddress(of: descriptor) else { return }
        _ = try? Socket.connect(to: endpoint, until: .now + .seconds(1))
    }
}
