/// Builds the payload of one command packet: NUL-terminated strings and big-endian integers.
struct PayloadWriter {
    private(set) var bytes: [UInt8] = []

    /// Appends a string and its terminating NUL; a NUL inside would end it early on the other side.
    /// `field` names the string in the error, and is only built for one (load generators send
    /// millions of these).
    mutating func cString(_ text: String, field: @autoclosure () -> String) throws {
        try cString(text.utf8, field: field())
    }

    /// Appends raw bytes and a terminating NUL; refuses bytes containing a NUL.
    mutating func cString(_ text: [UInt8], field: @autoclosure () -> String) throws {
        try cString(text[...], field: field())
    }

    private mutating func cString<Bytes: Collection<UInt8>>(_ text: Bytes, field: @autoclosure () -> String) throws {
        if let position = text.firstIndex(of: 0) {
            throw MilterClientError(
                .invalidArgument,
                "\(field()) contains a NUL byte at offset \(text.distance(from: text.startIndex, to: position)); the milter protocol cannot carry it"
            )
        }
        bytes.append(contentsOf: text)
        bytes.append(0)
    }

    /// Appends one byte.
    mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    /// Appends a 16-bit integer in network byte order.
    mutating func uint16(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends a 32-bit integer in network byte order.
    mutating func uint32(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    /// Appends bytes as they are (a body chunk).
    mutating func raw(_ data: some Sequence<UInt8>) {
        bytes.append(contentsOf: data)
    }
}

/// Frames a packet: 4-byte big-endian length of command plus payload, the command byte, the payload.
func framePacket(command: UInt8, payload: [UInt8]) -> [UInt8] {
    var packet: [UInt8] = []
    packet.reserveCapacity(payload.count + 5)
    let length = UInt32(truncatingIfNeeded: payload.count + 1)
    for shift in stride(from: 24, through: 0, by: -8) {
        packet.append(UInt8(truncatingIfNeeded: length >> UInt32(shift)))
    }
    packet.append(command)
    packet.append(contentsOf: payload)
    return packet
}
