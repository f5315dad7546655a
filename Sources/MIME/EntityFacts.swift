/// What one entity's header says about it (type, encoding, disposition, file name), plus every
/// competing reading the header allows, so the parser can expose all of them.
struct EntityFacts {
    /// Which of several competing Content-Type readings to use (the first is the main reading).
    enum Choice: Equatable {
        case main
        /// Use Content-Type field number `n` (0-based among the Content-Type fields).
        case contentTypeField(Int)
        /// Use this boundary value instead of the first `boundary` parameter.
        case boundary([UInt8])
        /// The body that follows was already transfer-decoded: read it as 7bit.
        case decodedBody
        /// Read the header on past lines that are no fields (they do not start the body).
        case skipNonFieldLines
    }

    var contentType: ContentType
    /// Set by the structure pass when the header ran into a non-field line or a multipart met a
    /// prefix boundary line: both have another reading.
    var hasStructuralOddity = false
    var charset: String?
    var disposition: String?
    var filename: String?
    var transferEncoding = "7bit"
    var boundary: [UInt8]?
    var defects: [(MIMEDefect.Name, String)] = []
    /// Other boundary values that a reader could pick (CVE-2024-28054).
    var alternativeBoundaries: [[UInt8]] = []
    /// Indices of other Content-Type fields that disagree with the one used.
    var alternativeContentTypeFields: [Int] = []
    /// Other transfer encodings named by further Content-Transfer-Encoding fields.
    var alternativeEncodings: [String] = []
    /// Other file names a reader could show (from `name`, or duplicated parameters).
    var alternativeFileNames: [String] = []

    /// Whether another reading of this entity exists (most have none, and then nothing more is
    /// done for it).
    var hasAlternatives: Bool {
        hasStructuralOddity || !alternativeBoundaries.isEmpty || !alternativeContentTypeFields.isEmpty || !alternativeEncodings.isEmpty
            || !alternativeFileNames.isEmpty
            || (TransferEncoding(transferEncoding) != .identity && (contentType.isMultipart || contentType.isEnclosedMessage))
    }

    /// Reads the facts from `fields`; `defaultType` applies when Content-Type is missing or broken.
    init(fields: [RawHeaderField], base: UnsafePointer<UInt8>, defaultType: ContentType, choice: Choice = .main) {
        let access = FieldAccess(base: base)
        var contentTypeValues: [[UInt8]] = []
        var encodingValues: [String] = []
        var dispositionValues: [[UInt8]] = []
        for field in fields {
            if access.name(of: field, equals: "content-type") {
                contentTypeValues.append(access.unfoldedValue(of: field))
            } else if access.name(of: field, equals: "content-transfer-encoding") {
                var value = ParameterParser.parse(access.unfoldedValue(of: field)).value.lowercased()
                // `"base64"` in quotes is invalid but decoded as base64 by clients; so here.
                if value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") {
                    value = String(value.dropFirst().dropLast()).trimmingBlanks()
                }
                encodingValues.append(value)
            } else if access.name(of: field, equals: "content-disposition") {
                dispositionValues.append(access.unfoldedValue(of: field))
            }
        }

        // Content-Type: the first field is the main reading (as Python's email package reads it).
        contentType = defaultType
        var chosenIndex = 0
        if case .contentTypeField(let index) = choice { chosenIndex = index }
        var typeParameters: [ParameterParser.Parameter] = []
        if chosenIndex < contentTypeValues.count {
            let parsed = Self.parseContentType(contentTypeValues[chosenIndex], defaultType: defaultType)
            contentType = parsed.type
            typeParameters = parsed.parameters
            defects += parsed.defects
            if choice == .main {
                for (index, other) in contentTypeValues.enumerated() where index != chosenIndex {
                    let reading = Self.parseContentType(other, defaultType: defaultType)
                    let differs = reading.type.mimeType != contentType.mimeType
                        || reading.type.parameter("boundary") != contentType.parameter("boundary")
                    if differs {
                        alternativeContentTypeFields.append(index)
                        defects.append((.conflictingContentTypes, "Content-Type '\(contentType.mimeType)' and '\(reading.type.mimeType)' both given"))
                    }
                }
            }
        }
        charset = contentType.parameter("charset")?.lowercased().trimmingBlanks()
        if choice == .main {
            var seenValues: [String: String] = [:]
            for parameter in typeParameters where parameter.name != "boundary" && parameter.name != "name" {
                if let earlier = seenValues[parameter.name], earlier != parameter.value {
                    defects.append((.duplicateParameter, "Content-Type parameter '\(parameter.name.prefix(40))' given as '\(earlier.prefix(40))' and '\(parameter.value.prefix(40))'; the first counts"))
                }
                seenValues[parameter.name] = seenValues[parameter.name] ?? parameter.value
            }
        }

        // Boundary: every distinct value is a possible reading.
        var boundaries: [[UInt8]] = []
        for parameter in typeParameters where parameter.name == "boundary" {
            // RFC 2046 §5.1.1: a boundary cannot end in white space, and delimiter lines may
            // carry trailing blanks anyway; trimmed, `boundary="b "` matches "--b" and "--b ".
            var value = parameter.raw
            while let last = value.last, last == 0x20 || last == 0x09 { value.removeLast() }
            if value.count != parameter.raw.count {
                defects.append((.invalidBoundary, "boundary ends in white space; trimmed"))
            }
            if !boundaries.contains(value) { boundaries.append(value) }
        }
        if boundaries.count > 1 {
            defects.append((.multipleBoundaryParameters, "\(boundaries.count) different boundary parameters; the first is the main reading"))
        }
        if case .boundary(let forced) = choice {
            boundary = forced
        } else {
            boundary = boundaries.first
            alternativeBoundaries = Array(boundaries.dropFirst())
        }
        if let boundary, contentType.isMultipart {
            if boundary.isEmpty {
                // Python reads `boundary=""` as the delimiter line "--"; so does this parser.
                defects.append((.invalidBoundary, "empty boundary; lines of just \"--\" delimit the parts"))
            } else if boundary.count > 70 {
                defects.append((.invalidBoundary, "boundary of \(boundary.count) characters (RFC 2046 allows 70)"))
            }
        }

        // Content-Transfer-Encoding.
        if let first = encodingValues.first {
            transferEncoding = first.isEmpty ? "7bit" : first
            if !TransferEncoding.isKnown(transferEncoding) {
                defects.append((.unknownTransferEncoding, "Content-Transfer-Encoding '\(transferEncoding.prefix(40))' kept as is"))
            }
            var seen: Set<TransferEncoding> = [TransferEncoding(transferEncoding)]
            for other in encodingValues.dropFirst() where !other.isEmpty && !seen.contains(TransferEncoding(other)) {
                seen.insert(TransferEncoding(other))
                alternativeEncodings.append(other)
                defects.append((.conflictingTransferEncodings, "Content-Transfer-Encoding '\(transferEncoding.prefix(40))' and '\(other.prefix(40))' both given"))
            }
            if choice == .decodedBody {
                transferEncoding = "7bit"
                alternativeEncodings = []
            }
            if contentType.isMultipart && TransferEncoding(transferEncoding) != .identity {
                defects.append((.invalidMultipartTransferEncoding, "multipart with Content-Transfer-Encoding '\(transferEncoding.prefix(40))'; not decoded"))
            }
        }

        // Content-Disposition and the file name.
        var nameCandidates: [String] = []
        for (index, value) in dispositionValues.enumerated() {
            let parsed = ParameterParser.parse(value)
            if index == 0 {
                disposition = parsed.value.lowercased()
                defects += parsed.defects
            }
            nameCandidates += Self.preferredFirst(parsed.parameters, named: "filename")
        }
        nameCandidates += Self.preferredFirst(typeParameters, named: "name")
        var names: [String] = []
        var undecodedNames: [String] = []
        for candidate in nameCandidates {
            guard let cleaned = FileNames.clean(candidate) else { continue }
            // The first name's defects are the part's; a broken encoded word counts in any name.
            defects += names.isEmpty ? cleaned.defects : cleaned.defects.filter { $0.0 == .invalidEncodedWord }
            if !names.contains(cleaned.name) { names.append(cleaned.name) }
            if let raw = cleaned.undecoded, !undecodedNames.contains(raw) { undecodedNames.append(raw) }
        }
        filename = names.first
        alternativeFileNames = Array(names.dropFirst()) + undecodedNames.filter { !names.contains($0) }
        if choice == .main {
            // RFC 2045 §3 and RFC 2183 allow each once. Repeats that disagree are reported as
            // conflicts (with their readings); repeats that agree get this milder defect.
            let repeats = [
                ("Content-Type", contentTypeValues.count, alternativeContentTypeFields.isEmpty),
                ("Content-Transfer-Encoding", encodingValues.count, alternativeEncodings.isEmpty),
                ("Content-Disposition", dispositionValues.count, alternativeFileNames.isEmpty),
            ]
            for (name, count, agree) in repeats where count > 1 && agree {
                defects.append((.duplicateHeader, "\(name) appears \(count) times"))
            }
        }
        if names.count > 1 {
            let shown = names.prefix(4).map { "'\(FileNames.printable($0))'" }.joined(separator: ", ")
            defects.append((.conflictingFileNames, "file names \(shown) disagree; the first is the main reading"))
        }
    }

    /// Values of parameter `name`, RFC 2231 ones first (what clients that know RFC 2231 show).
    private static func preferredFirst(_ parameters: [ParameterParser.Parameter], named name: String) -> [String] {
        let matching = parameters.filter { $0.name == name }
        let extended = matching.filter(\.isExtended).flatMap { [$0.value] + ($0.valueBeforeGap.map { [$0] } ?? []) }
        return extended + matching.filter { !$0.isExtended }.map(\.value)
    }

    /// Parses one Content-Type value; an invalid one falls back to `defaultType` (RFC 2045 §5.2)
    /// but keeps its parameters, as Python does (a `charset` still counts).
    static func parseContentType(_ value: [UInt8], defaultType: ContentType)
        -> (type: ContentType, parameters: [ParameterParser.Parameter], defects: [(MIMEDefect.Name, String)]) {
        let parsed = ParameterParser.parse(value)
        var defects = parsed.defects
        let parameters = parsed.parameters.map { MIMEParameter(name: $0.name, value: $0.value, isExtended: $0.isExtended) }
        guard let (type, subtype) = Self.typeAndSubtype(parsed.value) else {
            defects.append((.invalidContentType, "Content-Type '\(parsed.value.prefix(60))' is not type/subtype; read as \(defaultType.mimeType)"))
            return (ContentType(type: defaultType.type, subtype: defaultType.subtype, parameters: parameters), parsed.parameters, defects)
        }
        return (ContentType(type: type, subtype: subtype, parameters: parameters), parsed.parameters, defects)
    }

    /// `type/subtype` when both are RFC 2045 tokens, else nil (a byte loop: this runs per part).
    static func typeAndSubtype(_ value: String) -> (String, String)? {
        let bytes = Array(value.utf8)
        guard let slash = bytes.firstIndex(of: 0x2F), slash > 0, slash < bytes.count - 1 else { return nil }
        for (offset, byte) in bytes.enumerated() where offset != slash {
            guard byte > 0x20 && byte < 0x7F && !Self.tspecials[Int(byte)] else { return nil }
        }
        let lower = bytes.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 }
        return (String(decoding: lower[..<slash], as: UTF8.self), String(decoding: lower[(slash + 1)...], as: UTF8.self))
    }

    /// RFC 2045 tspecials, which may not appear in a token.
    private static let tspecials: [Bool] = {
        var table = [Bool](repeating: false, count: 128)
        for byte in "()<>@,;:\\\"/[]?=".utf8 { table[Int(byte)] = true }
        return table
    }()
}

/// Reads header fields of the message being parsed by their byte ranges.
struct FieldAccess {
    let base: UnsafePointer<UInt8>

    /// Whether the field's name equals `lowercased` ignoring ASCII case.
    func name(of field: RawHeaderField, equals lowercased: StaticString) -> Bool {
        guard field.name.count == lowercased.utf8CodeUnitCount else { return false }
        let expected = lowercased.utf8Start
        for offset in 0..<field.name.count where base[field.name.lowerBound + offset] | 0x20 != expected[offset] | 0x20 {
            return false
        }
        return true
    }

    /// The value with line breaks of folding removed (the blanks after them stay).
    func unfoldedValue(of field: RawHeaderField) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(field.value.count)
        var position = field.value.lowerBound
        while position < field.value.upperBound {
            guard let newline = ByteScan.find(0x0A, in: base, from: position, limit: field.value.upperBound) else {
                out.append(contentsOf: UnsafeBufferPointer(start: base + position, count: field.value.upperBound - position))
                break
            }
            let end = newline > position && base[newline - 1] == 0x0D ? newline - 1 : newline
            out.append(contentsOf: UnsafeBufferPointer(start: base + position, count: end - position))
            position = newline + 1
        }
        return out
    }
}
