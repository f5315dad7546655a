/// `[NAME, NAME, 0x…]`: the C names of the bits set in `rawValue`, in the order of `names`, and
/// any bits no name covers in hex, so a log shows exactly what was negotiated.
func describeFlags(_ rawValue: UInt32, _ names: [(UInt32, String)]) -> String {
    var rest = rawValue
    var parts: [String] = []
    for (flag, name) in names where rawValue & flag == flag {
        parts.append(name)
        rest &= ~flag
    }
    if rest != 0 { parts.append("0x" + String(rest, radix: 16)) }
    return "[" + parts.joined(separator: ", ") + "]"
}
