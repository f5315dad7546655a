import Foundation
import Glibc
import Logging
import Scanning
import Synchronization

/// `scan-bench clamd [--size KiB] [--seconds S] [--runs R] [--threads 1,2,4,8] [--signatures N]`:
/// clamd-pool throughput. Starts two clamd processes on unix sockets in a temporary directory
/// with a generated database (EICAR plus N random body signatures), then measures messages/s
/// and MB/s of clean messages (medians of R interleaved runs) through: a bare `ClamdClient` on one server (the reference), the
/// `ClamdBackend` pool with one server, and the pool with two servers. Medians of R runs.
enum ClamdBench {
    struct Options {
        var sizeKiB = 100
        var seconds = 1.0
        var runs = 5
        var threads = [1, 2, 4, 8]
        var signatures = 10_000
    }

    struct BenchError: Error, CustomStringConvertible {
        var description: String
    }

    static func run(_ arguments: [String]) throws {
        let options = try parse(arguments)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scanmilter-clamd-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let database = try makeDatabase(in: directory, signatures: options.signatures)
        let servers = try (0..<2).map { try Server(directory: directory, index: $0, database: database) }
        defer { servers.forEach { $0.stop() } }

        let message = makeMessage(kiB: options.sizeKiB)
        let version = (try? ClamdClient(endpoint: servers[0].endpoint).version()) ?? "unknown"
        print("clamd: \(version), \(options.signatures) generated body signatures, clean \(message.count / 1024) KiB messages, \(options.runs) runs of \(options.seconds) s, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        print(String(format: "clamd start to first PONG: %.0f ms and %.0f ms", servers[0].startup * 1000, servers[1].startup * 1000))
        print("")
        print("threads  path                        messages/s    MB/s   ratio to bare client")

        var logger = Logger(label: "scan-bench.clamd")
        logger.logLevel = .error
        let bare = ClamdClient(endpoint: servers[0].endpoint)
        let one = try ClamdBackend(configuration: .init(servers: [servers[0].endpoint]), logger: logger)
        let two = try ClamdBackend(configuration: .init(servers: servers.map(\.endpoint)), logger: logger)
        let paths: [(String, @Sendable (ArraySlice<UInt8>) -> ScanVerdict)] = [
            ("bare ClamdClient, 1 server", { (try? bare.scan($0)) ?? .unscannable(.init(.engineError, "failed")) }),
            ("ClamdBackend, 1 server", { one.scan($0) }),
            ("ClamdBackend, 2 servers", { two.scan($0) }),
        ]
        for threads in options.threads {
            // Runs interleave the paths, so load from other processes falls on all alike.
            var samples = [[Double]](repeating: [], count: paths.count)
            for run in 0..<options.runs {
                for offset in paths.indices {
                    let index = (run + offset) % paths.count
                    samples[index].append(try measure(threads: threads, seconds: options.seconds, message: message, scan: paths[index].1))
                }
            }
            let reference = MagicBench.median(samples[0])
            for (index, path) in paths.enumerated() {
                let rate = MagicBench.median(samples[index])
                let megabytes = rate * Double(message.count) / 1_000_000
                print(String(format: "%7d  %-27@ %10.0f  %6.1f   %5.2f", threads, path.0 as NSString, rate, megabytes, rate / reference))
            }
        }
        let status = two.serverStatus.map { "\($0.endpoint): \($0.scans) scans, \($0.failures) failures" }
        print("two-server pool spread: " + status.joined(separator: "; "))
    }

    /// Messages per second with `threads` threads each scanning back to back for `seconds`.
    static func measure(threads: Int, seconds: Double, message: [UInt8], scan: @escaping @Sendable (ArraySlice<UInt8>) -> ScanVerdict) throws -> Double {
        let count = Atomic<Int>(0)
        let failures = Atomic<Int>(0)
        let stop = Atomic<Bool>(false)
        let group = DispatchGroup()
        let clock = ContinuousClock()
        let began = clock.now
        for _ in 0..<threads {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                while !stop.load(ordering: .relaxed) {
                    if scan(message[...]) == .clean {
                        count.add(1, ordering: .relaxed)
                    } else {
                        failures.add(1, ordering: .relaxed)
                    }
                }
            }
        }
        Thread.sleep(forTimeInterval: seconds)
        stop.store(true, ordering: .relaxed)
        group.wait()
        guard failures.load(ordering: .relaxed) == 0 else {
            throw BenchError(description: "\(failures.load(ordering: .relaxed)) scans did not come back clean")
        }
        return Double(count.load(ordering: .relaxed)) / MagicBench.seconds(clock.now - began)
    }

    /// A mail-like clean message: headers, a text part and a base64 attachment.
    static func makeMessage(kiB: Int) -> [UInt8] {
        var random = SystemRandomNumberGenerator()
        let header = "From: a@example.org\r\nTo: b@example.org\r\nSubject: report\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
        var text = Array(header.utf8) + Array(String(repeating: "Please find the report attached.\r\n", count: 100).utf8)
        text += Array("--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        while text.count < kiB * 1024 {
            text += (0..<76).map { _ in alphabet[Int.random(in: 0..<64, using: &random)] } + [13, 10]
        }
        return text + Array("--b--\r\n".utf8)
    }

    /// EICAR and `signatures` random 20-byte body signatures: enough for clamd's matcher to have work.
    static func makeDatabase(in directory: URL, signatures: Int) throws -> URL {
        let database = directory.appendingPathComponent("db")
        try FileManager.default.createDirectory(at: database, withIntermediateDirectories: true)
        var random = SystemRandomNumberGenerator()
        var lines = ["Bench.EICAR:0:*:" + Array("EICAR-STANDARD-ANTIVIRUS-TEST-FILE".utf8).map { String(format: "%02x", $0) }.joined()]
        for index in 0..<signatures {
            let hex = (0..<20).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &random)) }.joined()
            lines.append("Bench.Random.\(index):0:*:\(hex)")
        }
        try (lines.joined(separator: "\n") + "\n").write(to: database.appendingPathComponent("bench.ndb"), atomically: true, encoding: .utf8)
        return database
    }

    /// One clamd process on a unix socket; `stop` terminates it.
    final class Server {
        let endpoint: ClamdEndpoint
        let startup: Double
        private let process: Process

        init(directory: URL, index: Int, database: URL) throws {
            let socket = directory.appendingPathComponent("clamd-\(index).sock").path
            endpoint = .unix(path: socket)
            let config = directory.appendingPathComponent("clamd-\(index).conf")
            try """
                Foreground yes
                LocalSocket \(socket)
                DatabaseDirectory \(database.path)
                LogFile \(directory.appendingPathComponent("clamd-\(index).log").path)
                LogSyslog no
                StreamMaxLength 64M
                SelfCheck 0
                \(getuid() == 0 ? "User root" : "")

                """.write(to: config, atomically: true, encoding: .utf8)
            let process = Process()
            self.process = process
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/clamd")
            process.arguments = ["--config-file=\(config.path)"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            let clock = ContinuousClock()
            let began = clock.now
            try process.run()
            let client = ClamdClient(endpoint: endpoint, connectTimeout: .milliseconds(200), readTimeout: .seconds(5))
            while (try? client.ping()) == nil {
                guard process.isRunning, clock.now - began < .seconds(60) else {
                    if process.isRunning { process.terminate() }
                    throw BenchError(description: "clamd \(index) did not start; see its log in \(directory.path)")
                }
                usleep(10_000)
            }
            startup = MagicBench.seconds(clock.now - began)
        }

        func stop() {
            guard process.isRunning else { return }
            process.terminate()
            process.waitUntilExit()
        }
    }

    static func parse(_ arguments: [String]) throws -> Options {
        var options = Options()
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError(description: "\(flag) needs a value") }
            let invalid = BenchError(description: "\(flag) needs a positive number")
            switch flag {
            case "--size": options.sizeKiB = try Int(value).filter { $0 > 0 } ?? { throw invalid }()
            case "--seconds": options.seconds = try Double(value).filter { $0 > 0 } ?? { throw invalid }()
            case "--runs": options.runs = try Int(value).filter { $0 > 0 } ?? { throw invalid }()
            case "--signatures": options.signatures = try Int(value).filter { $0 >= 0 } ?? { throw invalid }()
            case "--threads":
                options.threads = try value.split(separator: ",").map { try Int($0).filter { $0 > 0 } ?? { throw invalid }() }
            default:
                throw BenchError(description: "unknown option \(flag); use --size KiB --seconds S --runs R --threads 1,2,4,8 --signatures N")
            }
        }
        return options
    }
}

extension Optional {
    /// The value when it passes `isIncluded`, else nil.
    fileprivate func filter(_ isIncluded: (Wrapped) -> Bool) -> Wrapped? {
        flatMap { isIncluded($0) ? $0 : nil }
    }
}
