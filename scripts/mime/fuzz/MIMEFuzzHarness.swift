// libFuzzer entry point for the MIME parser. Not part of the package: scripts/fuzz-mime.sh
// compiles it with swiftc together with Sources/MIME/*.swift (one module, so no import and no
// Package.swift target) under -sanitize=fuzzer,address, which also catches out-of-bounds
// writes through unsafe pointers that a plain build would not notice.

/// Parses one input and decodes every leaf of every reading, as the pipeline does.
@_cdecl("LLVMFuzzerTestOneInput")
public func mimeFuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let parsed = MIMEParser().parse(MessageBytes(Array(UnsafeBufferPointer(start: data, count: size))))
    var total = 0
    for leaf in parsed.leaves + parsed.alternativeLeaves {
        total &+= leaf.decode { _ in }.size
        total &+= leaf.filename?.utf8.count ?? 0
    }
    return total == -1 ? 1 : 0
}
