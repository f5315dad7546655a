#if canImport(Glibc)
import Glibc
#endif
import CSandbox

/// What a scan worker takes away from itself right after it is forked, before it reads a byte
/// of mail: whatever a compromised parser then does, it does inside these walls.
public struct Sandbox: Sendable, Equatable {
    /// The only directory where the worker may make or change files (libclamav's temporary
    /// files): `[scan] temp_dir`.
    public var writableDirectory: String
    /// Bytes of address space the worker may map beyond what it has when it is confined (the
    /// engine, inherited): a scan that needs more fails instead of exhausting the host.
    public var extraAddressSpace: Int
    /// Open descriptors at most.
    public var maxDescriptors: Int
    /// Whether to install the seccomp filter (off only to measure what a scan calls).
    public var seccomp: Bool

    public init(writableDirectory: String, extraAddressSpace: Int = 4 << 30, maxDescriptors: Int = 256, seccomp: Bool = true) {
        self.writableDirectory = writableDirectory
        self.extraAddressSpace = extraAddressSpace
        self.maxDescriptors = maxDescriptors
        self.seccomp = seccomp
    }

    /// With this variable set to 1 in the daemon's environment, workers run without the
    /// seccomp filter, so `strace -f -c` can list what a scan calls; nothing else turns it off.
    public static let measureVariable = "SCANMILTER_MEASURE_SYSCALLS"

    /// What confinement a worker got; the zygote logs it once.
    public struct Report: Sendable, Equatable {
        /// Whether Landlock confines file writes (false on kernels without it).
        public var landlock: Bool
        /// Why not, when it does not.
        public var landlockProblem: String?
        /// Whether the seccomp filter is installed.
        public var seccomp: Bool
    }

    /// Confines the calling process: resource limits, Landlock (where the kernel has it), then
    /// seccomp, which must come last because it forbids the calls the others make.
    func confine() throws(WorkerError) -> Report {
        try limit(Int32(RLIMIT_NOFILE.rawValue), to: maxDescriptors, what: "descriptors")
        if extraAddressSpace > 0 {
            try limit(Int32(RLIMIT_AS.rawValue), to: Self.currentAddressSpace() + extraAddressSpace, what: "address space")
        }
        // A crashing worker must not leave a core the size of the engine in the working directory.
        try limit(Int32(RLIMIT_CORE.rawValue), to: 0, what: "core size")
        var report = Report(landlock: false, landlockProblem: nil, seccomp: false)
        if scanmilter_landlock_confine(writableDirectory) == 0 {
            report.landlock = true
        } else {
            let code = errno
            // ENOSYS/EOPNOTSUPP: no Landlock in this kernel; EPERM: a seccomp profile around
            // us (a container runtime, systemd's SystemCallFilter) forbids it.
            guard code == ENOSYS || code == EOPNOTSUPP || code == EINVAL || code == EPERM else {
                throw WorkerError(.io, "landlock on \(writableDirectory): \(String(cString: strerror(code)))")
            }
            report.landlockProblem = code == EPERM
                ? "Landlock is forbidden here (\(String(cString: strerror(code))))"
                : "the kernel has no Landlock (\(String(cString: strerror(code))))"
        }
        if seccomp {
            guard scanmilter_seccomp_confine() == 0 else {
                throw WorkerError(.io, "seccomp: \(String(cString: strerror(errno)))")
            }
            report.seccomp = true
        }
        return report
    }

    /// Lowers a limit to `value`; one already lower (a `prlimit` or `LimitNOFILE=` around the
    /// daemon) stays as it is: a worker can only ever lower its limits.
    private func limit(_ resource: Int32, to value: Int, what: String) throws(WorkerError) {
        var current = rlimit()
        if getrlimit(__rlimit_resource_t(resource), &current) == 0, current.rlim_max != rlim_t.max, current.rlim_max <= rlim_t(value) {
            current.rlim_cur = current.rlim_max
            _ = setrlimit(__rlimit_resource_t(resource), &current)
            return
        }
        var limits = rlimit(rlim_cur: rlim_t(value), rlim_max: rlim_t(value))
        guard setrlimit(resource, &limits) == 0 else {
            throw WorkerError(.io, "setrlimit \(what) \(value): \(String(cString: strerror(errno)))")
        }
    }

    /// The process's mapped address space now (VmSize), in bytes.
    static func currentAddressSpace() -> Int {
        guard let file = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(file) }
        var pages = 0
        guard withUnsafeMutablePointer(to: &pages, { fscanf_pages(file, $0) }) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func fscanf_pages(_ file: UnsafeMutablePointer<FILE>, _ pages: UnsafeMutablePointer<Int>) -> Bool {
        var buffer = [CChar](repeating: 0, count: 128)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return false }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let first = text.split(separator: " ").first, let value = Int(first) else { return false }
        pages.pointee = value
        return true
    }
}

/// Signal names for log lines: "SIGSEGV", or "signal 77" for one without a name.
enum SignalName {
    static func of(_ signal: Int32) -> String {
        guard let abbreviation = scanmilter_signal_abbreviation(signal) else { return "signal \(signal)" }
        return "SIG" + String(cString: abbreviation)
    }
}
