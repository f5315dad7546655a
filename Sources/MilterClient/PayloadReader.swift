/// Reads the payload of one response packet; every read checks the bounds and throws
/// `.truncatedPacket` naming the packet when the milter sent too little.
struct PayloadReader {
    private let bytes: [UInt8]
    private var position = 0
    private let packetName: String

    init(_ bytes: [UInt8], packetName: String) {
        self.bytes = bytes
        self.packetName = packetName
    }

    /// True when every byte has been read.
    var isAtEnd: Bool { position >= bytes.count }

    /// Reads a 32-bit big-endian integer.
    mutating func uint32(_ field: String) throws -> UInt32 {
        guard bytes.count - position >= 4 else {
            throw MilterClientError(
                .truncatedPacket,
                "\(packetName) packet ends before its 4-byte \(field) (\(bytes.count - position) bytes left)"
            )
        }
        var value: UInt32 = 0
        for offset in 0..<4 {
            value = value << 8 | UInt32(bytes[position + offset])
        }
        position += 4
        return value
    }

    /// Reads bytes up to the next NUL and skips the NUL.
    mutating func cStringBytes(_ field: String) throws -> ArraySlice<UInt8> {
        guard let end = bytes[position...].firstIndex(of: 0) else {
            throw MilterClientError(.truncatedPacket, "\(packetName) packet: \(field) is not NUL-terminated")
        }
        let value = bytes[position..<end]
        position = end + 1
        return value
    }

    /// Reads a NUL-terminated string, decoded as UTF-8 (invalid bytes become U+FFFD).
    mutating func cString(_ field: String) throws -> String {
        String(decoding: try cStringBytes(field), as: UTF8.self)
    }

    /// Reads an optional trailing NUL-terminated string: nil when the packet ends here.
    mutating func optionalCString(_ field: String) throws -> String? {
        isAtEnd ? nil : try cString(field)
    }

    /// Returns every byte not read yet.
    mutating func rest() -> ArraySlice<UInt8> {
        defer { position = bytes.count }
        return bytes[position...]
    }
}
