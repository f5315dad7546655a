import Glibc

/// Finds libmilter's listening TCP socket, which it does not expose.
enum ListeningSocket {
    /// Sets `TCP_NODELAY` on every listening TCP socket of this process bound to `port`;
    /// returns how many it set. Sockets accepted from it inherit the option.
    ///
    /// Why: libmilter writes each reply in small pieces; with Nagle's algorithm on, the second
    /// piece waits for the MTA's delayed ACK (~40 ms) on every header and body step.
    static func setNoDelay(port: UInt16) -> Int {
        guard let directory = opendir("/proc/self/fd") else { return 0 }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var descriptors: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let fd = Int32(name), fd != own { descriptors.append(fd) }
        }
        var count = 0
        for fd in descriptors where isListeningTCP(fd, port: port) {
            var on: Int32 = 1
            if setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size)) == 0 {
                count += 1
            }
        }
        return count
    }

    private static func isListeningTCP(_ fd: Int32, port: UInt16) -> Bool {
        guard option(fd, SOL_SOCKET, SO_ACCEPTCONN) == 1,
              option(fd, SOL_SOCKET, SO_PROTOCOL) == Int32(IPPROTO_TCP)
        else { return false }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let bound: UInt16? = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                guard getsockname(fd, address, &length) == 0 else { return nil }
                switch Int32(address.pointee.sa_family) {
                case AF_INET:
                    return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
                case AF_INET6:
                    return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
                default:
                    return nil
                }
            }
        }
        return bound == port
    }

    private static func option(_ fd: Int32, _ level: Int32, _ name: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, level, name, &value, &length) == 0 else { return nil }
        return value
    }
}
