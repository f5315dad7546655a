extension SocketSpec {
    /// Whether this process holds a listening socket bound to this spec: libmilter's listener,
    /// which it does not expose, is still open (for a watchdog's liveness check).
    public var isListeningInThisProcess: Bool {
        !ListeningSocket.find(self).isEmpty
    }
}
