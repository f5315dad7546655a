import ArgumentParser

/// A duration on the command line: `90` (seconds), `90s`, `30m`, `6h`, `1d`, or a sum such as
/// `1h30m`.
struct UpdateInterval: ExpressibleByArgument, Equatable {
    /// The duration in seconds.
    var seconds: Int

    /// The shortest interval `--every` accepts: mirrors throttle clients that poll faster.
    static let minimum = 60

    init(seconds: Int) { self.seconds = seconds }

    init?(argument: String) {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var total = 0
        var number = ""
        for character in argument.lowercased() {
            if character.isASCII && character.isNumber {
                number.append(character)
            } else if let unit = units[character], let value = Int(number) {
                let (product, overflow) = value.multipliedReportingOverflow(by: unit)
                guard !overflow else { return nil }
                total += product
                number = ""
            } else {
                return nil
            }
        }
        if !number.isEmpty {
            guard let value = Int(number) else { return nil }
            total += value
        }
        guard total > 0, !argument.isEmpty else { return nil }
        seconds = total
    }
}
