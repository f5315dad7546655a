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
    "malformed-multipart-empty-boundary":
        'boundary="" is no boundary (RFC 2046 5.1.1: 1 to 70 characters): we keep the whole body as '
        "one leaf and flag NoBoundaryInMultipart; Python splits at every bare '--' line.",
    "malformed-multipart-no-parts":
        "A multipart with a close delimiter and no part: we keep its whole body as one leaf at the "
        'multipart\'s own path (""); Python numbers that leaf "1" and drops the delimiter from it.',
    "malformed-multipart-only-preamble":
        'Same content as Python; the leaf keeps the multipart root\'s path "" where Python says "1".',
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
        "InvalidRFC2231Parameter; Python stops at the gap.",
    "malformed-rfc822-base64":
        "message/rfc822 with Content-Transfer-Encoding base64 (forbidden by RFC 2046 5.2.1): we "
        "keep it as one leaf whose decoded content is the inner message, flagged EncodedMessagePart; "
        "Python parses the base64 text itself as a message.",
    "malformed-uuencode-in-text":
        "A uuencoded block inside a text body is exposed as its own leaf (1.u1, UUEncodedBlockInText); "
        "Python sees only the text.",
}

KNOWN_PARSER_ISSUES = {
    "attach-x-uuencode":
        "UUDecoder strips trailing spaces from a line and then stops at the short line instead of "
        "reading the missing characters as zero bits (space encodes 0): 18 of 452 bytes are lost "
        "and InvalidUUEncode is reported for valid uuencode.",
    "malformed-uuencode-in-text":
        "Same UUDecoder bug: the block decodes to 334 of its 352 bytes, with a spurious InvalidUUEncode.",
    "malformed-cr-only-line-endings":
        "With CR-only line endings the whole message is read as one header line: one empty "
        "text/plain leaf and no defect, so a scanner sees nothing of the message.",
}
