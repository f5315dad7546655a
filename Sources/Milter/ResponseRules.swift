public import Logging

/// Turns what a callback returned or threw into the code libmilter answers, for one connection.
///
/// Shared by the libmilter trampolines and MilterTesting, so tests see what the MTA would:
/// - an error is logged once and answered with the exception policy;
/// - a step negotiated as no-reply (`SMFIP_NR_*`) always answers `SMFIS_NOREPLY`, because the
///   MTA is not reading a reply; an error there is answered with the policy at the next step
///   that has a reply (end of headers or end of message) of the same message;
/// - `noReply` on a step that has a reply becomes `continue` (the MTA would wait forever);
/// - `skip` outside the body, or without `SMFIP_SKIP`, becomes `continue`;
/// - a response's SMTP reply is set through the context before the code is returned.
public struct ResponseRules: Sendable {
    /// What a throwing callback answers.
    public var policy: ExceptionPolicy
    /// Where errors and protocol slips are logged.
    public let logger: Logger
    /// A no-reply step failed and the policy is still owed.
    private var owedPolicyAnswer = false

    /// Creates the rules for one connection.
    public init(policy: ExceptionPolicy, logger: Logger) {
        self.policy = policy
        self.logger = logger
    }

    /// Runs `callback`'s body and returns the code to answer.
    public mutating func answer(
        _ callback: MilterCallback, context: any MilterContext, _ body: () throws -> MilterResponse
    ) -> ResponseCode {
        let noReply = context.negotiated.isNoReply(callback)
        if callback == .abort || callback == .close {
            owedPolicyAnswer = false
        } else if owedPolicyAnswer && !noReply {
            owedPolicyAnswer = false
            logger.debug("answering the exception policy owed by an earlier no-reply step",
                         metadata: ["milter.callback": "\(callback.cName)", "milter.policy": "\(policy)"])
            return policy.response.code
        }
        do {
            var response = try body()
            if noReply {
                if response.code != .continue && response.code != .noReply {
                    logger.warning("a no-reply step answered something other than continue; the MTA does not read it",
                                   metadata: ["milter.callback": "\(callback.cName)", "milter.response": "\(response)"])
                }
                return .noReply
            }
            if response.code == .noReply {
                response = .continue
            } else if response.code == .skip
                && !(callback == .body && context.negotiated.steps.contains(.skip)) {
                logger.debug("skip answered where it was not negotiated or not in the body; continuing",
                             metadata: ["milter.callback": "\(callback.cName)"])
                response = .continue
            }
            if let reply = response.reply {
                try context.setReply(reply)
            }
            return response.code
        } catch {
            logger.error("milter callback failed; answering the exception policy",
                         metadata: ["milter.callback": "\(callback.cName)", "milter.policy": "\(policy)",
                                    "error": "\(error)"])
            if noReply {
                owedPolicyAnswer = policy != .continue
                return .noReply
            }
            return policy.response.code
        }
    }
}
