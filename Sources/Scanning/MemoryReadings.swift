import Foundation

/// What the machine and this process's cgroup let it allocate, read before a concurrent reload
/// builds a second engine (a full official set needs about 1.2 GiB more while both exist).
public struct MemoryReadings: Sendable, Equatable {
    /// `MemAvailable` from /proc/meminfo, in bytes; nil when unknown.
    public var memAvailable: Int?
    /// The tightest cgroup v2 limit over this process's cgroup and its ancestors: `memory.max`
    /// minus `memory.current`, in bytes; nil when no cgroup sets a limit.
    public var cgroupRoom: Int?

    /// Readings given directly (tests).
    public init(memAvailable: Int?, cgroupRoom: Int?) {
        self.memAvailable = memAvailable
        self.cgroupRoom = cgroupRoom
    }

    /// Bytes that may still be allocated: the smaller of the two readings, nil when neither is known.
    public var room: Int? {
        switch (memAvailable, cgroupRoom) {
        case (let a?, let b?): min(a, b)
        case (let a?, nil): a
        case (nil, let b?): b
        case (nil, nil): nil
        }
    }

    /// Reads /proc/meminfo and, for a process in a cgroup v2 hierarchy, /sys/fs/cgroup.
    public static func current() -> MemoryReadings {
        MemoryReadings(memAvailable: readMemAvailable(), cgroupRoom: readCgroupRoom())
    }

    /// `MemAvailable:   123456 kB` → bytes.
    static func readMemAvailable(_ path: String = "/proc/meminfo") -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
            return kib * 1024
        }
        return nil
    }

    /// The least room left under any `memory.max` from this process's cgroup up to the root
    /// (a parent's limit binds its children too). cgroup v1 has no `0::` line and reads as nil.
    static func readCgroupRoom(root: String = "/sys/fs/cgroup", selfCgroup: String = "/proc/self/cgroup") -> Int? {
        guard let text = try? String(contentsOfFile: selfCgroup, encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("0::") })
        else { return nil }
        var components = line.dropFirst(3).split(separator: "/").map(String.init)
        var room: Int?
        while true {
            let directory = ([root] + components).joined(separator: "/")
            if let max = readNumber(directory + "/memory.max"), let used = readNumber(directory + "/memory.current") {
                room = Swift.min(room ?? .max, Swift.max(0, max - used))
            }
            if components.isEmpty { break }
            components.removeLast()
        }
        return room
    }

    /// A cgroup file's single number; nil for `max` (no limit) or a missing file.
    private static func readNumber(_ path: String) -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// This process's resident set size in bytes (/proc/self/statm), or nil where /proc is missing.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * sysconf(Int32(_SC_PAGESIZE))
    }
}
