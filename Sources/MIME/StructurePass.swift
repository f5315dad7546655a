/// One pass over a byte range that finds every entity, with an explicit stack of open entities
/// instead of recursion: a message nested 10,000 deep costs heap, never stack.
///
/// Boundary lines are found by looking only at lines that start with "--" (memchr for '-'), and
/// each is looked up among the boundaries of all open multiparts, so an enclosing boundary ends
/// the inner parts as it does in mail clients and Python, and boundaries that are prefixes of
/// each other are told apart: only blanks (or "--" and blanks) may follow one (RFC 2046 §5.1.1).
struct StructurePass {
    /// One entity while the pass runs; turned into a `MIMEPart` afterwards.
    struct Node {
        var parent: Int
        var depth: Int
        var path: String
        /// The path this entity has if it turns out to be a leaf, and if it is an open
        /// multipart (IMAP numbering differs: see `MIMEPart.path`).
        var leafPath: String
        var multipartPath: String
        var headerRange: Range<Int>
        var bodyStart: Int
        var end: Int
        var fields: [RawHeaderField]
        var facts: EntityFacts
        var children: [Int] = []
        /// "--" + boundary while this is an open multipart.
        var delimiter: [UInt8]?
        var closed = false
        var sawBoundary = false
        var reportedPrefixLine = false
        /// Its boundary and an enclosing one are prefixes of one another.
        var nestedBoundaryPrefix = false
        /// Where the first boundary line starts (the preamble ends there).
        var preambleEnd: Int?
        /// Where the line after the close delimiter starts (the epilogue starts there).
        var epilogueStart: Int?
        /// Header-led content in the preamble or epilogue that a client could show as a part:
        /// each range starts at its first `Content-` field and runs to the end of the gap.
        var hiddenParts: [(range: Range<Int>, place: String)] = []
        /// The header ended at a stray line with a `Content-` field after it.
        var contentFieldAfterStrayLine = false
        /// Where this node sits in the open-entity stack while it is on it.
        var stackPosition = 0
        var origin = MIMEPart.Origin.entity
        var defects: [(MIMEDefect.Name, String)]
    }

    let base: UnsafePointer<UInt8>
    let rangeStart: Int
    let limit: Int
    let limits: MIMEParser.Limits
    /// Also take a line that only starts with an open boundary as that boundary (some readers
    /// match boundaries by prefix, innermost or outermost first); alternative readings only.
    let prefixMatching: PrefixMatching

    /// How boundary lines are matched.
    enum PrefixMatching {
        /// Only blanks (or "--" and blanks) may follow a boundary (RFC 2046 §5.1.1).
        case exact
        /// A line that starts with an open delimiter is that delimiter, the innermost first.
        case innermostFirst
        /// Likewise, the outermost first (a reader that splits the outer multipart first).
        case outermostFirst
    }
    private(set) var nodes: [Node] = []
    private(set) var messageDefects: [(MIMEDefect.Name, String)] = []
    private var stack: [Int] = []
    /// Open (not yet closed) multiparts by boundary, innermost last: a "--" line is looked up
    /// here in one step however deep the nesting, instead of being compared with every boundary.
    private var openBoundaries: [[UInt8]: [Int]] = [:]
    /// Open multiparts in nesting order, innermost last.
    private var openMultipartList: [Int] = []
    private var longestOpenBoundary = 0
    /// How many open boundaries have each length: a "--" line whose length fits none is
    /// rejected before any copy or hash (a body of "--x" lines must stay cheap).
    private var openBoundaryLengths: [Int: Int] = [:]
    private var openMultiparts: Int { openMultipartList.count }
    private var partLimitReached = false

    init(base: UnsafePointer<UInt8>, range: Range<Int>, limits: MIMEParser.Limits, prefixMatching: PrefixMatching = .exact) {
        self.base = base
        self.rangeStart = range.lowerBound
        self.limit = range.upperBound
        self.limits = limits
        self.prefixMatching = prefixMatching
    }

    /// Parses the entity at the start of the range and everything inside it.
    mutating func run(rootDepth: Int, leafPath: String, multipartPath: String, choice: EntityFacts.Choice) {
        var scan = openEntity(
            at: rangeStart, parent: -1, depth: rootDepth, leafPath: leafPath, multipartPath: multipartPath,
            defaultType: .textPlain, choice: choice, isRoot: true
        )
        while openMultiparts > 0 && !partLimitReached {
            guard let candidate = nextDashDashLine(from: scan) else { break }
            if let match = matchBoundary(at: candidate) {
                scan = handleBoundary(match, at: candidate)
            } else {
                notePrefixLine(at: candidate)
                scan = candidate + 2
            }
        }
        while let open = stack.popLast() {
            close(open, at: limit)
        }
    }

    // MARK: entities

    /// Parses the header at `position` and opens the entity; enclosed messages are opened in the
    /// same loop (no recursion). Returns where the boundary search continues.
    private mutating func openEntity(
        at start: Int, parent firstParent: Int, depth firstDepth: Int, leafPath firstLeafPath: String,
        multipartPath firstMultipartPath: String, defaultType firstDefault: ContentType,
        choice firstChoice: EntityFacts.Choice, isRoot: Bool
    ) -> Int {
        var position = start
        var parent = firstParent
        var depth = firstDepth
        var leafPath = firstLeafPath
        var multipartPath = firstMultipartPath
        var defaultType = firstDefault
        var choice = firstChoice
        var skipEnvelope = isRoot
        while true {
            if nodes.count >= limits.maxParts {
                addRemainder(from: position, parent: parent, depth: depth, path: leafPath)
                return limit
            }
            let scanner = HeaderScanner(base: base, limits: limits)
            let block = scanner.scan(
                from: position, limit: limit, skipEnvelopeLine: skipEnvelope, skipNonFieldLines: choice == .skipNonFieldLines
            ) { line in
                matchBoundary(at: line) != nil
            }
            let facts = EntityFacts(fields: block.fields, base: base, defaultType: defaultType, choice: choice)
            var node = Node(
                parent: parent, depth: depth, path: leafPath, leafPath: leafPath, multipartPath: multipartPath,
                headerRange: block.headerRange, bodyStart: block.bodyStart, end: limit, fields: block.fields,
                facts: facts, defects: block.defects + facts.defects
            )
            if block.contentFieldAfterStrayLine {
                node.facts.hasStructuralOddity = true
                node.contentFieldAfterStrayLine = true
            }
            var enclosed = false
            var isOpenMultipart = false
            let type = facts.contentType
            if type.isMultipart {
                if let boundary = facts.boundary {
                    if depth >= limits.maxDepth {
                        node.defects.append((.nestingTooDeep, "multipart at depth \(depth) (limit \(limits.maxDepth)) kept as one leaf"))
                    } else {
                        node.delimiter = [0x2D, 0x2D] + boundary
                        node.path = multipartPath
                        isOpenMultipart = true
                    }
                } else {
                    node.defects.append((.noBoundaryInMultipart, "\(type.mimeType) without a boundary parameter; read as one leaf"))
                }
            } else if type.isEnclosedMessage {
                if TransferEncoding(facts.transferEncoding) != .identity {
                    node.defects.append((.encodedMessagePart, "\(type.mimeType) with Content-Transfer-Encoding \(facts.transferEncoding); read as one leaf"))
                } else if depth >= limits.maxDepth {
                    node.defects.append((.nestingTooDeep, "\(type.mimeType) at depth \(depth) (limit \(limits.maxDepth)) kept as one leaf"))
                } else {
                    enclosed = true
                }
            }
            if isOpenMultipart, let boundary = facts.boundary {
                notePrefixBoundaries(of: &node, boundary: boundary)
            }
            let index = append(node)
            if isOpenMultipart, let boundary = facts.boundary {
                openBoundaries[boundary, default: []].append(index)
                openMultipartList.append(index)
                longestOpenBoundary = max(longestOpenBoundary, boundary.count)
                openBoundaryLengths[boundary.count, default: 0] += 1
            }
            guard enclosed else { return block.bodyStart }
            // The enclosed message's header starts right where this entity's body does.
            position = block.bodyStart
            parent = index
            depth += 1
            multipartPath = nodes[index].path
            leafPath = nodes[index].path + ".1"
            defaultType = .textPlain
            choice = .main
            skipEnvelope = false
        }
    }

    private mutating func append(_ node: Node) -> Int {
        let index = nodes.count
        var node = node
        node.stackPosition = stack.count
        nodes.append(node)
        if node.parent >= 0 { nodes[node.parent].children.append(index) }
        stack.append(index)
        return index
    }

    /// Past `maxParts`: the rest of the range becomes one leaf, so no byte goes unseen.
    private mutating func addRemainder(from position: Int, parent: Int, depth: Int, path: String) {
        partLimitReached = true
        let detail = "more than \(limits.maxParts) parts; the rest of the message from offset \(position) is one leaf"
        messageDefects.append((.tooManyParts, detail))
        let facts = EntityFacts(fields: [], base: base, defaultType: Self.octetStream)
        _ = append(Node(
            parent: parent, depth: depth, path: path, leafPath: path, multipartPath: path,
            headerRange: position..<position, bodyStart: position, end: limit, fields: [], facts: facts,
            defects: [(.tooManyParts, detail)]
        ))
    }

    /// Ends entity `index` at `end`; a multipart still open there lacked its close delimiter.
    /// A multipart that ends with no parts is one leaf, and is numbered like one.
    private mutating func close(_ index: Int, at end: Int) {
        nodes[index].end = max(nodes[index].bodyStart, end)
        if nodes[index].delimiter != nil && nodes[index].sawBoundary {
            noteHiddenParts(index)
        }
        if nodes[index].delimiter != nil && nodes[index].children.isEmpty {
            nodes[index].path = nodes[index].leafPath
            if nodes[index].sawBoundary {
                nodes[index].defects.append((.emptyMultipart, "multipart with a delimiter but no part; its body is read as one leaf"))
            }
        }
        guard nodes[index].delimiter != nil, !nodes[index].closed else { return }
        markClosed(index)
        if nodes[index].sawBoundary {
            nodes[index].defects.append((.missingFinalBoundary, "multipart ended without its close delimiter"))
        } else {
            nodes[index].defects.append((.startBoundaryNotFound, "boundary never found; the body is read as one leaf"))
        }
    }

    // MARK: boundaries

    /// A boundary line: which open entity (index into `stack`) it belongs to, whether it is the
    /// close delimiter, and where the next line starts.
    struct BoundaryMatch {
        let stackIndex: Int
        let isClose: Bool
        let nextLine: Int
    }

    /// The next line start at or after `position` whose first two bytes are "--".
    private func nextDashDashLine(from position: Int) -> Int? {
        var search = position
        while let dash = ByteScan.find(0x2D, in: base, from: search, limit: limit) {
            let atLineStart = dash == rangeStart || base[dash - 1] == 0x0A
            if atLineStart && dash + 1 < limit && base[dash + 1] == 0x2D {
                return dash
            }
            // No boundary can start before the next line: skip there rather than to the next
            // '-', or a line of dashes costs one search per dash.
            guard let newline = ByteScan.find(0x0A, in: base, from: dash, limit: limit) else { return nil }
            search = newline + 1
        }
        return nil
    }

    /// The open multipart whose delimiter the line at `line` is: "--" + boundary, then only
    /// blanks, or "--" and blanks for the close delimiter. Nested multiparts with the same
    /// boundary resolve to the innermost.
    func matchBoundary(at line: Int) -> BoundaryMatch? {
        guard openMultiparts > 0 else { return nil }
        let end = ByteScan.lineEnd(base, from: line, limit: limit)
        var contentEnd = end.content
        while contentEnd > line + 2 && ByteScan.isBlank(base[contentEnd - 1]) { contentEnd -= 1 }
        let length = contentEnd - line - 2
        if prefixMatching != .exact, let match = matchBoundaryPrefix(at: line, next: end.next) {
            return match
        }
        guard length >= 0, length <= longestOpenBoundary + 2,
              openBoundaryLengths[length] != nil || openBoundaryLengths[length - 2] != nil else { return nil }
        let candidate = Array(UnsafeBufferPointer(start: base + line + 2, count: length))
        if let index = openBoundaries[candidate]?.last {
            return BoundaryMatch(stackIndex: nodes[index].stackPosition, isClose: false, nextLine: end.next)
        }
        if length >= 2 && candidate[length - 1] == 0x2D && candidate[length - 2] == 0x2D,
           let index = openBoundaries[Array(candidate[0..<(length - 2)])]?.last {
            return BoundaryMatch(stackIndex: nodes[index].stackPosition, isClose: true, nextLine: end.next)
        }
        return nil
    }

    /// The innermost (or outermost) open multipart whose delimiter starts the line, whatever follows it.
    private func matchBoundaryPrefix(at line: Int, next: Int) -> BoundaryMatch? {
        let order = prefixMatching == .outermostFirst ? Array(openMultipartList) : openMultipartList.reversed()
        for index in order {
            guard let delimiter = nodes[index].delimiter, ByteScan.matches(delimiter, in: base, at: line, limit: limit) else { continue }
            let after = line + delimiter.count
            let isClose = after + 2 <= limit && base[after] == 0x2D && base[after + 1] == 0x2D
            return BoundaryMatch(stackIndex: nodes[index].stackPosition, isClose: isClose, nextLine: next)
        }
        return nil
    }

    /// A "--" line that starts with the innermost open delimiter but carries more: some readers
    /// split there, so it is worth a defect (checked against the innermost only, to stay cheap).
    private mutating func notePrefixLine(at line: Int) {
        guard let index = openMultipartList.last, !nodes[index].reportedPrefixLine,
              let delimiter = nodes[index].delimiter,
              ByteScan.matches(delimiter, in: base, at: line, limit: limit) else { return }
        nodes[index].reportedPrefixLine = true
        nodes[index].facts.hasStructuralOddity = true
        nodes[index].defects.append((.boundaryPrefixLine, "a line at offset \(line) starts with the boundary but has more after it; not a boundary"))
    }

    /// Takes a multipart out of the boundary lookup once its close delimiter (or its end) is met.
    private mutating func markClosed(_ index: Int) {
        nodes[index].closed = true
        if let boundary = nodes[index].facts.boundary, var owners = openBoundaries[boundary] {
            owners.removeAll { $0 == index }
            openBoundaries[boundary] = owners.isEmpty ? nil : owners
            let remaining = (openBoundaryLengths[boundary.count] ?? 1) - 1
            openBoundaryLengths[boundary.count] = remaining > 0 ? remaining : nil
        }
        if let position = openMultipartList.lastIndex(of: index) {
            openMultipartList.remove(at: position)
        }
    }

    /// Ends the entities inside the matched multipart and opens its next part, if any.
    private mutating func handleBoundary(_ match: BoundaryMatch, at line: Int) -> Int {
        let end = ByteScan.contentEnd(before: line, in: base, floor: rangeStart)
        while stack.count > match.stackIndex + 1, let inner = stack.popLast() {
            close(inner, at: end)
        }
        let multipart = stack[match.stackIndex]
        if !nodes[multipart].sawBoundary { nodes[multipart].preambleEnd = line }
        nodes[multipart].sawBoundary = true
        if match.isClose {
            nodes[multipart].epilogueStart = match.nextLine
            markClosed(multipart)
            return match.nextLine
        }
        let number = nodes[multipart].children.count + 1
        let prefix = nodes[multipart].path
        let path = prefix.isEmpty ? "\(number)" : "\(prefix).\(number)"
        let digest = nodes[multipart].facts.contentType.subtype == "digest"
        return openEntity(
            at: match.nextLine, parent: multipart, depth: nodes[multipart].depth + 1, leafPath: path,
            multipartPath: path, defaultType: digest ? .messageRFC822 : .textPlain, choice: .main, isRoot: false
        )
    }

    static let octetStream = ContentType(type: "application", subtype: "octet-stream")

    // MARK: what hides between and around the parts

    /// A new multipart whose boundary and an enclosing open one are prefixes of one another:
    /// readers that match boundary lines by prefix split it differently (RFC 2046 §5.1.1 asks
    /// senders to avoid this), so it gets a defect, and the enclosing multipart a prefix reading.
    private mutating func notePrefixBoundaries(of node: inout Node, boundary: [UInt8]) {
        for outer in openMultipartList {
            guard let other = nodes[outer].facts.boundary, other != boundary,
                  other.starts(with: boundary) || boundary.starts(with: other) else { continue }
            node.defects.append((.nestedBoundaryPrefix, "boundary '\(Self.printable(boundary))' and the enclosing boundary '\(Self.printable(other))' are prefixes of one another"))
            nodes[outer].nestedBoundaryPrefix = true
            nodes[outer].facts.hasStructuralOddity = true
            return
        }
    }

    /// A preamble or epilogue that holds a `Content-` header field at a line start: a client that
    /// reads past the delimiters (or ignores the close delimiter) shows a part there, so it gets
    /// a defect and an alternative reading from that field on.
    private mutating func noteHiddenParts(_ index: Int) {
        let node = nodes[index]
        var gaps: [(Range<Int>, String, MIMEDefect.Name)] = []
        if let end = node.preambleEnd, end > node.bodyStart { gaps.append((node.bodyStart..<end, "preamble", .partInPreamble)) }
        if let start = node.epilogueStart, node.end > start { gaps.append((start..<node.end, "epilogue", .partInEpilogue)) }
        for (gap, place, defect) in gaps {
            guard let field = firstContentField(in: gap) else { continue }
            nodes[index].hiddenParts.append((field..<gap.upperBound, place))
            nodes[index].facts.hasStructuralOddity = true
            nodes[index].defects.append((defect, "a header field at offset \(field) in the \(place) starts content a client may show as a part"))
        }
    }

    /// The first line in `range` that starts with a `Content-` field name and a colon.
    private func firstContentField(in range: Range<Int>) -> Int? {
        var line = range.lowerBound
        while line < range.upperBound {
            if ByteScan.matchesIgnoringCase(Self.contentPrefix, in: base, at: line, limit: range.upperBound) {
                let end = ByteScan.lineEnd(base, from: line, limit: range.upperBound)
                var name = line + Self.contentPrefix.count
                while name < end.content, Self.isFieldNameByte(base[name]) { name += 1 }
                if name < end.content && base[name] == 0x3A { return line }
            }
            guard let newline = ByteScan.find(0x0A, in: base, from: line, limit: range.upperBound) else { return nil }
            line = newline + 1
        }
        return nil
    }

    private static let contentPrefix = Array("content-".utf8)

    private static func isFieldNameByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != 0x3A
    }

    private static func printable(_ bytes: [UInt8]) -> String {
        String(decoding: bytes.prefix(80), as: UTF8.self)
    }
}
