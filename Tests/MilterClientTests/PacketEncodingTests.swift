@testable import MilterClient
import Testing

@Suite("Packet encoding")
struct PacketEncodingTests {
    @Test func framingPutsBigEndianLengthOfCommandAndPayloadFirst() {
        let packet = framePacket(command: UInt8(ascii: "H"), payload: cString("mx.example"))
        #expect(packet == [0, 0, 0, 12, UInt8(ascii: "H")] + cString("mx.example"))
    }

    @Test func negotiationOfferIsVersionActionsAndStepsAsThreeBigEndianWords() {
        let offer = MilterNegotiation(version: 6, actions: .all, steps: .all)
        #expect(offer.offerPayload == uint32(6) + uint32(0x1FF) + uint32(0x1F_FFFF))
    }

    @Test(arguments: [
        (PeerAddress.inet(address: "192.0.2.7", port: 2525), [UInt8(ascii: "4"), 0x09, 0xDD] + cString("192.0.2.7")),
        (.inet6(address: "2001:db8::1", port: 587), [UInt8(ascii: "6"), 0x02, 0x4B] + cString("2001:db8::1")),
        (.unix(path: "/run/smtp.sock"), [UInt8(ascii: "L"), 0, 0] + cString("/run/smtp.sock")),
        (.unknown, [UInt8(ascii: "U")]),
    ])
    func connectAddressCarriesFamilyLetterPortAndAddress(address: PeerAddress, expected: [UInt8]) throws {
        var writer = PayloadWriter()
        try address.encode(into: &writer)
        #expect(writer.bytes == expected)
    }

    @Test func stringWithNulIsRefusedBeforeAnythingIsSent() {
        var writer = PayloadWriter()
        #expect(throws: MilterClientError.self) {
            try writer.cString([0x61, 0x00, 0x62], field: "value of header X")
        }
        do {
            try writer.cString([0x61, 0x00], field: "value of header X")
        } catch let error as MilterClientError {
            #expect(error.code == .invalidArgument)
            #expect(error.message.contains("value of header X"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func stringWithNulNamesItsFieldAndOffsetAndWritesNothing() {
        var writer = PayloadWriter()
        do {
            try writer.cString("ab\u{0}c", field: "value of macro j")
            Issue.record("a string with a NUL was written")
        } catch let error as MilterClientError {
            #expect(error.message.contains("value of macro j contains a NUL byte at offset 2"))
        } catch {
            Issue.record("unexpected error \(error)")
        }
        #expect(writer.bytes.isEmpty)
        #expect(throws: Never.self) { try writer.cString("ab", field: "x") }
        #expect(writer.bytes == cString("ab"))
    }

    @Test func macroStagesUseTheCommandLetterOfTheirStep() {
        let letters = MacroStage.allCases.map { Character(Unicode.Scalar($0.command.rawValue)) }
        #expect(letters == ["C", "H", "M", "R", "T", "E", "N"])
    }
}
