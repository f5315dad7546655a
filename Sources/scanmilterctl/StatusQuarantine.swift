import Configuration

/// The quarantine's counts for `scanmilterctl status` (e.g. ["held": 3, "stored": 12]), or nil
/// when none are available.
///
/// HOOK for the quarantine store: `status` shows what this returns and needs nothing else.
/// Until the store provides its counts this returns nil and `status` says "not available".
func statusQuarantineCounts(_ config: ScanmilterConfig) -> [String: Int]? {
    nil
}
