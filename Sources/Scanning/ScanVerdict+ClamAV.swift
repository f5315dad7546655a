import ClamAV

extension ScanVerdict {
    /// The verdict for what libclamav returned.
    ///
    /// libclamav reports "could not look" through heuristic names when its alerts are on: a limit
    /// hit as `Heuristics.Limits.Exceeded.*` (AlertExceedsMax), an encrypted container as
    /// `Heuristics.Encrypted.*`. Those alone make the content unscannable; any other name, next to
    /// them or not, makes it infected, with every name kept.
    init(_ result: ScanResult) {
        switch result {
        case .clean:
            self = .clean
        case .matched(let names):
            let limits = names.filter { $0.hasPrefix("Heuristics.Limits.Exceeded") }
            let encrypted = names.filter { $0.hasPrefix("Heuristics.Encrypted") }
            if limits.count + encrypted.count < names.count {
                self = .infected(names)
            } else if let first = limits.first {
                // MaxScanTime depends on the machine's load, so a retry may pass: a timeout, not
                // one of the fixed limits a retry cannot change.
                let code: UnscannableReason.Code = first.contains("MaxScanTime") ? .timeout : .limitExceeded
                self = .unscannable(UnscannableReason(code, first))
            } else {
                self = .unscannable(UnscannableReason(.encrypted, encrypted.joined(separator: ", ")))
            }
        case .failed(let error):
            let code: UnscannableReason.Code = error.code == .timeout ? .timeout : .engineError
            self = .unscannable(UnscannableReason(code, error.description))
        }
    }
}
