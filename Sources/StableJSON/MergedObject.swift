/// Two values written as one JSON object: the keys of `first`, then those of `second` (a key
/// both write keeps its place and takes `second`'s value). For output that extends a type's own
/// encoding, such as a report with a summary added.
public struct MergedObject<First: Encodable, Second: Encodable>: Encodable {
    /// The value whose keys come first.
    public let first: First
    /// The value whose keys are added after, or replace.
    public let second: Second

    /// `first`'s keys, then `second`'s.
    public init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
    }

    /// Writes `first`, then `second`, into the same object.
    public func encode(to encoder: any Encoder) throws {
        try first.encode(to: encoder)
        try second.encode(to: encoder)
    }
}
