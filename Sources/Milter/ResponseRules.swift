public import Logging

/// Turns what a callback returned or threw into the code libmilter answers, for one connection.
///
/// Shared by the libmilter trampolines and MilterTesting, so tests see what the MTA would:
/// - an error is logged once and answered with the exception policy;
/// - a step negotiated as no-reply (`SMFIP_NR_*`) always answers `SMFIS_NOREPLY`, because the
///   MTA is not reading a reply; if it failed, or answered something other than `continue`,
///   that answer (the policy, or e.g. a reject) is given at the next step of the message that
///   has a reply (end of headers, a body chunk, end of message) instead of running it;
/// - `noReply` on a step that has a reply becomes `continue` (the MTA would wait forever);
/// - `skip` outside the body, or without `SMFIP_SKIP`, becomes `continue`;
/// - a response's SMTP reply is set through the context before the code is returned.
public struct ResponseRules: Sendable {
    /// What a throwing callback answers.
    public var policy: ExceptionPolicy
    /// Where errors and protocol slips are logged.
    public let logger: Logger
    /// What a no-reply step wanted to answer and could not, given at the next replied step.
    private var owedAnswer: MilterResponse?

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
            owedAnswer = nil
        } else if let owed = owedAnswer, !noReply {
            owedAnswer = nil
            logger.debug("giving the answer owed by an earlier no-reply step",
                         metadata: ["milter.callback": "\(callback.cName)", "milter.response": "\(owed)"])
            return deliver(owed, callback: callback, context: context, noReply: false)
        }
        let response: MilterResponse
        do {
            response = try body()
        } catch {
            logger.error("milter callback failed; answering the exception policy",
                         metadata: ["milter.callback": "\(callback.cName)", "milter.policy": "\(policy)",
                                    "error": "\(error)"])
            response = policy.response
        }
        return deliver(response, callback: callback, context: context, noReply: noReply)
    }

    private mutating func deliver(
        _ response: MilterResponse, callback: MilterCallback, context: any MilterContext, noReply: Bool
    ) -> ResponseCode {
        if noReply {
            if response.code != .continue && response.code != .noReply {
                logger.notice("a no-reply step answered something other than continue; answering it at the next step with a reply",
                              metadata: ["milter.callback": "\(callback.cName)", "milter.response": "\(response)"])
                if owedAnswer == nil { owedAnswer = response }
            }
            return .noReply
        }
        var response = response
        if response.code == .noReply {
            response = .continue
        } else if response.code == .skip && !(callback == .body && context.negotiated.steps.contains(.skip)) {
            logger.debug("skip answered where it was not negotiated or not in the body; continuing",
                         metadata: ["milter.callback": "\(callback.cName)"])
            response = .continue
        }
        if let reply = response.reply {
            do {
                try context.setReply(reply)
            } catch {
                logger.error("setting the SMTP reply failed; answering the exception policy",
                             metadata: ["milter.callback": "\(callback.cName)", "error": "\(error)"])
                return policy.response.code
            }
        }
        return response.code
    }
}
