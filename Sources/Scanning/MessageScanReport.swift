/// What scanning one message found: the overall verdict and which part carried what.
public struct MessageScanReport: Sendable, Equatable {
    /// The verdict for one leaf part (or one alternative reading of it).
    public struct PartVerdict: Sendable, Equatable {
        /// IMAP-style section number, e.g. "2" or "3.1.2".
        public var path: String
        /// Nil in the main reading; for an alternative reading, what differs.
        public var reading: String?
        /// The part's file name, if it declares one.
        public var filename: String?
        /// The declared MIME type, e.g. "application/zip".
        public var contentType: String
        /// Decoded size in bytes (0 when the part was not decoded).
        public var size: Int
        /// Whether this part's own bytes were scanned; false when the whole-message scan
        /// already covered them (clean mail under ``MessageScanner/Strategy/attributeOnFinding``).
        public var scanned: Bool
        /// The part's verdict.
        public var verdict: ScanVerdict

        /// Makes a part verdict.
        public init(path: String, reading: String?, filename: String?, contentType: String, size: Int, scanned: Bool, verdict: ScanVerdict) {
            self.path = path
            self.reading = reading
            self.filename = filename
            self.contentType = contentType
            self.size = size
            self.scanned = scanned
            self.verdict = verdict
        }
    }

    /// The verdict for the message: infected if any scan found something, else unscannable if
    /// any scan could not finish, else clean.
    public var verdict: ScanVerdict
    /// The verdict of the scan of the whole raw message.
    public var wholeMessage: ScanVerdict
    /// One entry per leaf part and per alternative leaf, in document order.
    public var parts: [PartVerdict]
    /// How many backend scans were made.
    public var scanCount: Int

    /// Makes a report.
    public init(verdict: ScanVerdict, wholeMessage: ScanVerdict, parts: [PartVerdict], scanCount: Int) {
        self.verdict = verdict
        self.wholeMessage = wholeMessage
        self.parts = parts
        self.scanCount = scanCount
    }

    /// Every signature name found, in order, without repeats.
    public var viruses: [String] {
        var names: [String] = []
        for verdict in [wholeMessage] + parts.map(\.verdict) {
            if case .infected(let found) = verdict {
                for name in found where !names.contains(name) { names.append(name) }
            }
        }
        return names
    }

    /// The parts that carried a finding.
    public var infectedParts: [PartVerdict] {
        parts.filter { if case .infected = $0.verdict { true } else { false } }
    }
}

extension ScanVerdict {
    /// Combines verdicts: every infection's names, else the first could-not-scan, else clean.
    public static func combining(_ verdicts: [ScanVerdict]) -> ScanVerdict {
        var names: [String] = []
        var unscannable: UnscannableReason?
        for verdict in verdicts {
            switch verdict {
            case .clean: break
            case .infected(let found):
                for name in found where !names.contains(name) { names.append(name) }
            case .unscannable(let reason):
                if unscannable == nil { unscannable = reason }
            }
        }
        if !names.isEmpty { return .infected(names) }
        if let unscannable { return .unscannable(unscannable) }
        return .clean
    }
}
