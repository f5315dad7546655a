/// One parameter of a statement. Statements are always parameterised: values never become
/// part of the SQL text.
public enum PostgresValue: Sendable, Equatable {
    /// SQL NULL.
    case null
    /// Text, sent in text format (the server parses it as the parameter's type: `integer`,
    /// `double precision`, `text`, ...). PostgreSQL text cannot hold a NUL byte: one is refused
    /// with `.invalidParameter`, never cut off.
    case text(String)
    /// Bytes sent in binary format as `bytea`, never escaped or hex-encoded.
    case bytea([UInt8])

    /// An integer, as text.
    public static func int(_ value: Int) -> Self { .text(String(value)) }
    /// A double, as text (Swift prints the shortest text that reads back as the same double).
    public static func double(_ value: Double) -> Self { .text(value.description) }
    /// A boolean, as `t` or `f`.
    public static func bool(_ value: Bool) -> Self { .text(value ? "t" : "f") }
    /// An optional text: NULL when nil.
    public static func text(_ value: String?) -> Self { value.map(Self.text) ?? .null }

    /// A `text[]` parameter in PostgreSQL's array syntax, each element quoted
    /// (`{"a","b\"c"}`), for `= ANY($1::text[])`.
    public static func textArray(_ values: [String]) -> Self {
        let elements = values.map { value -> String in
            var quoted = "\""
            for character in value {
                if character == "\"" || character == "\\" { quoted.append("\\") }
                quoted.append(character)
            }
            return quoted + "\""
        }
        return .text("{" + elements.joined(separator: ",") + "}")
    }
}
