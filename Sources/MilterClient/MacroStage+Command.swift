extension MacroStage {
    /// The command letter an SMFIC_MACRO packet names for this stage: the step these macros
    /// belong to. libmilter closes the connection on a macro packet for any other command.
    var command: MilterCommand {
        switch self {
        case .connect: .connect
        case .helo: .helo
        case .envelopeFrom: .mail
        case .envelopeRecipient: .recipient
        case .data: .data
        case .endOfHeaders: .endOfHeaders
        case .endOfMessage: .endOfMessage
        }
    }
}
