#if canImport(Glibc)
import Glibc
#endif
import MIME
import Scanning

/// The loop a forked scan worker runs: one request at a time from the milter, scanned with the
/// engine it inherited from the zygote, answered, and nothing else. It exits when the milter
/// closes its end (a retired worker, a reload, the milter stopping).
enum ScanWorker {
    /// Serves `channel` with `backend` until the milter closes it; never returns.
    static func serve(_ channel: WorkerChannel, backend: any ScanBackend, faultInjection: Bool) -> Never {
        while true {
            let request: (text: String, descriptor: Int32?)
            do {
                request = try channel.receive()
            } catch {
                _exit(0)
            }
            guard let kind = ScanRequest(line: request.text), let descriptor = request.descriptor else {
                if let descriptor = request.descriptor { close(descriptor) }
                _exit(2)
            }
            let verdict = scan(kind, descriptor: descriptor, backend: backend, faultInjection: faultInjection)
            close(descriptor)
            do {
                try channel.send(verdict.workerLine)
            } catch {
                _exit(0)
            }
        }
    }

    private static func scan(_ kind: ScanRequest, descriptor: Int32, backend: any ScanBackend, faultInjection: Bool) -> ScanVerdict {
        switch kind {
        case .file:
            return backend.scan(fileDescriptor: descriptor)
        case .full, .raw:
            let message: MessageBytes
            do {
                message = try MessageBytes(mapping: descriptor)
            } catch {
                return .unscannable(UnscannableReason(.engineError, "worker cannot map the content: \(error)"))
            }
            if faultInjection { FaultInjection.trigger(in: message) }
            return backend.scan(message: message, decodingMail: kind == .full)
        }
    }
}

/// Test-only: with `SCANMILTER_TEST_FAULT_INJECTION=1` in the zygote's environment, content
/// that contains `SCANMILTER-TEST-FAULT-<NAME>` makes the worker fail as a crashing parser
/// would: SEGV (a memory error), SYS (a forbidden system call: the seccomp filter kills it),
/// HANG (an endless loop), ABRT, WRITE (a file outside the worker's directory: Landlock refuses
/// it and the scan goes on). This is how the tests stand in for a libclamav crash, which
/// no fixed release lets us produce on purpose; nothing else reads the variable.
enum FaultInjection {
    static let variable = "SCANMILTER_TEST_FAULT_INJECTION"
    static let marker = Array("SCANMILTER-TEST-FAULT-".utf8)

    static func trigger(in message: MessageBytes) {
        message.withUnsafeBytes { bytes in
            guard let start = find(marker, in: bytes) else { return }
            let rest = bytes[(start + marker.count)...]
            let word = String(decoding: rest.prefix { $0 >= 65 && $0 <= 90 }, as: UTF8.self)
            switch word {
            case "SEGV": raise(SIGSEGV)
            case "ABRT": abort()
            case "SYS": _ = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            case "HANG": while true { sched_yield() }
            case "WRITE":
                // Outside the worker's directory: Landlock refuses, and the scan goes on.
                let path = "/var/tmp/scanmilter-escape-\(getpid())"
                let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                if descriptor >= 0 { close(descriptor) }
            default: return
            }
        }
    }

    private static func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer) -> Int? {
        guard haystack.count >= needle.count, let first = needle.first else { return nil }
        var index = 0
        while index <= haystack.count - needle.count {
            if haystack[index] == first, needle.indices.allSatisfy({ haystack[index + $0] == needle[$0] }) { return index }
            index += 1
        }
        return nil
    }
}
