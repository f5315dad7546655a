import Foundation
import MIME
import Testing

/// The raw message holder: arrays and memory-mapped files, without copies.
@Suite struct MessageBytesTests {
    static func temporaryFile(_ contents: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "mime-bytes-" + UUID().uuidString
        try Data(contents).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func aMappedFileParsesLikeTheSameBytesInMemory() throws {
        let raw = bytes("Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b\nContent-Transfer-Encoding: base64\n\naGk=\n--b--\n")
        let path = try Self.temporaryFile(raw)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let mapped = try MessageBytes(mappingFile: path)
        #expect(mapped.count == raw.count)
        #expect(Array(mapped[0..<mapped.count]) == raw)
        let fromFile = MIMEParser().parse(mapped)
        let fromArray = MIMEParser().parse(raw)
        #expect(fromFile.leaves.map(\.bodyRange) == fromArray.leaves.map(\.bodyRange))
        #expect(fromFile.leaves.map { $0.decoded() } == fromArray.leaves.map { $0.decoded() })
    }

    @Test func aMappingOutlivesItsFileDescriptor() throws {
        let path = try Self.temporaryFile(bytes("Subject: x\n\nbody"))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let descriptor = open(path, O_RDONLY)
        let mapped = try MessageBytes(mapping: descriptor)
        close(descriptor)
        #expect(text(of: MIMEParser().parse(mapped).root) == "body")
    }

    @Test func droppingResidentPagesKeepsAMappedMessageReadable() throws {
        let raw = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let path = try Self.temporaryFile(raw)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let mapped = try MessageBytes(mappingFile: path)
        #expect(Array(mapped[0..<mapped.count]) == raw)
        mapped.dropResidentPages()
        #expect(Array(mapped[0..<mapped.count]) == raw)
        let inMemory = MessageBytes(raw)
        inMemory.dropResidentPages()
        #expect(inMemory.copyBytes(0..<raw.count) == raw)
    }

    @Test func aMissingFileIsAnErrorNamingIt() {
        #expect {
            _ = try MessageBytes(mappingFile: "/nonexistent/mime-test")
        } throws: { error in
            (error as? MessageBytesError)?.description == "open /nonexistent/mime-test: No such file or directory"
        }
    }

    @Test func aDirectoryIsRefused() {
        #expect {
            _ = try MessageBytes(mappingFile: NSTemporaryDirectory())
        } throws: { error in
            (error as? MessageBytesError)?.reason == "is a directory"
        }
    }

    @Test func anEmptyFileIsAnEmptyMessage() throws {
        let path = try Self.temporaryFile([])
        defer { try? FileManager.default.removeItem(atPath: path) }
        let mapped = try MessageBytes(mappingFile: path)
        #expect(mapped.count == 0)
        #expect(MIMEParser().parse(mapped).leaves.count == 1)
    }

    @Test func viewsUseMessageOffsetsAndClampToTheMessage() {
        let message = MessageBytes(Array("0123456789".utf8))
        let view = message[3..<6]
        #expect(view.startIndex == 3)
        #expect(view[4] == UInt8(ascii: "4"))
        #expect(Array(view) == Array("345".utf8))
        #expect(message[8..<100].count == 2)
    }
}
