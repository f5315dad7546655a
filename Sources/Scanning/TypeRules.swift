public import FileMagic

/// The attachment-type checks the policy uses: banned content types, banned and disguised file
/// names, and names or declared types that disagree with the content. Pure Swift given libmagic's
/// answer; every check returns the rules that fired, by name, so replies and logs can say which.
public struct TypeRules: Sendable {
    /// Content categories refused whatever the attachment is called.
    public var bannedCategories: Set<FileCategory>
    /// File-name extensions refused (lower case, no dot; `init` normalises ".EXE" to "exe").
    public var bannedExtensions: Set<String>
    /// Whether a disagreement between name or declared type and content is reported: as a ban
    /// when the content can do harm (``TypeRuleHit/isHarmless`` false), as a record otherwise.
    public var reportsMismatches: Bool

    /// Rules with the default banned categories and extensions (Gmail's list plus a few of Outlook's).
    public init(
        bannedCategories: Set<FileCategory> = FileCategory.defaultBanned,
        bannedExtensions: Set<String> = BannedExtensions.default,
        reportsMismatches: Bool = true
    ) {
        self.bannedCategories = bannedCategories
        // Admins write ".EXE" as often as "exe".
        self.bannedExtensions = Set(bannedExtensions.map { String($0.lowercased().drop { $0 == "." || $0 == " " }) })
        self.reportsMismatches = reportsMismatches
    }

    /// Every rule that fires for one attachment: its detected type (nil when not detected), its
    /// file name, its declared Content-Type (nil when absent) and what its content can do.
    /// Mismatch hits may be harmless (``TypeRuleHit/isHarmless``): the caller records those.
    public func evaluate(
        detected: DetectedType?, fileName: String?, declaredContentType: String?, traits: ContentTraits = .none
    ) -> [TypeRuleHit] {
        var hits: [TypeRuleHit] = []
        if let detected, let hit = bannedType(detected) { hits.append(hit) }
        if let fileName { hits += nameRules(fileName) }
        if let detected, reportsMismatches {
            if let fileName, let hit = extensionMismatch(fileName: fileName, detected: detected, traits: traits) { hits.append(hit) }
            if let declaredContentType,
               let hit = contentTypeMismatch(declared: declaredContentType, detected: detected, traits: traits) {
                hits.append(hit)
            }
        }
        return hits
    }

    /// Whether content can do harm where a name or type claims something harmless: it runs
    /// (a banned or allowed dangerous category: programs, scripts, installers, shortcuts, disk
    /// images, Java, compiled help), or it holds macros, script or an archive of such things.
    /// Anything else under a wrong label is one harmless format taken for another.
    public static func canDoHarm(_ detected: DetectedType, traits: ContentTraits) -> Bool {
        FileCategory.of(detected) != nil || traits.isRisky
    }

    /// `banned-type:<category>` when the content is in a banned category.
    public func bannedType(_ detected: DetectedType) -> TypeRuleHit? {
        let normalized = Self.normalizedMIMEType(detected.mimeType)
        guard let category = FileCategory.all.first(where: { bannedCategories.contains($0) && $0.matches(detected, normalizedMIMEType: normalized) }) else {
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
    /// kind of content and libmagic found another; nil when either side is unknown. The hit is
    /// harmless unless the content can do harm (``canDoHarm(_:traits:)``).
    public func extensionMismatch(fileName: String, detected: DetectedType, traits: ContentTraits = .none) -> TypeRuleHit? {
        guard let ext = AttachmentName(fileName).realExtension, let claimed = TypeFamilies.byExtension[ext] else { return nil }
        return Self.mismatch(.typeMismatch, claimed: claimed, detected: detected, traits: traits, detail: ".\(ext) file is \(detected.mimeType)")
    }

    /// `content-type-mismatch:<declared family>-is-<detected family>` when the declared
    /// Content-Type claims one kind of content and libmagic found another. Generic declarations
    /// (`application/octet-stream` and friends) and unknown types never disagree. The hit is
    /// harmless unless the content can do harm (``canDoHarm(_:traits:)``).
    public func contentTypeMismatch(declared: String, detected: DetectedType, traits: ContentTraits = .none) -> TypeRuleHit? {
        let declaredType = Self.normalizedMIMEType(declared)
        guard !TypeFamilies.genericDeclaredTypes.contains(declaredType),
            let claimed = TypeFamilies.byMIMEType[declaredType] ?? FileCategory.all.first(where: { $0.mimeTypes.contains(declaredType) })?.label
        else { return nil }
        return Self.mismatch(
            .contentTypeMismatch, claimed: claimed, detected: detected, traits: traits,
            detail: "declared \(declaredType), content is \(detected.mimeType)")
    }

    /// `<rule>:<claimed>-is-<found>` when the claimed family and the one libmagic found are not
    /// compatible, harmless unless the content can do harm; nil when they agree or the content's
    /// family is unknown. What both mismatch rules share once each has its claim.
    private static func mismatch(
        _ kind: TypeRuleHit.Kind, claimed: String, detected: DetectedType, traits: ContentTraits, detail: String
    ) -> TypeRuleHit? {
        guard let found = TypeFamilies.family(of: detected, traits: traits),
            !TypeFamilies.compatible(claimed: claimed, detected: found)
        else { return nil }
        return TypeRuleHit(kind, "\(claimed)-is-\(found)", detail: detail, isHarmless: !canDoHarm(detected, traits: traits))
    }

    /// A MIME type reduced to `type/subtype` in lower case: parameters, spaces and the extra
    /// words libmagic sometimes appends ("application/x-executable, no program header") removed.
    public static func normalizedMIMEType(_ type: String) -> String {
        let trimmed = type.drop { $0 == " " || $0 == "\t" }
        let end = trimmed.firstIndex { $0 == ";" || $0 == "," || $0 == " " || $0 == "\t" } ?? trimmed.endIndex
        return trimmed[..<end].lowercased()
    }
}
