"""Reviewed differences: where Python's email package reads a corpus message differently from
our parser, and where our parser is known to be wrong.

REASONS: why the difference is right (make_expected.py copies it into expected/NAME.json as
"reference_differs"). KNOWN_PARSER_ISSUES: the parser's reading is wrong today; expected/NAME.json
holds the correct reading (hand-written, kept by make_expected.py) and "known_parser_issue";
the Swift test records these as known issues and compare.sh lists them without failing.
"""

REASONS = {
    "malformed-base64-truncated":
        "Python gives up on base64 whose length is not a multiple of four and returns the encoded "
        "text itself (869 bytes); we decode the 651 complete bytes and flag InvalidBase64Padding.",
    "malformed-cr-only-line-endings":
        "Both find the same two parts; we parse a copy with LF line ends (BareCarriageReturnLineEnds), "
        "so the 7bit text part reads with LF where Python keeps the bare CRs.",
    "malformed-empty-multipart-hidden-preamble":
        "A multipart with a close delimiter and no part, a part header in its preamble: as for "
        "malformed-multipart-no-parts we keep the whole body, delimiter included, as one leaf "
        "(EmptyMultipart), and read the preamble from its header on as a part (PartInPreamble); "
        "Python drops the delimiter line and sees no part.",
    "malformed-multipart-no-parts":
        "A multipart with a close delimiter and no part: we keep its whole body, delimiter included, "
        "as one leaf (33 bytes); Python drops the delimiter line from it (23 bytes).",
    "malformed-obsolete-folding":
        "'Content-Type : application/pdf' (white space before the colon) is RFC 5322 obsolete syntax "
        "that must still be read: we read the header (ObsoleteHeaderSyntax); Python ends the header "
        "block there and turns the attachment into text.",
    "malformed-path-in-filename":
        "Directory components are stripped from file names by design (FileNameWithPath); Python "
        "returns the names with their paths.",
    "malformed-raw-latin1-filename":
        "Raw 8-bit bytes that are not UTF-8 in a parameter: we read them as Latin-1 (what mail "
        "clients show); Python keeps them as undecodable surrogate escapes.",
    "malformed-rfc2231-continuation-gap":
        "filename*0 and filename*2 without *1: we join the pieces that exist and flag "
        "InvalidRFC2231Parameter; Python's name (stopping at the gap) is our alternative reading.",
    "malformed-rfc822-base64":
        "message/rfc822 with Content-Transfer-Encoding base64 (forbidden by RFC 2046 5.2.1): the main "
        "reading keeps it as one leaf (EncodedMessagePart) and the alternative reading holds the "
        "decoded inner message's parts; Python parses the base64 text itself as a message.",
    "malformed-uuencode-in-text":
        "A uuencoded block inside a text body is also exposed as its own leaf (1.u1, "
        "UUEncodedBlockInText); Python sees only the text.",
}

# Empty: the three issues found so far (uudecoding of lines whose trailing spaces were stripped,
# CR-only line endings read as one header line) were fixed on the mime branch.
KNOWN_PARSER_ISSUES = {
}
