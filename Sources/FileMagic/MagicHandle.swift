internal import CMagic

/// One libmagic handle (`magic_t`) with the magic database loaded.
///
/// A handle is not thread-safe (libmagic keeps per-handle scratch state and result buffers), so
/// this class is deliberately not `Sendable`: use it from one thread, or share a `TypeDetector`,
/// which lends handles from a pool.
public final class MagicHandle {
    /// The open handle; closed in `deinit`.
    private let raw: OpaquePointer
    /// At most this many leading bytes are examined.
    public let prefixLength: Int

    /// Opens a handle and loads the magic database at `databasePath`, or the system database
    /// (Debian's libmagic-mgc, `/usr/share/misc/magic.mgc`) when it is nil.
    public init(databasePath: String? = nil, prefixLength: Int = TypeDetector.Configuration.defaultPrefixLength) throws {
        guard let handle = magic_open(MAGIC_NONE) else {
            throw MagicError(function: "magic_open", code: .openFailed, message: "could not allocate a libmagic handle")
        }
        raw = handle
        self.prefixLength = max(1, prefixLength)
        // From here on `deinit` closes the handle whatever fails below.
        try check(magic_load(raw, databasePath), "magic_load", .databaseLoad, subject: databasePath ?? "system magic database")
        // libmagic never looks past this many bytes of a buffer; keep it in step with our prefix
        // so that raising the prefix actually lets libmagic use the bytes.
        var bytesMax = self.prefixLength
        try check(magic_setparam(raw, Int32(MAGIC_PARAM_BYTES_MAX), &bytesMax), "magic_setparam", .setup, subject: "MAGIC_PARAM_BYTES_MAX")
    }

    deinit {
        magic_close(raw)
    }

    /// The libmagic version linked, e.g. `5.44`.
    public static var libraryVersion: String {
        let version = Int(magic_version())
        let minor = version % 100
        return "\(version / 100).\(minor < 10 ? "0" : "")\(minor)"
    }

    /// Detects the type of `bytes` from its first `prefixLength` bytes. libmagic runs once for
    /// the MIME type and encoding, and a second time for the description when `description` asks.
    public func detect(_ bytes: ArraySlice<UInt8>, description pass: DescriptionPass = .always) throws -> DetectedType {
        let prefix = bytes.prefix(prefixLength)
        return try prefix.withUnsafeBytes { buffer in
            // MAGIC_MIME gives "type; charset=encoding" in one pass.
            let mime = try classify(buffer, flags: MAGIC_MIME)
            let (mimeType, encoding) = Self.splitMIME(mime)
            let describe = switch pass {
            case .always: true
            case .never: false
            case .exceptText: !mimeType.hasPrefix("text/")
            }
            let description = describe ? try classify(buffer, flags: MAGIC_NONE) : ""
            return DetectedType(mimeType: mimeType, encoding: encoding, description: description)
        }
    }

    /// Runs `magic_buffer` with `flags` and returns its answer as a Swift string.
    private func classify(_ buffer: UnsafeRawBufferPointer, flags: Int32) throws -> String {
        try check(magic_setflags(raw, flags), "magic_setflags", .setup, subject: "flags \(flags)")
        let result: UnsafePointer<CChar>?
        if let base = buffer.baseAddress {
            result = magic_buffer(raw, base, buffer.count)
        } else {
            // An empty slice may have no base address; libmagic still wants a valid pointer.
            var empty: UInt8 = 0
            result = magic_buffer(raw, &empty, 0)
        }
        return try check(result, "magic_buffer", .detection, subject: "\(buffer.count) bytes")
    }

    /// Splits libmagic's `type; charset=enc` into its two parts.
    static func splitMIME(_ mime: String) -> (type: String, encoding: String) {
        let parts = mime.split(separator: ";", maxSplits: 1)
        guard parts.count == 2 else { return (mime, "") }
        var encoding = parts[1].drop { $0 == " " }
        if encoding.hasPrefix("charset=") { encoding = encoding.dropFirst("charset=".count) }
        return (String(parts[0]), String(encoding))
    }

    // MARK: - the funnel: every libmagic status passes here and becomes a MagicError naming the call

    /// Throws when a libmagic call returned -1.
    private func check(_ status: Int32, _ function: String, _ code: MagicError.Code, subject: String) throws {
        guard status == -1 else { return }
        throw error(function, code, subject: subject)
    }

    /// Throws when a libmagic call returned NULL; otherwise returns the C string as a Swift string.
    private func check(_ result: UnsafePointer<CChar>?, _ function: String, _ code: MagicError.Code, subject: String) throws -> String {
        guard let result else { throw error(function, code, subject: subject) }
        return String(cString: result)
    }

    private func error(_ function: String, _ code: MagicError.Code, subject: String) -> MagicError {
        let detail = magic_error(raw).map { String(cString: $0) } ?? "no message (errno \(magic_errno(raw)))"
        return MagicError(function: function, code: code, message: "\(subject): \(detail)")
    }
}
