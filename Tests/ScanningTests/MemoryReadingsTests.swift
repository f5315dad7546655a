import Foundation
import Testing

@testable import Scanning

/// Reading what memory is left: /proc/meminfo and cgroup v2 files, from files the test writes.
@Suite struct MemoryReadingsTests {
    @Test func memAvailableIsReadInBytes() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let meminfo = temp.appendingPathComponent("meminfo")
        try "MemTotal:       4000000 kB\nMemFree:         100000 kB\nMemAvailable:    2000000 kB\n"
            .write(to: meminfo, atomically: true, encoding: .utf8)
        #expect(MemoryReadings.readMemAvailable(meminfo.path) == 2_000_000 * 1024)
    }

    @Test func cgroupRoomIsTheTightestLimitFromTheProcessCgroupUpToTheRoot() throws {
        let temp = try TestDatabase.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: temp) }
        let selfCgroup = temp.appendingPathComponent("cgroup")
        try "0::/system.slice/scanmilter.service\n".write(to: selfCgroup, atomically: true, encoding: .utf8)
        let root = temp.appendingPathComponent("fs")
        let slice = root.appendingPathComponent("system.slice")
        let service = slice.appendingPathComponent("scanmilter.service")
        try FileManager.default.createDirectory(at: service, withIntermediateDirectories: true)
        // The service itself has no limit; its slice has 1 GiB with 900 MiB used.
        try "max\n".write(to: service.appendingPathComponent("memory.max"), atomically: true, encoding: .utf8)
        try "\(300 << 20)\n".write(to: service.appendingPathComponent("memory.current"), atomically: true, encoding: .utf8)
        try "\(1 << 30)\n".write(to: slice.appendingPathComponent("memory.max"), atomically: true, encoding: .utf8)
        try "\(900 << 20)\n".write(to: slice.appendingPathComponent("memory.current"), atomically: true, encoding: .utf8)
        #expect(MemoryReadings.readCgroupRoom(root: root.path, selfCgroup: selfCgroup.path) == 124 << 20)

        try "max\n".write(to: slice.appendingPathComponent("memory.max"), atomically: true, encoding: .utf8)
        #expect(MemoryReadings.readCgroupRoom(root: root.path, selfCgroup: selfCgroup.path) == nil)
    }

    @Test func roomIsTheSmallerReadingAndUnknownWhenNeitherIsKnown() {
        #expect(MemoryReadings(memAvailable: 10, cgroupRoom: 4).room == 4)
        #expect(MemoryReadings(memAvailable: 10, cgroupRoom: nil).room == 10)
        #expect(MemoryReadings(memAvailable: nil, cgroupRoom: nil).room == nil)
        #expect(MemoryReadings.current().memAvailable ?? 0 > 0)
    }
}

/// How long scans wait for an in-place reload: long enough for a large set to load again.
@Suite struct InPlaceWaitTests {
    @Test func scansWaitTwiceTheLastLoadWhenThatIsLongerThanTheSetting() {
        #expect(ClamAVBackend.inPlaceWait(configured: .seconds(30), lastLoad: .seconds(2)) == .seconds(30))
        #expect(ClamAVBackend.inPlaceWait(configured: .seconds(30), lastLoad: .seconds(70)) == .seconds(140))
        #expect(ClamAVBackend.inPlaceWait(configured: .seconds(30), lastLoad: .seconds(400)) == .seconds(200))
        #expect(ClamAVBackend.inPlaceWait(configured: .seconds(30), lastLoad: nil) == .seconds(30))
    }
}
