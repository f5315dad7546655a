/// The SMTP client's address as the MTA reports it in SMFIC_CONNECT.
public enum MilterConnectAddress: Sendable, Hashable {
    /// An IPv4 client: dotted address and source port. Family '4' (SMFIA_INET)
    case inet(String, port: UInt16)
    /// An IPv6 client: address (without `IPv6:`) and source port. Family '6' (SMFIA_INET6)
    case inet6(String, port: UInt16)
    /// A client on a unix socket: its path; the port is sent as 0. Family 'L' (SMFIA_UNIX)
    case unix(path: String)
    /// The MTA does not know the address; no port or address follows. Family 'U' (SMFIA_UNKNOWN)
    case unknown

    /// Appends family letter, port and address as Postfix's milter8 writes them.
    func encode(into writer: inout PayloadWriter) throws {
        switch self {
        case .inet(let address, let port):
            writer.byte(0x34) // '4'
            writer.uint16(port)
            try writer.cString(address, field: "client address")
        case .inet6(let address, let port):
            writer.byte(0x36) // '6'
            writer.uint16(port)
            try writer.cString(address, field: "client address")
        case .unix(let path):
            writer.byte(0x4C) // 'L'
            writer.uint16(0)
            try writer.cString(path, field: "client socket path")
        case .unknown:
            writer.byte(0x55) // 'U'
        }
    }
}
