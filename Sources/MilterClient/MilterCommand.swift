/// The command letters the MTA sends (SMFIC_*), from libmilter's mfdef.h.
enum MilterCommand: UInt8, Sendable, CustomStringConvertible {
    case abort = 0x41 // 'A' SMFIC_ABORT
    case bodyChunk = 0x42 // 'B' SMFIC_BODY
    case connect = 0x43 // 'C' SMFIC_CONNECT
    case macro = 0x44 // 'D' SMFIC_MACRO
    case endOfMessage = 0x45 // 'E' SMFIC_BODYEOB
    case helo = 0x48 // 'H' SMFIC_HELO
    case quitNewConnection = 0x4B // 'K' SMFIC_QUIT_NC
    case header = 0x4C // 'L' SMFIC_HEADER
    case mail = 0x4D // 'M' SMFIC_MAIL
    case endOfHeaders = 0x4E // 'N' SMFIC_EOH
    case optionNegotiation = 0x4F // 'O' SMFIC_OPTNEG
    case quit = 0x51 // 'Q' SMFIC_QUIT
    case recipient = 0x52 // 'R' SMFIC_RCPT
    case data = 0x54 // 'T' SMFIC_DATA
    case unknown = 0x55 // 'U' SMFIC_UNKNOWN

    var description: String {
        "'\(Character(Unicode.Scalar(rawValue)))'"
    }
}

/// The response letters a milter sends (SMFIR_*), from libmilter's mfdef.h.
enum MilterResponseCode: UInt8, Sendable {
    case addRecipient = 0x2B // '+' SMFIR_ADDRCPT
    case deleteRecipient = 0x2D // '-' SMFIR_DELRCPT
    case addRecipientWithParameters = 0x32 // '2' SMFIR_ADDRCPT_PAR
    case shutdown = 0x34 // '4' SMFIR_SHUTDOWN
    case accept = 0x61 // 'a' SMFIR_ACCEPT
    case replaceBody = 0x62 // 'b' SMFIR_REPLBODY
    case `continue` = 0x63 // 'c' SMFIR_CONTINUE
    case discard = 0x64 // 'd' SMFIR_DISCARD
    case changeFrom = 0x65 // 'e' SMFIR_CHGFROM
    case connectionFailure = 0x66 // 'f' SMFIR_CONN_FAIL
    case addHeader = 0x68 // 'h' SMFIR_ADDHEADER
    case insertHeader = 0x69 // 'i' SMFIR_INSHEADER
    case setMacroList = 0x6C // 'l' SMFIR_SETSYMLIST
    case changeHeader = 0x6D // 'm' SMFIR_CHGHEADER
    case optionNegotiation = 0x4F // 'O' the milter's SMFIC_OPTNEG reply
    case progress = 0x70 // 'p' SMFIR_PROGRESS
    case quarantine = 0x71 // 'q' SMFIR_QUARANTINE
    case reject = 0x72 // 'r' SMFIR_REJECT
    case skip = 0x73 // 's' SMFIR_SKIP
    case tempfail = 0x74 // 't' SMFIR_TEMPFAIL
    case replyCode = 0x79 // 'y' SMFIR_REPLYCODE
}

/// Shows a command or response byte as a letter when printable, as hex otherwise.
func describeCommandByte(_ byte: UInt8) -> String {
    if byte >= 0x21 && byte < 0x7F {
        return "'\(Character(Unicode.Scalar(byte)))'"
    }
    return "0x" + String(byte, radix: 16)
}
