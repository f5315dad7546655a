/// Everything a milter answered at end of message: its final response and every modification.
public struct MilterEndOfMessageResult: Sendable, Hashable {
    /// The final answer (continue and accept both let the message through).
    public var response: MilterResponse
    /// Every modification in the order the milter asked for it, `.progress` included; the
    /// replacement body chunks are concatenated into one `.replaceBody` where the first arrived.
    public var modifications: [MilterModification]

    /// Creates a result.
    public init(response: MilterResponse, modifications: [MilterModification] = []) {
        self.response = response
        self.modifications = modifications
    }

    /// The replacement body, when the milter replaced it.
    public var replacedBody: [UInt8]? {
        for case .replaceBody(let body) in modifications {
            return body
        }
        return nil
    }

    /// How many times the milter asked for more time.
    public var progressCount: Int {
        modifications.count { $0 == .progress }
    }
}
