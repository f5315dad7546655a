/// A stage macros can be defined for: the command letter an SMFIC_MACRO packet names, and the
/// SMFIM_* index a milter uses to ask for a list of macros at negotiation.
///
/// libmilter closes the connection on a macro packet for any other command, so only these exist.
public enum MilterMacroStage: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Before connect information. SMFIM_CONNECT, command 'C'
    case connect
    /// Before HELO. SMFIM_HELO, command 'H'
    case helo
    /// Before MAIL FROM. SMFIM_ENVFROM, command 'M'
    case mail
    /// Before RCPT TO. SMFIM_ENVRCPT, command 'R'
    case recipient
    /// Before DATA. SMFIM_DATA, command 'T'
    case data
    /// Before end of headers. SMFIM_EOH, command 'N'
    case endOfHeaders
    /// Before end of message. SMFIM_EOM, command 'E'
    case endOfMessage

    /// The command letter of the step these macros belong to.
    var command: MilterCommand {
        switch self {
        case .connect: .connect
        case .helo: .helo
        case .mail: .mail
        case .recipient: .recipient
        case .data: .data
        case .endOfHeaders: .endOfHeaders
        case .endOfMessage: .endOfMessage
        }
    }

    /// The stage for a SMFIM_* index in a negotiation reply, or nil for an index we do not know.
    init?(negotiationIndex: UInt32) {
        switch negotiationIndex {
        case 0: self = .connect
        case 1: self = .helo
        case 2: self = .mail
        case 3: self = .recipient
        case 4: self = .data
        case 5: self = .endOfMessage
        case 6: self = .endOfHeaders
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .connect: "connect"
        case .helo: "helo"
        case .mail: "mail"
        case .recipient: "recipient"
        case .data: "data"
        case .endOfHeaders: "endOfHeaders"
        case .endOfMessage: "endOfMessage"
        }
    }
}
