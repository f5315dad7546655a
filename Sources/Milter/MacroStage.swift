/// Where in the SMTP dialogue a macro list applies: libmilter's `SMFIM_*` stages, used by
/// ``MilterContext/setMacroList(_:macros:)`` (pymilter's `M_*` constants).
public enum MacroStage: Int32, Sendable, Hashable, CaseIterable {
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
}
