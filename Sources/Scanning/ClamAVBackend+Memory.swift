import Logging

extension ClamAVBackend {
    /// Why a concurrent reload would not fit: what the second engine needs and what is left.
    struct MemoryShortage {
        let needed: Int
        let readings: MemoryReadings

        var metadata: Logger.Metadata {
            var metadata: Logger.Metadata = ["memory.needed_bytes": "\(needed)"]
            if let room = readings.room { metadata["memory.room_bytes"] = "\(room)" }
            if let available = readings.memAvailable { metadata["memory.mem_available_bytes"] = "\(available)" }
            if let cgroup = readings.cgroupRoom { metadata["memory.cgroup_room_bytes"] = "\(cgroup)" }
            return metadata
        }
    }

    /// Resident bytes per loaded signature assumed when the last load's growth reads smaller: a
    /// load that reused pages the previous engine freed can measure almost nothing. ClamAV's
    /// official set costs about 150 B a signature (1.2 GiB for 8 M), hash-only sets nearer 300.
    static let minimumBytesPerSignature = 100

    /// What a second engine is expected to need: how much the resident set grew while the
    /// running engine loaded (at least ``minimumBytesPerSignature`` per signature), plus a fifth,
    /// because a new set is usually a little larger than the one it replaces.
    func expectedEngineBytes() -> Int {
        let (growth, signatures) = state.withLock { ($0.loadGrowth ?? 0, $0.engine?.database.signatureCount ?? 0) }
        let size = max(growth, signatures * Self.minimumBytesPerSignature)
        return size + size / 5
    }

    /// Nil when a second engine fits in what the machine and the cgroup have left (or nothing
    /// could be read: then the configured mode stands), else what is short.
    func memoryShortage() -> MemoryShortage? {
        let readings = readMemory()
        let needed = expectedEngineBytes()
        guard let room = readings.room else {
            logger.debug("memory left unknown; reloading concurrently as configured")
            return nil
        }
        return room >= needed ? nil : MemoryShortage(needed: needed, readings: readings)
    }
}
