/// Sizes and durations as administrators write them: `25MB`, `512 KiB`, `30s`, `7d`.
enum Units {
    /// Bytes from an integer or a string with a unit (B, K/KB/KiB, M/MB/MiB, G/GB/GiB; all
    /// binary multiples, as ClamAV's own configuration reads them).
    static func byteSize(_ text: String) -> Int? {
        let (number, unit) = split(text)
        guard let value = Int(number), value >= 0 else { return nil }
        let multiplier: Int
        switch unit.lowercased() {
        case "", "b": multiplier = 1
        case "k", "kb", "kib": multiplier = 1 << 10
        case "m", "mb", "mib": multiplier = 1 << 20
        case "g", "gb", "gib": multiplier = 1 << 30
        default: return nil
        }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }

    /// Seconds from an integer or a string with a unit (ms, s, m, h, d, w); `1h30m` works too.
    static func seconds(_ text: String) -> Double? {
        var rest = Substring(text.trimmingSpaces())
        guard !rest.isEmpty else { return nil }
        if let plain = Double(rest) { return plain >= 0 ? plain : nil }
        var total = 0.0
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isNumber || $0 == "." }
            guard let value = Double(digits) else { return nil }
            rest = rest.dropFirst(digits.count).drop { $0 == " " }
            let unit = rest.prefix { $0.isLetter }
            rest = rest.dropFirst(unit.count).drop { $0 == " " }
            switch unit.lowercased() {
            case "ms": total += value / 1000
            case "s", "sec", "second", "seconds": total += value
            case "m", "min", "minute", "minutes": total += value * 60
            case "h", "hour", "hours": total += value * 3600
            case "d", "day", "days": total += value * 86400
            case "w", "week", "weeks": total += value * 7 * 86400
            default: return nil
            }
        }
        return total
    }

    private static func split(_ text: String) -> (Substring, Substring) {
        let trimmed = Substring(text.trimmingSpaces())
        let number = trimmed.prefix { $0.isNumber }
        let unit = trimmed.dropFirst(number.count).drop { $0 == " " }
        return (number, unit)
    }
}

extension String {
    func trimmingSpaces() -> String {
        String(self.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
