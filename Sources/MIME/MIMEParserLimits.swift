extension MIMEParser {
    /// Bounds on the work and memory one message may cost. Past any of them the parser records
    /// a defect, stops descending and keeps going; it never fails or grows without bound.
    public struct Limits: Sendable, Hashable {
        /// Deepest nesting of multiparts and enclosed messages (the root is depth 0). Values above
        /// `depthCeiling` act as the ceiling: releasing a part tree is recursive in Swift, and a
        /// tree tens of thousands deep would overflow a thread's stack when it is freed.
        public var maxDepth: Int

        /// The deepest nesting any limit allows; safe on a 512 KiB thread stack.
        public static let depthCeiling = 1_000
        /// Most parts in one message, counting multiparts, enclosed messages and leaves.
        public var maxParts: Int
        /// Largest header block of one part, in bytes; fields past it are ignored.
        public var maxHeaderBytes: Int
        /// Most header fields in one part; fields past it are ignored.
        public var maxHeaderFields: Int
        /// Largest decoded content of one part, in bytes; decoding stops there.
        public var maxDecodedBytesPerPart: Int
        /// Largest decoded content of all parts together (see `DecodingBudget`).
        public var maxDecodedBytesTotal: Int
        /// Most alternative readings built for ambiguous structure in one message.
        public var maxAlternativeReadings: Int
        /// Whether text bodies are searched for uuencoded blocks (`begin 644 name`).
        public var findUUEncodedBlocks: Bool

        /// Defaults sized for a mail filter: generous for real mail, small enough that a hostile
        /// message costs a bounded amount.
        public init(
            maxDepth: Int = 40,
            maxParts: Int = 10_000,
            maxHeaderBytes: Int = 256 * 1024,
            maxHeaderFields: Int = 2_000,
            maxDecodedBytesPerPart: Int = 128 * 1024 * 1024,
            maxDecodedBytesTotal: Int = 512 * 1024 * 1024,
            maxAlternativeReadings: Int = 32,
            findUUEncodedBlocks: Bool = true
        ) {
            self.maxDepth = maxDepth
            self.maxParts = maxParts
            self.maxHeaderBytes = maxHeaderBytes
            self.maxHeaderFields = maxHeaderFields
            self.maxDecodedBytesPerPart = maxDecodedBytesPerPart
            self.maxDecodedBytesTotal = maxDecodedBytesTotal
            self.maxAlternativeReadings = maxAlternativeReadings
            self.findUUEncodedBlocks = findUUEncodedBlocks
        }
    }
}
