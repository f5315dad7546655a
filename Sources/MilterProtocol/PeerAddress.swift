/// The SMTP client's address as the MTA reports it at connect: the `hostaddr` argument of
/// `xxfi_connect`, decoded, or what an MTA sends in SMFIC_CONNECT (families `4`, `6`, `L`, `U`).
public enum PeerAddress: Sendable, Hashable, CustomStringConvertible {
    /// An IPv4 client: dotted address and port (`AF_INET`).
    case inet(address: String, port: UInt16)
    /// An IPv6 client: address in standard text form and port (`AF_INET6`).
    case inet6(address: String, port: UInt16)
    /// A client on a local socket: its path (`AF_UNIX`).
    case unix(path: String)
    /// The MTA sent no usable address (family `U`, or none).
    case unknown

    /// The address family name pymilter's connect callback receives, e.g. `AF_INET`.
    public var family: String {
        switch self {
        case .inet: "AF_INET"
        case .inet6: "AF_INET6"
        case .unix: "AF_UNIX"
        case .unknown: "AF_UNSPEC"
        }
    }

    /// `address:port`, `[address]:port`, the path, or `unknown`.
    public var description: String {
        switch self {
        case .inet(let address, let port): "\(address):\(port)"
        case .inet6(let address, let port): "[\(address)]:\(port)"
        case .unix(let path): path
        case .unknown: "unknown"
        }
    }
}
