/// A list of IPv4 and IPv6 networks that an address is looked up in (pymilter's
/// `Milter.utils.iniplist`): `["127.0.0.0/8", "::1", "2001:db8::/32"]`.
public struct IPList: Sendable, Hashable, CustomStringConvertible {
    /// The networks, in the order given.
    public let networks: [IPNetwork]

    /// Creates a list of networks.
    public init(_ networks: [IPNetwork]) {
        self.networks = networks
    }

    /// Parses each entry as CIDR notation or one address; throws naming the first that is neither.
    public init(parsing entries: [String]) throws(IPListError) {
        var networks: [IPNetwork] = []
        for entry in entries {
            guard let network = IPNetwork(entry) else { throw IPListError(entry: entry) }
            networks.append(network)
        }
        self.networks = networks
    }

    /// Whether `address` (text, IPv4 or IPv6, optionally in brackets or with a zone) is in any
    /// network of the list; an address that does not parse is in none.
    public func contains(_ address: String) -> Bool {
        networks.contains { $0.contains(address) }
    }

    /// Whether the SMTP client's address is in the list; a unix socket or unknown peer is not.
    public func contains(_ peer: PeerAddress) -> Bool {
        switch peer {
        case .inet(let address, _), .inet6(let address, _): contains(address)
        case .unix, .unknown: false
        }
    }

    /// The networks in CIDR notation, separated by spaces.
    public var description: String { networks.map(\.description).joined(separator: " ") }
}

/// An IP list entry that is neither an address nor a network in CIDR notation.
public struct IPListError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The entry as given.
    public let entry: String

    /// Creates the error for `entry`.
    public init(entry: String) { self.entry = entry }

    /// One line naming the entry.
    public var description: String { "\"\(entry)\" is not an IP address or a network in CIDR notation" }
}
