@testable import Filter
import Foundation
import Testing

@Suite struct MessageBufferTests {
    private func contents(_ buffer: MessageBuffer) -> [UInt8] {
        switch buffer.storage {
        case .memory(let bytes):
            return bytes
        case .file(let fd, let count):
            var out = [UInt8](repeating: 0, count: count)
            let read = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, 0) }
            return Array(out.prefix(max(read, 0)))
        }
    }

    @Test func smallMessagesStayInMemory() throws {
        let buffer = MessageBuffer(memoryThreshold: 1024, maxSize: 4096, temporaryDirectory: NSTemporaryDirectory())
        #expect(try buffer.append(Array("Subject: hi\r\n\r\nbody\r\n".utf8)) == .kept)
        #expect(!buffer.isSpilled)
        #expect(contents(buffer) == Array("Subject: hi\r\n\r\nbody\r\n".utf8))
    }

    @Test func crossingTheThresholdSpillsToAnUnlinkedFileWithEveryByte() throws {
        let buffer = MessageBuffer(memoryThreshold: 100, maxSize: 10_000, temporaryDirectory: NSTemporaryDirectory())
        let first = [UInt8](repeating: 0x41, count: 80)
        let second = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        try buffer.append(first)
        #expect(!buffer.isSpilled)
        try buffer.append(second)
        #expect(buffer.isSpilled)
        #expect(contents(buffer) == first + second)
        guard case .file(let fd, _) = buffer.storage else {
            Issue.record("not spilled")
            return
        }
        // The file has no name left: it vanishes with the descriptor, even after a crash.
        let link = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
        #expect(link.hasSuffix("(deleted)"))
        buffer.release()
        #expect(fcntl(fd, F_GETFD) == -1)
    }

    @Test func bytesPastTheLimitAreDroppedAndTheMessageIsTruncated() throws {
        let buffer = MessageBuffer(memoryThreshold: 50, maxSize: 120, temporaryDirectory: NSTemporaryDirectory())
        #expect(try buffer.append([UInt8](repeating: 1, count: 100)) == .kept)
        #expect(!buffer.isTruncated)
        #expect(try buffer.append([UInt8](repeating: 2, count: 100)) == .limitReached)
        #expect(buffer.count == 120)
        #expect(buffer.droppedBytes == 80)
        #expect(buffer.isTruncated)
        #expect(contents(buffer) == [UInt8](repeating: 1, count: 100) + [UInt8](repeating: 2, count: 20))
        buffer.countDropped(1000)
        #expect(buffer.droppedBytes == 1080)
    }

    @Test func anUnwritableTemporaryDirectoryIsAClearErrorNotACrash() {
        let buffer = MessageBuffer(memoryThreshold: 10, maxSize: 1000, temporaryDirectory: "/nonexistent/scanmilter")
        #expect {
            try buffer.append([UInt8](repeating: 0, count: 20))
        } throws: { error in
            (error as? MessageBuffer.StorageError)?.description
                == "create temporary file in /nonexistent/scanmilter: No such file or directory"
        }
    }

    @Test func releaseEmptiesTheBufferForTheNextMessage() throws {
        let buffer = MessageBuffer(memoryThreshold: 10, maxSize: 50, temporaryDirectory: NSTemporaryDirectory())
        try buffer.append([UInt8](repeating: 7, count: 60))
        buffer.release()
        #expect(buffer.count == 0 && !buffer.isTruncated && !buffer.isSpilled)
        try buffer.append([9])
        #expect(contents(buffer) == [9])
    }
}
