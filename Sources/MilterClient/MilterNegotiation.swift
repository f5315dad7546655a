/// The options of SMFIC_OPTNEG: what the MTA offers, or what the milter answered.
public struct MilterNegotiation: Sendable, Hashable {
    /// The milter protocol version (6 for sendmail 8.14+ and Postfix 2.6+).
    public var version: UInt32
    /// The modifications allowed (offer) or wanted (answer).
    public var actions: ActionFlags
    /// The protocol steps offered, or the ones the milter wants changed.
    public var steps: ProtocolSteps
    /// The macros the milter asked for, per stage (only in an answer with SMFIF_SETSYMLIST).
    public var requestedMacros: [MacroStage: [String]]

    /// Creates a set of options.
    public init(
        version: UInt32 = 6,
        actions: ActionFlags = .all,
        steps: ProtocolSteps = .all,
        requestedMacros: [MacroStage: [String]] = [:]
    ) {
        self.version = version
        self.actions = actions
        self.steps = steps
        self.requestedMacros = requestedMacros
    }

    /// The payload of the MTA's SMFIC_OPTNEG packet: version, actions, steps, each 32-bit big-endian.
    var offerPayload: [UInt8] {
        var writer = PayloadWriter()
        writer.uint32(version)
        writer.uint32(actions.rawValue)
        writer.uint32(steps.rawValue)
        return writer.bytes
    }

    /// Decodes the milter's answer: the three integers, then any (SMFIM index, macro names) pairs.
    init(decoding reader: inout PayloadReader) throws {
        version = try reader.uint32("protocol version")
        actions = ActionFlags(rawValue: try reader.uint32("actions"))
        steps = ProtocolSteps(rawValue: try reader.uint32("protocol steps"))
        requestedMacros = [:]
        while !reader.isAtEnd {
            let index = try reader.uint32("macro stage")
            guard let stage = Int32(exactly: index).flatMap(MacroStage.init(rawValue:)) else {
                throw MilterClientError(
                    .negotiationFailed,
                    "the milter asked for macros at stage \(index), which does not exist"
                )
            }
            let names = try reader.cString("macro list")
            requestedMacros[stage] = names.split(separator: " ").map(String.init)
        }
    }
}
