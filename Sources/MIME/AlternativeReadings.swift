/// Builds the other plausible readings of ambiguous entities, so a scanner sees what any mail
/// client could show (attackers hide payloads in the reading a scanner did not choose, as in
/// CVE-2024-28054).
///
/// Structure readings re-run the structure pass over the entity's bytes with another choice:
/// another `boundary` parameter or Content-Type header, a header read past stray non-field
/// lines, boundaries matched by prefix, or (for a multipart or enclosed message sent with a
/// transfer encoding) the decoded body; and content with a header of its own hidden in a
/// multipart's preamble or epilogue, read as a part. Leaf readings are the same bytes with another transfer
/// encoding or file name. Only leaves not already in the main reading are kept, and all
/// readings together count against `Limits.maxAlternativeReadings`.
struct AlternativeReadings {
    let base: UnsafePointer<UInt8>
    let limits: MIMEParser.Limits
    private(set) var leaves: [MIMEPart] = []
    private(set) var defects: [MIMEDefect] = []
    private let primaryLeaves: [MIMEPart]
    /// Built on first use: most messages have no alternative reading at all.
    private var seen: Set<LeafKey>?
    private var readings = 0

    /// What makes two leaves the same for a scanner: bytes, decoding, type and name.
    private struct LeafKey: Hashable {
        let buffer: ObjectIdentifier
        let body: Range<Int>
        let encoding: String
        let type: String
        let filename: String?

        init(_ part: MIMEPart) {
            buffer = ObjectIdentifier(part.message)
            body = part.bodyRange
            encoding = part.transferEncoding
            type = part.contentType.mimeType
            filename = part.filename
        }
    }

    init(base: UnsafePointer<UInt8>, limits: MIMEParser.Limits, primaryLeaves: [MIMEPart]) {
        self.base = base
        self.limits = limits
        self.primaryLeaves = primaryLeaves
    }

    mutating func collect(nodes: [StructurePass.Node], order: [Int], built: [MIMEPart?], builder: TreeBuilder) {
        for index in order where nodes[index].facts.hasAlternatives {
            let node = nodes[index]
            let facts = node.facts
            let range = node.headerRange.lowerBound..<max(node.bodyStart, node.end)
            for (number, boundary) in facts.alternativeBoundaries.enumerated() where node.delimiter != nil {
                reparse(node, range: range, choice: .boundary(boundary), builder: builder,
                        reading: "boundary parameter \(number + 2) of \(describe(node))")
            }
            for field in facts.alternativeContentTypeFields {
                reparse(node, range: range, choice: .contentTypeField(field), builder: builder,
                        reading: "Content-Type header \(field + 1) of \(describe(node))")
            }
            if node.contentFieldAfterStrayLine {
                reparse(node, range: range, choice: .skipNonFieldLines, builder: builder,
                        reading: "header of \(describe(node)) read past lines that are no fields")
            }
            if node.reportedPrefixLine {
                reparse(node, range: range, choice: .main, builder: builder, prefixMatching: .innermostFirst,
                        reading: "boundary lines of \(describe(node)) matched by prefix")
            }
            if node.nestedBoundaryPrefix {
                reparse(node, range: range, choice: .main, builder: builder, prefixMatching: .outermostFirst,
                        reading: "boundary lines of \(describe(node)) matched by prefix, outermost first")
            }
            for hidden in node.hiddenParts {
                let path = node.path.isEmpty ? hidden.place : "\(node.path).\(hidden.place)"
                reparse(node, range: hidden.range, choice: .main, builder: builder, depth: node.depth + 1, path: path,
                        reading: "part hidden in the \(hidden.place) of \(describe(node))")
            }
            let encoding = TransferEncoding(facts.transferEncoding)
            let type = facts.contentType
            if encoding != .identity && (type.isMultipart || type.isEnclosedMessage), let part = built[index] {
                reparseDecoded(node, part: part, encoding: encoding,
                               reading: "\(type.mimeType) \(describe(node)) decoded from \(facts.transferEncoding)")
            }
            guard builder.isLeaf(node, in: nodes), let part = built[index] else { continue }
            for encoding in facts.alternativeEncodings where take() {
                add(part.with(transferEncoding: encoding, reading: "Content-Transfer-Encoding '\(encoding)' of \(describe(node))"))
            }
            for name in facts.alternativeFileNames where take() {
                add(part.with(filename: name, reading: "file name '\(FileNames.printable(name))' of \(describe(node))"))
            }
        }
    }

    private func describe(_ node: StructurePass.Node) -> String {
        node.path.isEmpty ? "the message" : "part \(node.path)"
    }

    /// Re-runs the structure pass on one entity's bytes under another choice of header (or on
    /// other bytes read as an entity at `depth` with section `path`).
    private mutating func reparse(
        _ node: StructurePass.Node, range: Range<Int>, choice: EntityFacts.Choice, builder: TreeBuilder,
        prefixMatching: StructurePass.PrefixMatching = .exact, depth: Int? = nil, path: String? = nil, reading: String
    ) {
        guard take() else { return }
        var pass = StructurePass(base: base, range: range, limits: limits, prefixMatching: prefixMatching)
        pass.run(rootDepth: depth ?? node.depth, leafPath: path ?? node.leafPath, multipartPath: path ?? node.multipartPath, choice: choice)
        let nodes = pass.nodes
        let built = builder.assemble(nodes, reading: reading)
        for index in builder.preOrder(nodes) where builder.isLeaf(nodes[index], in: nodes) {
            if let part = built[index] { add(part) }
        }
    }

    /// A multipart or enclosed message sent with a transfer encoding, which RFC 2045 forbids
    /// and Python ignores but some clients decode: its header with the decoded body, parsed.
    private mutating func reparseDecoded(_ node: StructurePass.Node, part: MIMEPart, encoding: TransferEncoding, reading: String) {
        guard take() else { return }
        var bytes = Array(UnsafeBufferPointer(start: base + node.headerRange.lowerBound, count: node.headerRange.count))
        bytes += [0x0D, 0x0A]
        bytes += part.decodedBody(as: encoding)
        let decoded = MessageBytes(bytes)
        decoded.withUnsafeBytes { raw in
            guard let decodedBase = raw.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
            var pass = StructurePass(base: decodedBase, range: 0..<raw.count, limits: limits)
            pass.run(rootDepth: node.depth, leafPath: node.leafPath, multipartPath: node.multipartPath, choice: .decodedBody)
            let builder = TreeBuilder(raw: raw, message: decoded, limits: limits)
            let nodes = pass.nodes
            let built = builder.assemble(nodes, reading: reading)
            for index in builder.preOrder(nodes) where builder.isLeaf(nodes[index], in: nodes) {
                if let leaf = built[index] { add(leaf) }
            }
        }
    }

    /// Counts one more reading; false (and a defect, once) past `maxAlternativeReadings`.
    private mutating func take() -> Bool {
        guard readings < limits.maxAlternativeReadings else {
            if readings == limits.maxAlternativeReadings {
                defects.append(MIMEDefect(.tooManyAlternativeReadings, detail: "more than \(limits.maxAlternativeReadings) alternative readings; the rest not built"))
                readings += 1
            }
            return false
        }
        readings += 1
        return true
    }

    private mutating func add(_ part: MIMEPart) {
        // An empty part without a name (a reading that splits between two delimiter lines)
        // gives a scanner nothing to look at.
        guard !part.bodyRange.isEmpty || part.filename != nil else { return }
        if seen == nil { seen = Set(primaryLeaves.map(LeafKey.init)) }
        // Mutated in place through the optional, so the set is never copied.
        if seen?.insert(LeafKey(part)).inserted == true { leaves.append(part) }
    }
}

extension MIMEPart {
    /// The same part read with another transfer encoding and/or file name.
    func with(transferEncoding: String? = nil, filename: String? = nil, reading: String) -> MIMEPart {
        MIMEPart(
            path: path, contentType: contentType, charset: charset, disposition: disposition, filename: filename ?? self.filename,
            transferEncoding: transferEncoding ?? self.transferEncoding, headerRange: headerRange, bodyRange: bodyRange,
            children: children, defects: defects, depth: depth, reading: reading, origin: origin, message: message,
            fields: fields, decodeLimit: decodeLimit
        )
    }
}
