import Foundation

/// Small files that trip libclamav's heuristics, made by the tests (or taken from Debian's
/// clamav-testfiles, which scripts/install-deps.sh installs).
enum Samples {
    /// Runs a tool and fails the test with its output if it does not exit 0.
    static func run(_ tool: String, _ arguments: [String], in directory: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.currentDirectoryURL = directory
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw SampleError(message: "\(tool) \(arguments): \(String(decoding: output, as: UTF8.self))")
        }
    }

    /// A zip of `name` holding `contents`, optionally encrypted with `password` (`zip -P`).
    static func zip(_ contents: [UInt8], name: String = "eicar.com", password: String? = nil, in directory: URL) throws -> [UInt8] {
        let work = directory.appendingPathComponent("zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        try Data(contents).write(to: work.appendingPathComponent(name))
        try run("zip", ["-q"] + (password.map { ["-P", $0] } ?? []) + ["out.zip", name], in: work)
        return Array(try Data(contentsOf: work.appendingPathComponent("out.zip")))
    }

    /// A zip of `count` files of pseudo-random bytes: slow enough to scan to pass a 1 ms limit.
    static func zipOfMany(_ count: Int, in directory: URL) throws -> [UInt8] {
        let work = directory.appendingPathComponent("zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        for index in 0..<count {
            let bytes = (0..<10_000).map { _ -> UInt8 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return UInt8(truncatingIfNeeded: state >> 56)
            }
            try Data(bytes).write(to: work.appendingPathComponent("f\(index).bin"))
        }
        try run("zip", ["-q", "-r", "out.zip", "."], in: work)
        return Array(try Data(contentsOf: work.appendingPathComponent("out.zip")))
    }

    /// ClamAV's harmless test executable `clam.exe` with its section count set to zero, which
    /// libclamav calls a broken executable.
    static func brokenExecutable() throws -> [UInt8] {
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: "/usr/share/clamav-testfiles/clam.exe")))
        // e_lfanew (offset 0x3c) locates the PE header; NumberOfSections is 6 bytes into it.
        let pe = Int(bytes[0x3c]) | Int(bytes[0x3d]) << 8
        bytes[pe + 6] = 0
        bytes[pe + 7] = 0
        return bytes
    }

    /// A one-page PDF whose trailer names an /Encrypt dictionary (standard security handler).
    static func encryptedPDF() -> [UInt8] {
        let zeros = String(repeating: "00", count: 32)
        let objects = [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
            "<< /Filter /Standard /V 1 /R 2 /O <\(zeros)> /U <\(zeros)> /P -4 >>",
        ]
        var pdf = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(pdf.utf8.count)
            pdf += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = pdf.utf8.count
        pdf += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { pdf += String(format: "%010d 00000 n \n", offset) }
        let id = "<0123456789abcdef0123456789abcdef>"
        pdf += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R /Encrypt 4 0 R /ID [\(id)\(id)] >>\n"
        pdf += "startxref\n\(xref)\n%%EOF\n"
        return Array(pdf.utf8)
    }

    /// A 4 MiB raw disk image whose MBR lists two overlapping partitions.
    static func overlappingPartitions() -> [UInt8] {
        var image = [UInt8](repeating: 0, count: 4 << 20)
        // Partition entries at 446 and 462: status, CHS, type, CHS, first LBA, sector count.
        func entry(at offset: Int, firstSector: UInt32, sectors: UInt32) {
            image[offset + 4] = 0x83
            withUnsafeBytes(of: firstSector.littleEndian) { image.replaceSubrange(offset + 8..<offset + 12, with: $0) }
            withUnsafeBytes(of: sectors.littleEndian) { image.replaceSubrange(offset + 12..<offset + 16, with: $0) }
        }
        entry(at: 446, firstSector: 1, sectors: 4000)
        entry(at: 462, firstSector: 2000, sectors: 4000)
        image[510] = 0x55
        image[511] = 0xAA
        return image
    }

    /// Text with four valid test credit card numbers (libclamav's default minimum is three).
    static let creditCards = Array(
        "Card numbers: 4111111111111111, 5500000000000004, 340000000000009 and 4012888888881881.\n".utf8)

    /// A message whose HTML link shows an https URL of a listed bank domain but points elsewhere.
    static let phishingMessage = Array("""
        From: a@example.org\r
        To: b@example.org\r
        Subject: account\r
        MIME-Version: 1.0\r
        Content-Type: text/html; charset=us-ascii\r
        \r
        <html><body><a href="http://evil.example.net/login">https://www.mybank.example.com/login</a></body></html>\r

        """.utf8)

    /// A phishing database entry (`.pdb`) that protects the domain `phishingMessage` imitates.
    static let phishingDatabase = "H:mybank.example.com\n"

    /// Failure to make a sample.
    struct SampleError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
