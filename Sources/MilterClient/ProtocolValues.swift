// The protocol's values (SMTPReply, the action and step sets, macro stages, ...) live in
// MilterProtocol, shared with Milter. Re-exported so that `import MilterClient` is still all a
// client needs; one type under one name, whichever of the two modules a file imports.
@_exported public import MilterProtocol
