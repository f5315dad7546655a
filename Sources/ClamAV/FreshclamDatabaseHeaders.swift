internal import CClamAV
import Foundation

extension DatabaseInfo {
    /// The signed databases (`.cvd`/`.cld`) in `directory`, read from their headers
    /// (`cl_cvdhead`) without loading an engine: what `scanmilterctl status` and the updater show.
    public static func signedDatabases(in directory: String) -> [SignedDatabase] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        return names.compactMap { file -> SignedDatabase? in
            let url = URL(fileURLWithPath: directory).appendingPathComponent(file)
            guard ["cvd", "cld"].contains(url.pathExtension), let header = cl_cvdhead(url.path) else { return nil }
            defer { cl_cvdfree(header) }
            return SignedDatabase(
                name: url.deletingPathExtension().lastPathComponent,
                version: Int(header.pointee.version),
                signatures: Int(header.pointee.sigs),
                buildTime: Date(timeIntervalSince1970: TimeInterval(header.pointee.stime)))
        }
    }
}
