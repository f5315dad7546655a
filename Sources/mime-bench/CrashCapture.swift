#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

// What the signal handler and the watchdog thread need, kept where a signal handler can reach
// it without allocating or locking: a fixed buffer holding the input being parsed and the paths
// to write it to. nonisolated(unsafe): written only by the fuzz loop between parses; the
// handler and watchdog read it only while a parse of that input is under way.
nonisolated(unsafe) private var inputBuffer: UnsafeMutablePointer<UInt8>?
nonisolated(unsafe) private var inputCapacity = 0
nonisolated(unsafe) private var inputLength = 0
nonisolated(unsafe) private var crashPath: UnsafeMutablePointer<CChar>?
nonisolated(unsafe) private var hangPath: UnsafeMutablePointer<CChar>?

/// When the parse in flight started (monotonic nanoseconds), 0 between parses.
private let parseStartedAt = Atomic<Int64>(0)

/// Writes the input being parsed to a file if the process dies (crash signal) or a parse hangs.
///
/// A crash in Swift code (a trap: bounds, overflow, force unwrap) arrives as SIGILL or SIGTRAP,
/// a stack overflow as SIGSEGV (handled on an alternate stack), an abort as SIGABRT.
enum CrashCapture {
    /// Installs the handlers and the watchdog; inputs longer than `capacity` are never parsed.
    static func install(directory: String, capacity: Int, hangSeconds: Int) {
        inputBuffer = .allocate(capacity: capacity)
        inputCapacity = capacity
        crashPath = strdup(directory + "/mime-fuzz-crash.eml")
        hangPath = strdup(directory + "/mime-fuzz-hang.eml")

        let altStackSize = 1 << 16
        var altStack = stack_t()
        altStack.ss_sp = UnsafeMutableRawPointer.allocate(byteCount: altStackSize, alignment: 16)
        altStack.ss_size = altStackSize
        altStack.ss_flags = 0
        sigaltstack(&altStack, nil)

        #if canImport(Glibc)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            writeInput(to: crashPath)
            let message = "mime-bench: fuzz input crashed the parser; written to mime-fuzz-crash.eml\n"
            _ = message.withCString { write(2, $0, strlen($0)) }
            signal(number, SIG_DFL)
            raise(number)
        }
        action.sa_flags = Int32(SA_ONSTACK)
        for number in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT] {
            sigaction(number, &action, nil)
        }
        #endif

        var thread = pthread_t()
        let seconds = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        seconds.pointee = hangSeconds
        pthread_create(&thread, nil, { argument in
            let limit = Int64(argument?.assumingMemoryBound(to: Int.self).pointee ?? 10) * 1_000_000_000
            while true {
                sleep(1)
                let started = parseStartedAt.load(ordering: .acquiring)
                if started != 0, nowNanoseconds() - started > limit {
                    writeInput(to: hangPath)
                    let message = "mime-bench: a fuzz input took too long; written to mime-fuzz-hang.eml\n"
                    _ = message.withCString { write(2, $0, strlen($0)) }
                    _exit(1)
                }
            }
        }, seconds)
    }

    /// Records `input` as the one in flight and runs `body` (the parse) with the watchdog armed.
    static func guarding<T>(_ input: [UInt8], _ body: () -> T) -> T {
        let length = min(input.count, inputCapacity)
        if let inputBuffer {
            input.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { inputBuffer.update(from: base, count: length) }
            }
        }
        inputLength = length
        parseStartedAt.store(nowNanoseconds(), ordering: .releasing)
        defer { parseStartedAt.store(0, ordering: .releasing) }
        return body()
    }
}

/// Monotonic clock in nanoseconds.
private func nowNanoseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Int64(now.tv_sec) * 1_000_000_000 + Int64(now.tv_nsec)
}

/// Writes the buffered input to `path` with async-signal-safe calls only.
private func writeInput(to path: UnsafeMutablePointer<CChar>?) {
    guard let path, let inputBuffer else { return }
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if fd < 0 { return }
    var written = 0
    while written < inputLength {
        let n = write(fd, inputBuffer + written, inputLength - written)
        if n <= 0 { break }
        written += n
    }
    close(fd)
}
