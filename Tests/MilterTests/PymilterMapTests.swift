import Foundation
import Testing

/// The DocC map from pymilter 1.0.5 to Swift names every public name of pymilter's `milter`
/// module, `Milter.Base`, its decorators, `Milter.utils` and `Milter.testctx` (issue 15, item 9).
@Suite("pymilter map")
struct PymilterMapTests {
    /// pymilter 1.0.5's names, from its miltermodule.c, Milter/__init__.py, utils.py and testctx.py.
    static let names = [
        // milter module functions
        "register", "set_flags", "set_connect_callback", "set_helo_callback", "set_envfrom_callback",
        "set_envrcpt_callback", "set_header_callback", "set_eoh_callback", "set_body_callback", "set_eom_callback",
        "set_abort_callback", "set_close_callback", "set_exception_policy", "opensocket", "main", "setdbg",
        "settimeout", "setbacklog", "setconn", "stop", "getdiag", "getversion", "getpriv", "setpriv",
        // milter module constants
        "error", "SUCCESS", "FAILURE", "VERSION", "ADDHDRS", "CHGBODY", "MODBODY", "ADDRCPT", "ADDRCPT_PAR", "DELRCPT",
        "CHGHDRS", "V1_ACTS", "V2_ACTS", "CURR_ACTS", "QUARANTINE", "CHGFROM", "SETSYMLIST", "M_CONNECT", "M_HELO",
        "M_ENVFROM", "M_ENVRCPT", "M_DATA", "M_EOM", "M_EOH", "P_RCPT_REJ", "P_NR_CONN", "P_NR_HELO", "P_NR_MAIL",
        "P_NR_RCPT", "P_NR_DATA", "P_NR_UNKN", "P_NR_EOH", "P_NR_BODY", "P_NR_HDR", "P_NOCONNECT", "P_NOHELO",
        "P_NOMAIL", "P_NORCPT", "P_NODATA", "P_NOUNKNOWN", "P_NOEOH", "P_NOBODY", "P_NOHDRS", "P_HDR_LEADSPC",
        "P_SKIP", "ALL_OPTS", "SKIP", "NOREPLY", "CONTINUE", "REJECT", "DISCARD", "ACCEPT", "TEMPFAIL",
        // milterContext methods
        "getsymval", "setreply", "addheader", "chgheader", "addrcpt", "delrcpt", "replacebody", "quarantine",
        "progress", "chgfrom", "setsymlist",
        // Milter package: decorators, helpers, Base
        "uniqueID", "decode_mask", "enable_protocols", "@rejected_recipients", "@header_leading_space", "@nocallback",
        "@noreply", "@decode", "@symlist", "DisabledAction", "Milter.Base", "Milter.Milter", "Milter.factory", "runmilter",
        "param2dict", "OPTIONAL_CALLBACKS", "MACRO_CALLBACKS", "negotiate_callback", "connect_callback",
        "close_callback", "envcallback", "dictfromlist", "Base.connect", "Base.hello", "Base.envfrom",
        "Base.envfrom_bytes", "Base.envrcpt", "Base.envrcpt_bytes", "Base.data", "Base.header", "Base.header_bytes",
        "Base.eoh", "Base.body", "Base.unknown", "Base.eom", "Base.abort", "Base.close", "Base.protocol_mask",
        "Base.negotiate", "Base.log", "Base._setctx",
        // Milter.utils
        "parse_addr", "parseaddr", "iniplist", "cidr", "addr2bin", "bin2long6", "inet_pton", "inet_ntop", "ip4re",
        "parse_header", "MASK",
        // Milter.testctx and Milter.test
        "TestCtx", "_negotiate", "_connect", "_helo", "_envfrom", "_envrcpt", "_data", "_header", "_eoh",
        "_feed_body", "_eom", "_abort", "_close", "_feedFile", "_feedMsg", "_body", "_setsymval", "Milter.test.TestBase",
        // modules out of scope
        "Milter.dsn", "Milter.greylist", "Milter.dns",
    ]

    @Test func everyPymilterNameHasARowInTheMap() throws {
        let checkout = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let map = try String(contentsOf: checkout.appendingPathComponent("Sources/Milter/Milter.docc/PymilterMap.md"), encoding: .utf8)
        // A name counts when a table row's first (pymilter) cell has it, or the out-of-scope
        // section names it.
        let firstCells = map.split(separator: "\n").filter { $0.hasPrefix("| ") }.map { $0.split(separator: "|").first ?? "" }
        let outOfScope = map.components(separatedBy: "## pymilter modules out of scope").last ?? ""
        let missing = Self.names.filter { name in
            !firstCells.contains { cell in
                cell.contains("`\(name)`") || cell.contains("`\(name)(") || cell.contains("`\(name) ")
            } && !outOfScope.contains("`\(name)`")
        }
        #expect(missing.isEmpty, "not in PymilterMap.md: \(missing)")
    }
}
