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

    public init(inspector: ArchiveInspector = ArchiveInspector(), banEncrypted: Bool, banLimits: Bool) {
        self.inspector = inspector
        self.banEncrypted = banEncrypted
        self.banLimits = banLimits
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

    /// The rules that fire inside the archive `bytes` (the decoded content of `leaf`).
    func check(_ bytes: [UInt8], of leaf: MIMEPart, detector: TypeDetector, typeRules: TypeRules) -> [BannedHit] {
        let listing: ArchiveListing?
        do {
            listing = try inspector.inspect(bytes, name: leaf.filename)
        } catch {
            // libarchive could not even set up a reader: treat like an archive we cannot open.
            return banEncrypted ? [BannedHit(rule: "archive-unreadable", partPath: leaf.path, filename: leaf.filename)] : []
        }
        guard let listing else { return [] }
        var hits: [BannedHit] = []
        let outer = leaf.filename ?? "archive"
        for entry in listing.entries where !entry.isDirectory {
            let location = "\(outer)/\(entry.path)"
            for hit in typeRules.nameRules(entry.name) {
                hits.append(BannedHit(rule: hit.name, partPath: leaf.path, filename: location))
            }
            if !entry.contentPrefix.isEmpty, let type = try? detector.detect(entry.contentPrefix),
               let hit = typeRules.bannedType(type) {
                hits.append(BannedHit(rule: hit.name, partPath: leaf.path, filename: location))
            }
        }
        if banEncrypted && listing.encrypted {
            hits.append(BannedHit(rule: "archive-encrypted", partPath: leaf.path, filename: leaf.filename))
        }
        // The byte budget is not a reason to ban: big legitimate archives reach it (their
        // contents are still scanned by ClamAV); depth and entry counts are what bombs use.
        if banLimits && (listing.reached(.depth) || listing.reached(.entries)) {
            hits.append(BannedHit(rule: "archive-limits", partPath: leaf.path, filename: leaf.filename))
        }
        return hits
    }
}
