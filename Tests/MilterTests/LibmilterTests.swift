import Logging
import Milter
import Testing

@Suite("Libmilter process-wide API")
struct LibmilterTests {
    @Test func versionsAreReported() {
        #expect(Libmilter.compileTimeVersion == LibmilterVersion(major: 1, minor: 0, patchLevel: 1))
        #expect(Libmilter.runtimeVersion >= LibmilterVersion(major: 1, minor: 0, patchLevel: 0))
        #expect(LibmilterVersion(encoded: 0x0100_0002).description == "1.0.2")
    }

    @Test func diagnosticsStartAtZeroWithoutConnections() {
        let diagnostics = Libmilter.diagnostics
        #expect(diagnostics.contextsCreated == diagnostics.contextsDeleted)
        #expect(diagnostics.open == 0)
    }

    @Test func badArgumentsAreRefusedBeforeLibmilter() {
        #expect(throws: MilterError.self) { try Libmilter.setTimeout(seconds: 0) }
        #expect(throws: MilterError.self) { try Libmilter.setBacklog(-1) }
        #expect(throws: MilterError.self) { try Libmilter.openSocket(removeStale: true) }
    }

    @Test func aFilterNameNoReplyCanCarryIsRefusedBeforeLibmilter() {
        // The exception policy's reply names the filter; a line break would break the reply.
        #expect(throws: MilterError.invalidArgument(
            function: "smfi_register", reason: "the filter name \"bad\r\nname\" cannot appear in an SMTP reply")) {
            try Libmilter.register(name: "bad\r\nname", callbacks: MilterCallbacks<Int> { _ in 0 }, logger: Logger(label: "test"))
        }
    }

    @Test func responseCodesMatchLibmilter() {
        #expect(ResponseCode.allCases.map(\.rawValue) == [0, 1, 2, 3, 4, 7, 8])
        #expect(MacroStage.allCases.map(\.rawValue) == Array(0...6))
    }
}
