import Milter

/// The message in progress on one connection: envelope, headers seen, and the buffer.
/// Reset at MAIL FROM, end of message, abort and close, so nothing leaks between messages.
struct MessageState {
    let buffer: MessageBuffer
    var sender = ""
    var senderParameters: [String] = []
    var recipients: [String] = []
    var recipientParameters: [[String]] = []
    var subject = ""
    /// How many incoming headers carry each status-header name (lower-cased), to delete them all.
    var statusHeaderCounts: [String: Int] = [:]
    /// The first failure to store the message (disk full...): the message is then unscannable.
    var storageFailure: String?
    var started = ContinuousClock.now
    /// Bytes the MTA sent in all, kept or not.
    var receivedBytes = 0

    init(buffer: MessageBuffer) {
        self.buffer = buffer
    }

    mutating func reset() {
        buffer.release()
        sender = ""
        senderParameters = []
        recipients = []
        recipientParameters = []
        subject = ""
        statusHeaderCounts = [:]
        storageFailure = nil
        receivedBytes = 0
        started = ContinuousClock.now
    }

    /// Appends `Name:value` CRLF. With the leading-space opt-in the value is exactly as sent; folded
    /// lines may arrive with bare LF (Postfix's internal form), which become CRLF again.
    mutating func addHeader(_ header: MilterHeader, statusNames: [String]) {
        let lowered = header.name.lowercased()
        if statusNames.contains(where: { $0.lowercased() == lowered }) {
            statusHeaderCounts[lowered, default: 0] += 1
        }
        if lowered == "subject" && subject.isEmpty {
            subject = String(header.value.drop { $0 == " " || $0 == "\t" })
        }
        var line = Array(header.name.utf8)
        line.append(UInt8(ascii: ":"))
        var previous: UInt8 = 0
        for byte in header.valueBytes {
            if byte == UInt8(ascii: "\n") && previous != UInt8(ascii: "\r") { line.append(UInt8(ascii: "\r")) }
            line.append(byte)
            previous = byte
        }
        line += [UInt8(ascii: "\r"), UInt8(ascii: "\n")]
        store(line)
    }

    mutating func endHeaders() {
        store([UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }

    /// Appends a body chunk; false once nothing more will be kept (limit reached or storage failed).
    mutating func appendBody(_ chunk: UnsafeRawBufferPointer) -> Bool {
        receivedBytes += chunk.count
        if storageFailure != nil { return false }
        do {
            return try buffer.append(chunk) == .kept
        } catch {
            storageFailure = "\(error)"
            return false
        }
    }

    private mutating func store(_ bytes: [UInt8]) {
        receivedBytes += bytes.count
        guard storageFailure == nil else { return }
        do {
            try buffer.append(bytes)
        } catch {
            storageFailure = "\(error)"
        }
    }
}
