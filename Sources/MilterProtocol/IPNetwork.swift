#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 or IPv6 network in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`, or one address).
///
/// Part of the milter library's utilities (pymilter's `Milter.utils` CIDR matching); a list of
/// them is an ``IPList``. scanmilter's `trusted_networks` setting is parsed into these.
public struct IPNetwork: Sendable, Hashable, CustomStringConvertible {
    /// The network's address bytes (4 or 16), host bits cleared.
    public let address: [UInt8]
    /// The prefix length in bits.
    public let prefixLength: Int

    /// Parses CIDR notation; nil when it is not an address or the prefix is out of range.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let bytes = IPNetwork.addressBytes(String(parts[0])) else { return nil }
        let maxPrefix = bytes.count * 8
        var prefix = maxPrefix
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...maxPrefix).contains(value) else { return nil }
            prefix = value
        }
        self.address = IPNetwork.mask(bytes, prefix)
        self.prefixLength = prefix
    }

    /// Whether `address` (text, IPv4 or IPv6; an IPv4-mapped IPv6 address counts as IPv4; an
    /// IPv6 zone such as `%eth0` is ignored) is inside.
    public func contains(_ address: String) -> Bool {
        guard var bytes = IPNetwork.addressBytes(address) else { return false }
        if bytes.count == 16, self.address.count == 4, bytes[0..<10].allSatisfy({ $0 == 0 }),
           bytes[10] == 0xff, bytes[11] == 0xff {
            bytes = Array(bytes[12...])
        }
        guard bytes.count == self.address.count else { return false }
        return IPNetwork.mask(bytes, prefixLength) == self.address
    }

    /// The network in CIDR notation, e.g. `10.0.0.0/8`.
    public var description: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = address.count == 4 ? AF_INET : AF_INET6
        let text = address.withUnsafeBytes { raw in
            inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) != nil
                ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
        }
        return "\(text)/\(prefixLength)"
    }

    /// Address bytes of an IPv4 or IPv6 address in text, nil when it is neither.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = [UInt8](repeating: 0, count: 4)
        if inet_pton(AF_INET, text, &v4) == 1 { return v4 }
        var v6 = [UInt8](repeating: 0, count: 16)
        var trimmed = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        // A zone (`fe80::1%eth0`, as libmilter reports a link-local client) names an interface,
        // not part of the address.
        if let percent = trimmed.firstIndex(of: "%") { trimmed = String(trimmed[..<percent]) }
        if inet_pton(AF_INET6, trimmed, &v6) == 1 { return v6 }
        return nil
    }

    private static func mask(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = min(max(prefix - index * 8, 0), 8)
            return bits == 8 ? byte : byte & ~(UInt8(0xff) >> bits)
        }
    }
}
