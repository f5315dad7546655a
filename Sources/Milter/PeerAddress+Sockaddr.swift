import Glibc

/// Decodes the `hostaddr` libmilter passes to `xxfi_connect`.
func peerAddress(_ address: UnsafeMutablePointer<sockaddr>?) -> PeerAddress {
    guard let address else { return .unknown }
    switch Int32(address.pointee.sa_family) {
    case AF_INET:
        return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
            var raw = sin.pointee.sin_addr
            return .inet(address: ntop(AF_INET, &raw), port: UInt16(bigEndian: sin.pointee.sin_port))
        }
    case AF_INET6:
        return address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin6 in
            var raw = sin6.pointee.sin6_addr
            return .inet6(address: ntop(AF_INET6, &raw), port: UInt16(bigEndian: sin6.pointee.sin6_port))
        }
    case AF_UNIX:
        return address.withMemoryRebound(to: sockaddr_un.self, capacity: 1) { sun in
            let path = withUnsafeBytes(of: sun.pointee.sun_path) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            return .unix(path: path)
        }
    default:
        return .unknown
    }
}

/// `inet_ntop` into a String; empty if the address cannot be printed.
private func ntop(_ family: Int32, _ raw: UnsafeMutableRawPointer) -> String {
    var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
    let ok = buffer.withUnsafeMutableBufferPointer { out in
        inet_ntop(family, raw, out.baseAddress, socklen_t(out.count)) != nil
    }
    guard ok else { return "" }
    return buffer.withUnsafeBytes { bytes in String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self) }
}
