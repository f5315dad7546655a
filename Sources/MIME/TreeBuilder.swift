/// Runs the structure pass, adds uuencoded blocks found in text, builds alternative readings of
/// ambiguous entities, and assembles the immutable `ParsedMessage`.
struct TreeBuilder {
    let raw: UnsafeRawBufferPointer
    let message: MessageBytes
    let limits: MIMEParser.Limits

    func parseMessage() -> ParsedMessage {
        guard let base = raw.baseAddress?.assumingMemoryBound(to: UInt8.self), raw.count > 0 else {
            return emptyMessage()
        }
        if ByteScan.find(0x0A, in: base, from: 0, limit: raw.count) == nil,
           ByteScan.find(0x0D, in: base, from: 0, limit: raw.count) != nil {
            return parseWithCarriageReturnLineEnds()
        }
        var pass = StructurePass(base: base, range: 0..<raw.count, limits: limits)
        pass.run(rootDepth: 0, leafPath: "1", multipartPath: "", choice: .main)
        var nodes = pass.nodes
        var messageDefects = pass.messageDefects
        addUUEncodedBlocks(to: &nodes, messageDefects: &messageDefects, base: base)

        let built = assemble(nodes, reading: nil)
        let order = preOrder(nodes)
        let leaves = order.filter { isLeaf(nodes[$0], in: nodes) }.compactMap { built[$0] }
        var defects = messageDefects.map { MIMEDefect($0.0, detail: $0.1) }
        for index in order {
            defects += built[index]?.defects ?? []
        }
        var alternatives = AlternativeReadings(base: base, limits: limits, primaryLeaves: leaves)
        alternatives.collect(nodes: nodes, order: order, built: built, builder: self)
        defects += alternatives.defects
        let root = built.first.flatMap { $0 } ?? emptyMessage().root
        return ParsedMessage(
            root: root, leaves: leaves, alternativeLeaves: alternatives.leaves, defects: defects, limits: limits
        )
    }

    /// A leaf is content to scan: no children, or only uuencoded blocks found inside it (the
    /// text around the blocks is content too).
    func isLeaf(_ node: StructurePass.Node, in nodes: [StructurePass.Node]) -> Bool {
        node.children.allSatisfy { nodes[$0].origin == .uuencodedBlock }
    }

    /// Node indices in document order (pre-order), iteratively.
    func preOrder(_ nodes: [StructurePass.Node]) -> [Int] {
        guard !nodes.isEmpty else { return [] }
        var order: [Int] = []
        order.reserveCapacity(nodes.count)
        var stack = [0]
        while let index = stack.popLast() {
            order.append(index)
            stack.append(contentsOf: nodes[index].children.reversed())
        }
        return order
    }

    /// Builds parts bottom-up (children always come after their parent in `nodes`).
    func assemble(_ nodes: [StructurePass.Node], reading: String?) -> [MIMEPart?] {
        var built = [MIMEPart?](repeating: nil, count: nodes.count)
        for index in nodes.indices.reversed() {
            let node = nodes[index]
            let children = node.children.compactMap { built[$0] }
            built[index] = part(node, children: children, reading: reading)
        }
        return built
    }

    func part(_ node: StructurePass.Node, children: [MIMEPart], reading: String?) -> MIMEPart {
        let facts = node.facts
        return MIMEPart(
            path: node.path, contentType: facts.contentType, charset: facts.charset, disposition: facts.disposition,
            filename: facts.filename, transferEncoding: facts.transferEncoding, headerRange: node.headerRange,
            bodyRange: node.bodyStart..<max(node.bodyStart, node.end), children: children,
            defects: node.defects.map { MIMEDefect($0.0, detail: $0.1, path: node.path) },
            depth: node.depth, reading: reading, origin: node.origin, message: message,
            fields: node.fields, decodeLimit: limits.maxDecodedBytesPerPart
        )
    }

    /// Text leaves with no transfer encoding are searched for uuencoded blocks; each becomes a
    /// child leaf, since mail clients show it as an attachment.
    private func addUUEncodedBlocks(
        to nodes: inout [StructurePass.Node], messageDefects: inout [(MIMEDefect.Name, String)], base: UnsafePointer<UInt8>
    ) {
        guard limits.findUUEncodedBlocks else { return }
        for index in nodes.indices {
            let node = nodes[index]
            guard node.children.isEmpty, node.origin == .entity, node.facts.contentType.type == "text",
                  TransferEncoding(node.facts.transferEncoding) == .identity, node.end > node.bodyStart else { continue }
            let blocks = UUEncodedBlocks.find(in: raw, range: node.bodyStart..<node.end)
            for (number, block) in blocks.enumerated() {
                guard nodes.count < limits.maxParts else {
                    messageDefects.append((.tooManyParts, "more than \(limits.maxParts) parts; uuencoded blocks of \(node.path) not split out"))
                    return
                }
                let path = "\(node.path).u\(number + 1)"
                var facts = EntityFacts(fields: [], base: base, defaultType: StructurePass.octetStream)
                facts.transferEncoding = "x-uuencode"
                facts.disposition = "attachment"
                var defects: [(MIMEDefect.Name, String)] = [(.uuencodedBlockInText, "uuencoded block in text part \(node.path)")]
                if let cleaned = FileNames.clean(block.fileName) {
                    facts.filename = cleaned.name
                    defects += cleaned.defects
                }
                if !block.hasEnd {
                    defects.append((.invalidUUEncode, "uuencoded block without an 'end' line"))
                }
                let child = StructurePass.Node(
                    parent: index, depth: node.depth + 1, path: path, leafPath: path, multipartPath: path,
                    headerRange: block.range.lowerBound..<block.range.lowerBound, bodyStart: block.range.lowerBound,
                    end: block.range.upperBound, fields: [], facts: facts, origin: .uuencodedBlock, defects: defects
                )
                nodes[index].children.append(nodes.count)
                nodes.append(child)
            }
        }
    }

    /// Old Mac mail ends lines with CR alone; Python and some clients read that. Without a
    /// single LF, the only sensible reading is that one, on a copy with CR turned into LF.
    private func parseWithCarriageReturnLineEnds() -> ParsedMessage {
        let translated = MessageBytes(raw.map { $0 == 0x0D ? 0x0A : $0 })
        var parsed = translated.withUnsafeBytes { TreeBuilder(raw: $0, message: translated, limits: limits).parseMessage() }
        parsed.defects.insert(MIMEDefect(
            .bareCarriageReturnLineEnds,
            detail: "lines end in CR alone; parsed a copy with LF line ends (ranges refer to the copy)"
        ), at: 0)
        return parsed
    }

    private func emptyMessage() -> ParsedMessage {
        let root = MIMEPart(
            path: "1", contentType: .textPlain, charset: nil, disposition: nil, filename: nil, transferEncoding: "7bit",
            headerRange: 0..<0, bodyRange: 0..<0, children: [], defects: [], depth: 0, reading: nil, origin: .entity,
            message: message, fields: [], decodeLimit: limits.maxDecodedBytesPerPart
        )
        return ParsedMessage(root: root, leaves: [root], alternativeLeaves: [], defects: [], limits: limits)
    }
}
