import Glibc

extension Socket {
    /// A unix datagram socket connected to `path`: each ``write(_:until:)`` sends one
    /// datagram, whole (the receiver's queue full: it waits until the deadline), and each
    /// ``read(upTo:until:)`` takes one. A leading `@` names a socket in the abstract namespace,
    /// as `$NOTIFY_SOCKET` may (sd_notify(3)).
    ///
    /// For systemd's notification socket and the local syslog socket (`/dev/log`), which both
    /// take one message per datagram.
    public static func datagram(connectedTo path: String) throws(SocketError) -> Socket {
        do throws(SocketError) {
            var address = try UnixAddress(path, abstract: true)
            let socket = try open(family: AF_UNIX, type: Int32(SOCK_DGRAM.rawValue))
            let descriptor = socket.descriptor
            _ = try syscall("connect") { address.withSockaddr { Glibc.connect(descriptor, $0, $1) } }
            return socket
        } catch {
            throw error.doing("connecting to datagram socket \(path)")
        }
    }

    /// A unix datagram socket bound to `path` (a leading `@`: the abstract namespace), to
    /// receive datagrams with ``read(upTo:until:)``; a socket file already at `path` is replaced.
    public static func datagram(boundTo path: String) throws(SocketError) -> Socket {
        do throws(SocketError) {
            var address = try UnixAddress(path, abstract: true)
            let socket = try open(family: AF_UNIX, type: Int32(SOCK_DGRAM.rawValue))
            var existing = stat()
            if !path.hasPrefix("@"), lstat(path, &existing) == 0, existing.st_mode & S_IFMT == S_IFSOCK { unlink(path) }
            let descriptor = socket.descriptor
            _ = try syscall("bind") { address.withSockaddr { bind(descriptor, $0, $1) } }
            return socket
        } catch {
            throw error.doing("binding datagram socket \(path)")
        }
    }
}
