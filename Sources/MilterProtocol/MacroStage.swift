/// Where in the SMTP dialogue macros apply: libmilter's `SMFIM_*` stages (pymilter's `M_*`
/// constants). A filter asks for a list per stage at negotiation (Milter's `setMacroList`, the
/// raw value is the index sent on the wire); an MTA defines macros before each stage's command.
public enum MacroStage: Int32, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// At connect (`SMFIM_CONNECT`); pymilter `M_CONNECT`.
    case connect = 0
    /// At HELO/EHLO (`SMFIM_HELO`); pymilter `M_HELO`.
    case helo = 1
    /// At MAIL FROM (`SMFIM_ENVFROM`); pymilter `M_ENVFROM`.
    case envelopeFrom = 2
    /// At RCPT TO (`SMFIM_ENVRCPT`); pymilter `M_ENVRCPT`.
    case envelopeRecipient = 3
    /// At DATA (`SMFIM_DATA`); pymilter `M_DATA`.
    case data = 4
    /// At end of message (`SMFIM_EOM`); pymilter `M_EOM`.
    case endOfMessage = 5
    /// At end of headers (`SMFIM_EOH`); pymilter `M_EOH`.
    case endOfHeaders = 6

    /// The stage's Swift name, e.g. `envelopeFrom`.
    public var description: String {
        switch self {
        case .connect: "connect"
        case .helo: "helo"
        case .envelopeFrom: "envelopeFrom"
        case .envelopeRecipient: "envelopeRecipient"
        case .data: "data"
        case .endOfMessage: "endOfMessage"
        case .endOfHeaders: "endOfHeaders"
        }
    }
}
