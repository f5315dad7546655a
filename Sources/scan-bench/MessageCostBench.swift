import Foundation

/// The clean-mail cost of MessageScanner against one whole-message scan (needs the MIME parser).
enum MessageCostBench {
    static func run(database: String, files: [URL], runs: Int) throws {
    }
}
