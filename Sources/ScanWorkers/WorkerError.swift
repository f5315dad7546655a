public import ErrorCodes

/// Marks scan worker errors.
public enum WorkerFailure {}

/// A failure between the milter and its scan processes.
public typealias WorkerError = CodedError<WorkerFailure>

extension WorkerError.Code {
    /// The other end closed: the process exited or was killed.
    public static var closed: Self { Self("closed") }
    /// No answer before the deadline.
    public static var timeout: Self { Self("timeout") }
    /// A socket, memfd or process call failed.
    public static var io: Self { Self("i/o") }
    /// A message that is not the protocol.
    public static var protocolViolation: Self { Self("protocol") }
    /// The zygote could not load the signatures, or start.
    public static var engine: Self { Self("engine") }
}
