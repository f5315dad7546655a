/// The one version number of scanmilter: every executable's `--version`, the `X-Virus-Scanned`
/// header, `scanmilter_build_info`, the logs' start line and the Debian package
/// (scripts/package.sh reads it from `scanmilter --version`).
public enum ScanmilterVersion {
    /// The release, e.g. `0.1.0`.
    public static let current = "0.1.0"
}
