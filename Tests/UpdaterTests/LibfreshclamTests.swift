import Testing

/// Every test that opens a libfreshclam session: libfreshclam's state is process-wide (one
/// session at a time), so the suites inside run one test after another.
@Suite(.serialized) enum LibfreshclamTests {}
