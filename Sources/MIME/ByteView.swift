/// A read-only window onto part of a `MessageBytes`, sharing its storage.
///
/// Indices are offsets into the whole message (as with `ArraySlice`); `startIndex` is the first
/// byte of the window. `Array(view)` copies the bytes out.
public struct ByteView: RandomAccessCollection, Sendable {
    /// The message the view refers into.
    public let message: MessageBytes
    /// The viewed byte range, in message offsets.
    public let range: Range<Int>

    /// The offset of the first byte.
    public var startIndex: Int { range.lowerBound }
    /// One past the offset of the last byte.
    public var endIndex: Int { range.upperBound }

    /// The byte at message offset `position`.
    public subscript(position: Int) -> UInt8 {
        message.byte(at: position)
    }

    /// Calls `body` with the viewed bytes as raw memory, valid only inside `body`.
    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try message.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[range]))
        }
    }

    /// Fast contiguous access for generic algorithms (`Array(view)`, `elementsEqual`, hashing).
    public func withContiguousStorageIfAvailable<Result>(
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result? {
        try withUnsafeBytes { raw in try body(raw.bindMemory(to: UInt8.self)) }
    }
}
