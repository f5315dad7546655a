public import Logging

/// Turns what a callback returned or threw into the code libmilter answers, for one connection.
///
/// Shared by the libmilter trampolines and MilterTesting, so tests see what the MTA would:
/// - an error is logged once and answered with the exception policy and its reply naming the
///   milter and the callback (``ExceptionPolicy/response(milterName:callback:)``);
/// - a step negotiated as no-reply (`SMFIP_NR_*`) always answers `SMFIS_NOREPLY`, because the
///   MTA is not reading a reply; if it failed, or answered something other than `continue`,
///   that answer (the policy, or e.g. a reject) is given at the next step that has a reply
///   (end of headers, a body chunk, end of message always has one) instead of running it. An
///   answer owed by connect or HELO outlives an aborted message. One the MTA can no longer
///   receive (the message was aborted, or the connection closed, first) is logged as an error
///   naming the step: it is never dropped silently;
/// - `noReply` on a step that has a reply becomes `continue` (the MTA would wait forever);
/// - `skip` outside the body, or without `SMFIP_SKIP`, becomes `continue`;
/// - a response's SMTP reply is set through the context before the code is returned.
public struct ResponseRules: Sendable {
    /// What a throwing callback answers.
    public var policy: ExceptionPolicy
    /// Where errors and protocol slips are logged.
    public let logger: Logger
    /// The milter's name, as the exception policy's reply gives it.
    public let milterName: String
    /// What a no-reply step wanted to answer and could not, given at the next replied step.
    private var owedAnswer: MilterResponse?
    /// The no-reply step that owes ``owedAnswer``.
    private var owedBy: MilterCallback?

    /// Creates the rules for one connection of the milter called `milterName`.
    public init(policy: ExceptionPolicy, logger: Logger, milterName: String) {
        self.policy = policy
        self.logger = logger
        self.milterName = milterName
    }

    /// Runs `callback`'s body and returns the code to answer.
    public mutating func answer(
        _ callback: MilterCallback, context: any MilterContext, _ body: () throws -> MilterResponse
    ) -> ResponseCode {
        let noReply = context.negotiated.isNoReply(callback)
        if callback == .abort || callback == .close {
            dropOwedAnswer(at: callback)
        } else if let owed = owedAnswer, !noReply {
            owedAnswer = nil
            owedBy = nil
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
            response = policy.response(milterName: milterName, callback: callback)
        }
        return deliver(response, callback: callback, context: context, noReply: noReply)
    }

    /// At abort or close: an answer owed by a message step can no longer reach the MTA, and
    /// at close neither can one owed by connect or HELO. Say so loudly.
    private mutating func dropOwedAnswer(at callback: MilterCallback) {
        guard let owed = owedAnswer, let step = owedBy else { return }
        if callback == .abort && (step == .connect || step == .helo) { return }
        logger.error("the answer of a no-reply step never reached the MTA: the message or connection ended before a step with a reply",
                     metadata: ["milter.callback": "\(step.cName)", "milter.response": "\(owed)",
                                "milter.ended_by": "\(callback.cName)"])
        owedAnswer = nil
        owedBy = nil
    }

    private mutating func deliver(
        _ response: MilterResponse, callback: MilterCallback, context: any MilterContext, noReply: Bool
    ) -> ResponseCode {
        if noReply {
            if response.code != .continue && response.code != .noReply {
                logger.notice("a no-reply step answered something other than continue; answering it at the next step with a reply",
                              metadata: ["milter.callback": "\(callback.cName)", "milter.response": "\(response)"])
                if owedAnswer == nil {
                    owedAnswer = response
                    owedBy = callback
                }
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
