extension PeerAddress {
    /// Appends family letter, port and address as Postfix's milter8 writes them in
    /// SMFIC_CONNECT: '4' (SMFIA_INET), '6' (SMFIA_INET6), 'L' (SMFIA_UNIX, port 0) or 'U'
    /// (SMFIA_UNKNOWN, nothing after it).
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
