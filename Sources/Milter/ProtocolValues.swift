// The protocol's values (SMTPReply, the action and step sets, macro stages, ...) live in
// MilterProtocol, shared with MilterClient. Re-exported so that `import Milter` is still all a
// filter needs; one type under one name, whichever of the two modules a file imports.
@_exported public import MilterProtocol
