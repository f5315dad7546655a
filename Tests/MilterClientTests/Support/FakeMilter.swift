import Dispatch
import Foundation
import Glibc
import MilterClient
import Synchronization

/// A scripted peer on a real unix or TCP socket that plays a milter, often a misbehaving one on purpose:
/// real libmilter never sends garbage, oversized lengths or half packets, so the client's defences
/// can only be exercised against a peer we script. It accepts one connection and runs the script
/// on its own thread.
final class FakeMilter: Sendable {
    /// The socket spec the client connects to.
    let spec: MilterSocketSpec
    private let directory: String
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let isFinished = Mutex(false)

    /// Where the fake listens: a unix socket in a fresh temporary directory, or TCP on loopback.
    enum Transport { case unix, tcp4, tcp6 }

    init(on transport: Transport = .unix, script: @escaping @Sendable (FakePeer) throws -> Void) throws {
        directory = NSTemporaryDirectory() + "fake-milter-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (listener, spec) = try Self.listen(on: transport, directory: directory)
        self.listener = listener
        self.spec = spec
        let finished = finished
        Thread.detachNewThread {
            let connection = accept(listener, nil, nil)
            if connection >= 0 {
                let peer = FakePeer(descriptor: connection)
                try? script(peer)
                peer.close()
            }
            finished.signal()
        }
    }

    private static func listen(on transport: Transport, directory: String) throws -> (Int32, MilterSocketSpec) {
        let family = transport == .unix ? AF_UNIX : transport == .tcp4 ? AF_INET : AF_INET6
        let listener = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var storage = sockaddr_storage()
        var length: socklen_t
        switch transport {
        case .unix:
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array((directory + "/milter.sock").utf8)) }
            length = socklen_t(MemoryLayout<sockaddr_un>.size)
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
        case .tcp4:
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
        case .tcp6:
            var address = sockaddr_in6()
            address.sin6_family = sa_family_t(AF_INET6)
            address.sin6_addr = in6addr_loopback
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeMutableBytes(of: &storage) { $0.copyBytes(from: withUnsafeBytes(of: address) { Array($0) }) }
        }
        let ok = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, length) == 0 && Glibc.listen(listener, 4) == 0 && getsockname(listener, $0, &length) == 0
            }
        }
        guard ok else {
            _ = Glibc.close(listener)
            throw FakeMilterError(message: "cannot listen (\(transport)): errno \(errno)")
        }
        switch transport {
        case .unix:
            return (listener, .unix(path: directory + "/milter.sock"))
        case .tcp4:
            let port = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in.self).sin_port }
            return (listener, .inet(host: "127.0.0.1", port: UInt16(bigEndian: port)))
        case .tcp6:
            let port = withUnsafeBytes(of: storage) { $0.load(as: sockaddr_in6.self).sin6_port }
            return (listener, .inet6(host: "::1", port: UInt16(bigEndian: port)))
        }
    }

    /// Waits for the script to end, then removes the socket and its directory.
    /// Safe to call twice (an explicit call and a `defer`): only the first one waits and cleans up.
    func finish() {
        let first = isFinished.withLock { done in
            defer { done = true }
            return !done
        }
        guard first else { return }
        _ = finished.wait(timeout: .now() + 10)
        _ = Glibc.close(listener)
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct FakeMilterError: Error {
    let message: String
}

/// The fake milter's end of the connection: raw reads and writes, no protocol checks.
struct FakePeer: Sendable {
    let descriptor: Int32

    /// Reads exactly `count` bytes, or nil at end of stream.
    func read(_ count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        var received = 0
        while received < count {
            let result = bytes.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress.map { $0 + received }, count - received, 0) }
            if result <= 0 {
                if result < 0 && errno == EINTR { continue }
                return nil
            }
            received += result
        }
        return bytes
    }

    /// Bytes received and not yet read (FIONREAD).
    func queuedBytes() -> Int {
        var count: Int32 = 0
        return ioctl(descriptor, UInt(FIONREAD), &count) == 0 ? Int(count) : -1
    }

    /// Reads one packet: (command letter, payload), or nil at end of stream.
    func readPacket() -> (command: Character, payload: [UInt8])? {
        guard let header = read(4) else { return nil }
        let length = header.reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, let body = read(length) else { return nil }
        return (Character(Unicode.Scalar(body[0])), Array(body.dropFirst()))
    }

    /// Reads packets until end of stream and returns their letters (for asserting what was sent).
    func drain() -> [Character] {
        var letters: [Character] = []
        while let packet = readPacket() {
            letters.append(packet.command)
        }
        return letters
    }

    /// Writes raw bytes.
    func write(_ bytes: [UInt8]) {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress.map { $0 + sent }, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if result <= 0 { return }
            sent += result
        }
    }

    /// Writes a well-formed packet.
    func send(_ letter: Character, _ payload: [UInt8] = []) {
        let length = UInt32(payload.count + 1)
        write([UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
            + [UInt8(ascii: letter.unicodeScalars.first ?? "?")] + payload)
    }

    /// Reads the MTA's negotiation and answers it with these actions and steps.
    @discardableResult
    func negotiate(actions: UInt32 = 0x1FF, steps: UInt32 = 0, extra: [UInt8] = []) -> [UInt8]? {
        guard let packet = readPacket(), packet.command == "O" else { return nil }
        send("O", uint32(6) + uint32(actions) + uint32(steps) + extra)
        return packet.payload
    }

    func close() {
        _ = Glibc.close(descriptor)
    }
}

/// Big-endian bytes of a 32-bit integer.
func uint32(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
}

/// Bytes of a string plus its NUL.
func cString(_ text: String) -> [UInt8] {
    Array(text.utf8) + [0]
}

/// A value shared between the test and the fake milter's thread.
final class Recorded<Value: Sendable>: Sendable {
    private let box: Mutex<Value>

    init(_ value: Value) { box = Mutex(value) }

    var value: Value { box.withLock { $0 } }

    func update(_ change: (inout Value) -> Void) {
        box.withLock { change(&$0) }
    }
}
