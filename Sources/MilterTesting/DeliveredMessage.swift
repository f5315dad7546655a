public import Milter

/// A message as the MTA would deliver it after a milter's end-of-message actions: the envelope
/// and headers changed, the body replaced (pymilter testctx's `_body` and header list).
public struct DeliveredMessage: Sendable, Hashable {
    /// The envelope sender, after `changeFrom`.
    public var sender: EnvelopeAddress
    /// The envelope recipients, after `addRecipient` and `deleteRecipient`.
    public var recipients: [EnvelopeAddress]
    /// The header fields in order, after every add, insert, change and delete.
    public var headers: [MilterMessage.Header]
    /// The body, after `replaceBody` (its pieces joined).
    public var body: [UInt8]
    /// The reason given to `quarantine`, if the message was put on hold.
    public var quarantineReason: String?

    /// The whole message: each header as `Name: value` with CRLF (a folded value's LFs become
    /// CRLF again), an empty line, the body.
    public var raw: [UInt8] {
        var bytes: [UInt8] = []
        for header in headers {
            bytes += Array(header.name.utf8) + [UInt8(ascii: ":")]
            if header.value.first != UInt8(ascii: " ") && header.value.first != UInt8(ascii: "\t") {
                bytes.append(UInt8(ascii: " "))
            }
            for byte in header.value {
                if byte == 0x0A && bytes.last != 0x0D { bytes.append(0x0D) }
                bytes.append(byte)
            }
            bytes += [0x0D, 0x0A]
        }
        return bytes + [0x0D, 0x0A] + body
    }

    /// The values of the headers called `name` (any case), as text.
    public func values(of name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map { String(decoding: $0.value, as: UTF8.self) }
    }

    /// Applies `actions`, in order, to the message as it was sent, as the MTA does after
    /// end of message. Header indexes follow libmilter: insert at 0 is the top, change and
    /// delete count occurrences of the name from 1; changing one that does not exist adds it.
    init(sender: EnvelopeAddress, recipients: [EnvelopeAddress], message: MilterMessage, actions: some Sequence<MilterAction>) {
        self.sender = sender
        self.recipients = recipients
        self.headers = message.headers
        self.body = message.body
        var replacement: [UInt8]?
        for action in actions {
            switch action {
            case .addHeader(let name, let value):
                headers.append(MilterMessage.Header(name: name, value: Array(value.utf8)))
            case .insertHeader(let index, let name, let value):
                headers.insert(MilterMessage.Header(name: name, value: Array(value.utf8)), at: min(index, headers.count))
            case .changeHeader(let name, let index, let value):
                changeHeader(name, index: index, value: value)
            case .addRecipient(let address, let parameters):
                self.recipients.append(EnvelopeAddress(address, parameters))
            case .deleteRecipient(let address):
                self.recipients.removeAll { $0.address == address }
            case .changeFrom(let address, let parameters):
                self.sender = EnvelopeAddress(address, parameters)
            case .replaceBody(let piece):
                replacement = (replacement ?? []) + piece
            case .quarantine(let reason):
                quarantineReason = reason
            case .setReply, .progress, .setMacroList:
                break
            }
        }
        if let replacement { body = replacement }
    }

    private mutating func changeHeader(_ name: String, index: Int, value: String) {
        let positions = headers.indices.filter { headers[$0].name.lowercased() == name.lowercased() }
        let occurrence = max(index, 1) - 1
        if occurrence < positions.count {
            if value.isEmpty {
                headers.remove(at: positions[occurrence])
            } else {
                headers[positions[occurrence]].value = Array(value.utf8)
            }
        } else if !value.isEmpty {
            headers.append(MilterMessage.Header(name: name, value: Array(value.utf8)))
        }
    }
}
