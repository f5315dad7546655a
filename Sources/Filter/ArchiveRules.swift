public import Archives
import FileMagic
import MIME
import Scanning

/// The type rules applied inside archive attachments (zip, 7z, rar, tar, gz...), as rspamd and
/// amavisd do: every member's name, and its content type from its first bytes, plus rules of
/// their own for what cannot be checked (an encrypted archive, nesting or entry counts past the
/// limits).
public struct ArchiveRules: Sendable {
    /// Lists archive members through libarchive, within limits.
    public let inspector: ArchiveInspector
    /// Ban an archive whose members cannot be read (`archive-encrypted`).
    public let banEncrypted: Bool
    /// Ban an archive nested too deep or with too many members to check (`archive-limits`).
    public let banLimits: Bool

    /// Passwords taken from the message and tried on an encrypted archive, at most
    /// (`[policy] archive_password_candidates`); 0 tries none.
    public let passwordCandidates: Int

    public init(
        inspector: ArchiveInspector = ArchiveInspector(), banEncrypted: Bool, banLimits: Bool, passwordCandidates: Int = 20
    ) {
        self.inspector = inspector
        self.banEncrypted = banEncrypted
        self.banLimits = banLimits
        self.passwordCandidates = max(0, passwordCandidates)
    }

    /// The work one message may spend on passwords, all its archives together: every candidate
    /// tried on a few archives, and twice one inspection's byte budget.
    func makePasswordBudget() -> ArchiveInspector.PasswordBudget {
        ArchiveInspector.PasswordBudget(tries: passwordCandidates * 3, bytes: inspector.limits.maxTotalBytes * 2)
    }

    /// Detected types that are archives or compressed files. Office documents, JARs and APKs are
    /// zips too, but libmagic names them by what they are, so they are not opened here.
    static let archiveTypes: Set<String> = [
        "application/zip", "application/x-zip-compressed", "application/x-7z-compressed", "application/x-rar",
        "application/x-rar-compressed", "application/vnd.rar", "application/x-tar", "application/gzip",
        "application/x-gzip", "application/x-bzip2", "application/x-xz", "application/zstd", "application/x-zstd",
        "application/x-cpio", "application/x-lzma", "application/x-compress", "application/x-lzip",
        "application/vnd.ms-cab-compressed", "application/x-iso9660-image",
    ]

    static func isArchive(_ type: DetectedType) -> Bool {
        archiveTypes.contains(TypeRules.normalizedMIMEType(type.mimeType))
    }

    /// What looking inside one archive found.
    struct Inspection {
        /// The rules that fired on members or on the archive itself.
        var hits: [BannedHit] = []
        /// The archive holds something that can do harm (whether or not a rule bans it here:
        /// an allowed category, macros, script), or could not be seen whole. Under a name or
        /// type that claims something else, this makes the mismatch a disguise.
        var risky = false
        /// The password from the message that opened the (encrypted) archive, if one did.
        var password: String?
        /// The archive's members, whole, when a password opened it: ClamAV cannot open it
        /// itself, so the pipeline scans them.
        var members: [(path: String, content: [UInt8])] = []
    }

    /// The rules that fire inside the archive `bytes` (the decoded content of `leaf`). An
    /// encrypted archive is tried with `passwords` (from the message) within `budget`; one that
    /// opens is checked member by member as if it had not been encrypted.
    func check(
        _ bytes: [UInt8], of leaf: MIMEPart, detector: TypeDetector, typeRules: TypeRules,
        passwords: inout MessagePasswords
    ) -> Inspection {
        var listing: ArchiveListing?
        var opening: ArchiveInspector.PasswordOpening?
        do {
            listing = try inspector.inspect(bytes, name: leaf.filename)
            if let found = listing, found.encrypted, passwordCandidates > 0 {
                let candidates = passwords.candidates(limit: passwordCandidates)
                if !candidates.isEmpty {
                    opening = try inspector.open(
                        bytes[...], name: leaf.filename, candidates: candidates, budget: &passwords.budget)
                    if let opening { listing = opening.listing }
                }
            }
        } catch {
            // libarchive could not even set up a reader: treat like an archive we cannot open.
            let hits = banEncrypted ? [BannedHit(rule: "archive-unreadable", partPath: leaf.path, filename: leaf.filename)] : []
            return Inspection(hits: hits, risky: true)
        }
        guard let listing else { return Inspection() }
        // Opened with a password: what it holds is now seen, as in an unencrypted archive.
        let unseen = listing.encrypted && opening == nil
        var inspection = Inspection(
            risky: unseen || listing.reached(.depth) || listing.reached(.entries), password: opening?.password,
            members: opening?.members ?? [])
        let outer = leaf.filename ?? "archive"
        for entry in listing.entries where !entry.isDirectory {
            let location = "\(outer)/\(entry.path)"
            for hit in typeRules.nameRules(entry.name) {
                inspection.hits.append(BannedHit(rule: hit.name, partPath: leaf.path, filename: location))
            }
            guard !entry.contentPrefix.isEmpty, let type = try? detector.detect(entry.contentPrefix) else { continue }
            if let hit = typeRules.bannedType(type) {
                inspection.hits.append(BannedHit(rule: hit.name, partPath: leaf.path, filename: location))
            }
            if TypeRules.canDoHarm(type, traits: ContentTraits.examine(entry.contentPrefix[...], detected: type)) {
                inspection.risky = true
            }
        }
        if !inspection.hits.isEmpty { inspection.risky = true }
        if banEncrypted && unseen {
            inspection.hits.append(BannedHit(rule: "archive-encrypted", partPath: leaf.path, filename: leaf.filename))
        }
        // The byte budget is not a reason to ban: big legitimate archives reach it (their
        // contents are still scanned by ClamAV); depth and entry counts are what bombs use.
        if banLimits && (listing.reached(.depth) || listing.reached(.entries)) {
            inspection.hits.append(BannedHit(rule: "archive-limits", partPath: leaf.path, filename: leaf.filename))
        }
        return inspection
    }
}
