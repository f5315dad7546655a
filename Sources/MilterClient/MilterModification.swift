/// A change a milter asked for at end of message, in the order it asked.
///
/// Text fields are decoded as UTF-8; a byte that is not valid UTF-8 shows as U+FFFD.
public enum MilterModification: Sendable, Hashable {
    /// Append a header. SMFIR_ADDHEADER ('h')
    case addHeader(name: String, value: String)
    /// Insert a header at a position; 0 is the top of the header block. SMFIR_INSHEADER ('i')
    case insertHeader(index: UInt32, name: String, value: String)
    /// Change the `index`-th (from 1) header called `name`; an empty value deletes it. SMFIR_CHGHEADER ('m')
    case changeHeader(name: String, index: UInt32, value: String)
    /// Add a recipient, with ESMTP parameters when given. SMFIR_ADDRCPT ('+') or SMFIR_ADDRCPT_PAR ('2')
    case addRecipient(String, parameters: String?)
    /// Remove a recipient. SMFIR_DELRCPT ('-')
    case deleteRecipient(String)
    /// Replace the envelope sender, with ESMTP parameters when given. SMFIR_CHGFROM ('e')
    case changeFrom(String, parameters: String?)
    /// Replace the body: every SMFIR_REPLBODY ('b') chunk of the message, concatenated.
    case replaceBody([UInt8])
    /// Quarantine the message with this reason. SMFIR_QUARANTINE ('q')
    case quarantine(reason: String)
    /// The milter asked for more time. SMFIR_PROGRESS ('p')
    case progress
}
