import Glibc
import Sockets
import Synchronization

/// Sends log lines to the local syslog daemon as RFC 3164 datagrams on its unix socket
/// (`/dev/log`), the way syslog(3) does, so they land in `/var/log/mail.log` beside Postfix's
/// with `[log] facility = "mail"`: `<PRI>Dec  6 14:00:00 scanmilter[42]: 2A786F7C3C1: ...`.
///
/// Why not openlog/syslog(3): the socket's path is then a parameter, so a test (or a Postfix
/// chroot's `/var/spool/postfix/dev/log`) names its own socket (`target = "syslog:PATH"`);
/// nothing is process-global; and a full syslog queue cannot block a mail thread for longer
/// than ``sendTimeout`` (syslog(3) blocks until the daemon reads).
public final class SyslogWriter: Sendable {
    /// The socket written to (`/dev/log` by default).
    public let path: String
    /// The facility code (2 for mail).
    public let facility: Int
    /// The tag before each message, with the process id (`scanmilter[42]`).
    private let tag: String
    /// The connected socket, made again when syslogd has restarted. The lock also keeps one
    /// datagram at a time, as syslog(3)'s own lock does.
    private let socket = Mutex<Socket?>(nil)

    /// The longest wait for room in the syslog daemon's queue before a line goes to stderr.
    static let sendTimeout: Duration = .milliseconds(500)

    /// A writer for `facility` (a code from `LogSettings.syslogFacilities`) to `path`.
    public init(path: String = "/dev/log", facility: Int, identifier: String = "scanmilter") {
        self.path = path
        self.facility = facility
        tag = "\(identifier)[\(getpid())]"
    }

    /// Sends `body` with `severity` (0 emergency … 7 debug); when the syslog daemon cannot be
    /// reached even after reconnecting, the line goes to stderr (the journal under systemd),
    /// never nowhere and never blocking mail.
    public func send(severity: Int, body: String) {
        let datagram = "<\(facility * 8 + severity)>\(Self.timestamp()) \(tag): \(body)"
        let sent = socket.withLock { socket in
            for _ in 0..<2 {
                do throws(SocketError) {
                    let connected: Socket
                    if let socket {
                        connected = socket
                    } else {
                        connected = try Socket.datagram(connectedTo: path)
                    }
                    socket = connected
                    try connected.write(datagram, until: .now + Self.sendTimeout)
                    return true
                } catch {
                    // ECONNREFUSED or ENOTCONN after a syslogd restart: a new socket, once.
                    socket?.close()
                    socket = nil
                }
            }
            return false
        }
        if !sent {
            let line = Array((body + "\n").utf8)
            line.withUnsafeBytes { _ = Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
    }

    /// `Dec  6 14:00:00`: RFC 3164's TIMESTAMP, local time, as syslog(3) writes it.
    static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        localtime_r(&now, &parts)
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func pad(_ value: Int32, _ filler: String = "0") -> String { value < 10 ? "\(filler)\(value)" : "\(value)" }
        return "\(months[Int(parts.tm_mon) % 12]) \(pad(parts.tm_mday, " ")) \(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec))"
    }
}
