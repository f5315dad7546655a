import Glibc

/// libmilter's listening socket, which it does not expose: found among the process's
/// descriptors by what it is bound to.
enum ListeningSocket {
    /// The listening sockets of this process bound to `spec`'s port (inet) or path (unix).
    static func find(_ spec: SocketSpec) -> [Int32] {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let fd = Int32(name), fd != own { descriptors.append(fd) }
        }
        return descriptors.filter { fd in
            guard option(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1 else { return false }
            switch (boundAddress(fd), spec.kind) {
            case (.inet(_, let port)?, .inet(let wanted, _)), (.inet6(_, let port)?, .inet6(let wanted, _)):
                return port == wanted
            case (.unix(let path)?, .unix(let wanted)):
                return path == wanted
            default:
                return false
            }
        }
    }

    /// Sets `TCP_NODELAY` on a listening TCP socket; accepted sockets inherit it.
    ///
    /// Why: libmilter writes each reply in small pieces; with Nagle's algorithm on, the second
    /// piece waits for the MTA's delayed ACK (~40 ms) on every header and body step.
    static func setNoDelay(_ fd: Int32) -> Bool {
        var on: Int32 = 1
        return setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size)) == 0
    }

    /// Connects to the listening socket `fd` and hangs up at once.
    ///
    /// Why: libmilter's listener checks for stop only when `select` returns, which it does every
    /// 5 seconds (MI_CHK_TIME) when nothing connects. A connection wakes it at once; the worker
    /// that takes it reads end-of-file and drops it without calling any filter callback but close
    /// (which finds no state and does nothing).
    static func wake(_ fd: Int32) {
        // The descriptor may have been closed (and reused) since: only wake a listener.
        guard option(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1 else { return }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let family: Int32 = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                getsockname(fd, address, &length) == 0 ? Int32(address.pointee.sa_family) : -1
            }
        }
        guard family >= 0 else { return }
        let client = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard client >= 0 else { return }
        defer { close(client) }
        _ = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, length) }
        }
    }

    private static func boundAddress(_ fd: Int32) -> PeerAddress? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        return withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address -> PeerAddress? in
                guard getsockname(fd, address, &length) == 0 else { return nil }
                if Int32(address.pointee.sa_family) == AF_INET || Int32(address.pointee.sa_family) == AF_INET6 {
                    guard option(fd, SOL_SOCKET, SO_PROTOCOL) == Int32(IPPROTO_TCP) else { return nil }
                }
                return peerAddress(address)
            }
        }
    }

    private static func option(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, level, name, &value, &length) == 0 else { return nil }
        return value
    }
}
