/// Where the daemon's copy of a message is: in memory, or in an open (possibly unlinked) file.
public enum MessageSource: Sendable {
    /// The whole raw message.
    case bytes([UInt8])
    /// The first `length` bytes of an open file, read with `pread` from offset 0, so the
    /// descriptor's own offset neither matters nor moves. The caller keeps ownership of it.
    case file(descriptor: Int32, length: Int)
}
