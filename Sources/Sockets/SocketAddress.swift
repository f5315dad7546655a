import Glibc

// The C socket address structures, converted at this one place: resolving names into them,
// filling a unix one, and reading back what a descriptor is bound to.

/// One address from `getaddrinfo`, copied out of its list.
struct ResolvedAddress {
    var family: Int32
    var `protocol`: Int32
    var storage: [UInt8]
    var length: socklen_t
}

/// Resolves `host` (nil: every address, for listening) and `port` for a stream socket.
func resolve(host: String?, port: UInt16, family: Endpoint.Family, passive: Bool) throws(SocketError) -> [ResolvedAddress] {
    var hints = addrinfo()
    switch family {
    case .ipv4: hints.ai_family = AF_INET
    case .ipv6: hints.ai_family = AF_INET6
    case .any: hints.ai_family = AF_UNSPEC
    }
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
    var list: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &list)
    guard status == 0, let first = list else {
        let reason = status == 0 ? "no address" : String(cString: gai_strerror(status))
        throw SocketError(.unresolved, call: "getaddrinfo", detail: "cannot resolve \"\(host ?? "*")\": \(reason)")
    }
    defer { freeaddrinfo(first) }
    var addresses: [ResolvedAddress] = []
    var cursor: UnsafeMutablePointer<addrinfo>? = first
    while let info = cursor {
        cursor = info.pointee.ai_next
        guard let address = info.pointee.ai_addr else { continue }
        let bytes = Array(UnsafeRawBufferPointer(start: address, count: Int(info.pointee.ai_addrlen)))
        addresses.append(ResolvedAddress(
            family: info.pointee.ai_family, protocol: info.pointee.ai_protocol, storage: bytes, length: info.pointee.ai_addrlen))
    }
    return addresses
}

/// A `sockaddr_un` for a path that fits.
struct UnixAddress {
    private var address = sockaddr_un()
    private var length = socklen_t(MemoryLayout<sockaddr_un>.size)

    /// A file system path; with `abstract`, a leading `@` names a socket in Linux's abstract
    /// namespace instead (unix(7)), as `$NOTIFY_SOCKET` may (sd_notify(3)).
    init(_ path: String, abstract: Bool = false) throws(SocketError) {
        var bytes = Array(path.utf8)
        let isAbstract = abstract && bytes.first == UInt8(ascii: "@")
        if isAbstract { bytes[0] = 0 }
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path), !bytes.dropFirst(isAbstract ? 1 : 0).contains(0) else {
            throw SocketError(.system, call: "sockaddr_un", errno: ENAMETOOLONG, detail: "unix socket path \(path)")
        }
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        // An abstract name is exactly its bytes: trailing NULs would be part of the name.
        if isAbstract { length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count) }
    }

    /// Calls `body` with the address as a `sockaddr` and its length.
    mutating func withSockaddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        let length = self.length
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
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
