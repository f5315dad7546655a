@testable import ScanmilterConfiguration
import Testing

@Suite struct TOMLParserTests {
    @Test func parsesTheValueKindsAConfigUses() throws {
        let table = try TOMLParser.parse("""
            # comment
            name = "a \\"quoted\\" \\u00e9"   # trailing comment
            path = 'C:\\raw'
            count = 1_000
            hex = 0xff
            ratio = 0.5
            on = true
            list = [
              "a",  # inside
              "b",
            ]
            [section.sub]
            key = { inner = 1, other = "x" }
            text = \"\"\"
            line one
            line two\"\"\"
            """)
        #expect(table["name"]?.kind == .string("a \"quoted\" é"))
        #expect(table["path"]?.kind == .string("C:\\raw"))
        #expect(table["count"]?.kind == .integer(1000))
        #expect(table["hex"]?.kind == .integer(255))
        #expect(table["ratio"]?.kind == .float(0.5))
        #expect(table["on"]?.kind == .boolean(true))
        #expect(table["list"]?.line == 8)
        guard case .array(let items)? = table["list"]?.kind else {
            Issue.record("list is not an array")
            return
        }
        #expect(items.map(\.kind) == [.string("a"), .string("b")])
        guard case .table(let section)? = table["section"]?.kind, case .table(let sub)? = section["sub"]?.kind else {
            Issue.record("section.sub is not a table")
            return
        }
        #expect(sub["text"]?.kind == .string("line one\nline two"))
        #expect(sub["key"]?.line == 13)
    }

    @Test(arguments: [
        ("a = 1\nb = \n", 2, "expected a value"),
        ("a = \"open\n", 1, "not closed"),
        ("[s]\nx = 1\n[s]\n", 3, "defined twice"),
        ("a = 1\na = 2\n", 2, "defined twice"),
        ("a = hello\n", 1, "strings need quotes"),
        ("a = [1, 2\n", 2, "not closed"),
        ("a = 1 b = 2\n", 1, "one key = value per line"),
        ("a = \"\\q\"\n", 1, "unknown escape"),
        ("a = 007\n", 1, "not a valid value"),
    ])
    func syntaxErrorsNameTheirLine(text: String, line: Int, fragment: String) {
        #expect {
            _ = try TOMLParser.parse(text)
        } throws: { error in
            guard let error = error as? TOMLSyntaxError else { return false }
            return error.line == line && error.message.contains(fragment)
        }
    }

    @Test func arraysOfTablesCollectTheirElements() throws {
        let table = try TOMLParser.parse("[[server]]\nname = \"a\"\n[[server]]\nname = \"b\"\n")
        guard case .array(let servers)? = table["server"]?.kind else {
            Issue.record("server is not an array")
            return
        }
        #expect(servers.count == 2)
    }

    @Test func eachArrayOfTablesElementHasItsOwnSubTables() throws {
        let text = "[[o]]\nname = \"a\"\n[o.actions]\nbanned = \"tag\"\n[[o]]\nname = \"b\"\n[o.actions]\nbanned = \"reject\"\n"
        let table = try TOMLParser.parse(text)
        guard case .array(let items)? = table["o"]?.kind, items.count == 2,
              case .table(let first) = items[0].kind, case .table(let second) = items[1].kind,
              case .table(let firstActions)? = first["actions"]?.kind, case .table(let secondActions)? = second["actions"]?.kind
        else {
            Issue.record("not two elements with their own actions: \(table)")
            return
        }
        #expect(firstActions["banned"]?.kind == .string("tag"))
        #expect(secondActions["banned"]?.kind == .string("reject"))
        #expect(secondActions["banned"]?.line == 8)
        // Within one element a sub-table is still defined once.
        #expect(throws: TOMLSyntaxError.self) { _ = try TOMLParser.parse("[[o]]\n[o.actions]\n[o.actions]\n") }
    }

    @Test func hostileInputFailsCleanly() {
        for text in ["[", "[[", "a", "a =", "\"", "'''", "a = {", "a = [[[[", "= 1", "a.b.c.=1", "\u{0}"] {
            #expect(throws: TOMLSyntaxError.self) { _ = try TOMLParser.parse(text) }
        }
    }
}
