public import FileMagic

/// The attachment-type checks the policy uses: banned content types, banned and disguised file
/// names, and names or declared types that disagree with the content. Pure Swift given libmagic's
/// answer; every check returns the rules that fired, by name, so replies and logs can say which.
public struct TypeRules: Sendable {
    /// Content categories refused whatever the attachment is called.
    public var bannedCategories: Set<FileCategory>
    /// File-name extensions refused (lower case, no dot).
    public var bannedExtensions: Set<String>
    /// Whether a disagreement between name or declared type and content is reported.
    public var reportsMismatches: Bool

    public init(
        bannedCategories: Set<FileCategory> = FileCategory.defaultBanned,
        bannedExtensions: Set<String> = BannedExtensions.default,
        reportsMismatches: Bool = true
    ) {
        self.bannedCategories = bannedCategories
        self.bannedExtensions = Set(bannedExtensions.map { $0.lowercased() })
        self.reportsMismatches = reportsMismatches
    }

    /// Every rule that fires for one attachment: its detected type (nil when not detected), its
    /// file name and its declared Content-Type (nil when absent).
    public func evaluate(detected: DetectedType?, fileName: String?, declaredContentType: String?) -> [TypeRuleHit] {
        var hits: [TypeRuleHit] = []
        if let detected, let hit = bannedType(detected) { hits.append(hit) }
        if let fileName { hits += nameRules(fileName) }
        if let detected, reportsMismatches {
            if let fileName, let hit = extensionMismatch(fileName: fileName, detected: detected) { hits.append(hit) }
            if let declaredContentType, let hit = contentTypeMismatch(declared: declaredContentType, detected: detected) {
                hits.append(hit)
            }
        }
        return hits
    }

    /// `banned-type:<category>` when the content is in a banned category.
    public func bannedType(_ detected: DetectedType) -> TypeRuleHit? {
        guard let category = FileCategory.all.first(where: { bannedCategories.contains($0) && $0.matches(detected) }) else {
            return nil
        }
        return TypeRuleHit(.bannedType, category.name, detail: "\(detected.mimeType): \(detected.description)")
    }

    /// The rules about the name alone: `bidi-override`, `lookalike-characters`,
    /// `banned-extension:<ext>` and `double-extension`.
    public func nameRules(_ fileName: String) -> [TypeRuleHit] {
        let name = AttachmentName(fileName)
        var hits: [TypeRuleHit] = []
        if name.hasBidiControls {
            hits.append(TypeRuleHit(.bidiOverride, detail: "name with bidi controls; real name \(name.normalized)"))
        }
        if name.hasLookalikeCharacters {
            hits.append(TypeRuleHit(.lookalikeCharacters, detail: "extension uses compatibility characters; real name \(name.normalized)"))
        }
        guard let last = name.realExtension else { return hits }
        if bannedExtensions.contains(last) {
            hits.append(TypeRuleHit(.bannedExtension, last, detail: name.normalized))
        }
        // A decoy extension the reader trusts, right before one that runs code.
        if name.extensions.count >= 2 {
            let decoy = name.extensions[name.extensions.count - 2]
            let dangerous = bannedExtensions.contains(last) || BannedExtensions.executable.contains(last)
            if dangerous, TypeFamilies.byExtension[decoy] != nil, !BannedExtensions.executable.contains(decoy) {
                hits.append(TypeRuleHit(.doubleExtension, detail: "\(decoy) then \(last) in \(name.normalized)"))
            }
        }
        return hits
    }

    /// `type-mismatch:<ext family>-is-<detected family>` when the name's extension claims one
    /// kind of content and libmagic found another; nil when either side is unknown.
    public func extensionMismatch(fileName: String, detected: DetectedType) -> TypeRuleHit? {
        guard let ext = AttachmentName(fileName).realExtension,
            let claimed = TypeFamilies.byExtension[ext],
            let found = TypeFamilies.family(of: detected),
            !TypeFamilies.compatible(claimed: claimed, detected: found)
        else { return nil }
        return TypeRuleHit(.typeMismatch, "\(claimed)-is-\(found)", detail: ".\(ext) file is \(detected.mimeType)")
    }

    /// `content-type-mismatch:<declared family>-is-<detected family>` when the declared
    /// Content-Type claims one kind of content and libmagic found another. Generic declarations
    /// (`application/octet-stream` and friends) and unknown types never disagree.
    public func contentTypeMismatch(declared: String, detected: DetectedType) -> TypeRuleHit? {
        let declaredType = Self.normalizedMIMEType(declared)
        guard !TypeFamilies.genericDeclaredTypes.contains(declaredType),
            let claimed = TypeFamilies.byMIMEType[declaredType] ?? FileCategory.all.first(where: { $0.mimeTypes.contains(declaredType) })?.label,
            let found = TypeFamilies.family(of: detected),
            !TypeFamilies.compatible(claimed: claimed, detected: found)
        else { return nil }
        return TypeRuleHit(.contentTypeMismatch, "\(claimed)-is-\(found)", detail: "declared \(declaredType), content is \(detected.mimeType)")
    }

    /// A MIME type reduced to `type/subtype` in lower case: parameters, spaces and the extra
    /// words libmagic sometimes appends ("application/x-executable, no program header") removed.
    public static func normalizedMIMEType(_ type: String) -> String {
        let trimmed = type.drop { $0 == " " || $0 == "\t" }
        let end = trimmed.firstIndex { $0 == ";" || $0 == "," || $0 == " " || $0 == "\t" } ?? trimmed.endIndex
        return trimmed[..<end].lowercased()
    }
}
