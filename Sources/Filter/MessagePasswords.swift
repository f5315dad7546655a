import Archives
import MIME

/// The passwords one message gives, read from its text when the first encrypted archive needs
/// them (most mail has none), and the work left for trying them.
struct MessagePasswords {
    /// The message they come from.
    let message: ParsedMessage
    /// What is left of the message's budget of tries and bytes.
    var budget: ArchiveInspector.PasswordBudget
    private var found: [String]?

    init(message: ParsedMessage, budget: ArchiveInspector.PasswordBudget) {
        self.message = message
        self.budget = budget
    }

    /// The candidates, at most `limit`, found on first use.
    mutating func candidates(limit: Int) -> [String] {
        if let found { return found }
        let extracted = PasswordCandidates.extract(from: PasswordCandidates.texts(of: message), limit: limit)
        found = extracted
        return extracted
    }
}
