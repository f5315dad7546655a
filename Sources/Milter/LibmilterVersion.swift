/// A libmilter version: major, minor and patch level (`SM_LM_VRS_*`).
public struct LibmilterVersion: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Major version (`SM_LM_VRS_MAJOR`).
    public let major: Int
    /// Minor version (`SM_LM_VRS_MINOR`).
    public let minor: Int
    /// Patch level (`SM_LM_VRS_PLVL`).
    public let patchLevel: Int

    /// Creates a version from its parts.
    public init(major: Int, minor: Int, patchLevel: Int) {
        self.major = major
        self.minor = minor
        self.patchLevel = patchLevel
    }

    /// Decodes `SMFI_VERSION`'s packed form (`0x01000001` is 1.0.1).
    public init(encoded: UInt32) {
        self.init(major: Int((encoded & 0x7f00_0000) >> 24), minor: Int((encoded & 0x007f_ff00) >> 8),
                  patchLevel: Int(encoded & 0x7f))
    }

    /// Orders versions by major, minor, then patch level.
    public static func < (lhs: LibmilterVersion, rhs: LibmilterVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patchLevel) < (rhs.major, rhs.minor, rhs.patchLevel)
    }

    /// `major.minor.patchLevel`.
    public var description: String { "\(major).\(minor).\(patchLevel)" }
}

/// Counters of connection states (pymilter `getdiag`).
public struct MilterDiagnostics: Sendable, Hashable {
    /// States made, one per connection that reached a callback.
    public let contextsCreated: Int
    /// States released at close.
    public let contextsDeleted: Int
    /// Connections open now.
    public var open: Int { contextsCreated - contextsDeleted }
}
