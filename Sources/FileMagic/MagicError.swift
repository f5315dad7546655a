public import ErrorCodes

/// Marks errors of libmagic.
public enum LibMagic {}

/// A libmagic failure: which C function failed, on what, and libmagic's own message.
public typealias MagicError = LibraryCallError<LibMagic>

extension MagicError.Code {
    /// `magic_open` could not allocate a handle.
    public static var openFailed: Self { Self("open") }
    /// The magic database could not be loaded (missing, unreadable, wrong version).
    public static var databaseLoad: Self { Self("database") }
    /// A parameter or flag could not be set on a handle.
    public static var setup: Self { Self("setup") }
    /// libmagic could not classify a buffer.
    public static var detection: Self { Self("detection") }
}
