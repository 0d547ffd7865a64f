using Gateway.Protocol;

namespace Gateway.Relay;

public enum RelayEventKind
{
    /// A peer sent a valid Close.
    PeerClosed,
    /// A peer broke RFC 6455 or a limit; Error says how.
    Violation,
    /// A peer's TCP connection ended without a Close.
    PeerGone,
    /// A peer did not answer the gateway's ping within ping_interval.
    PeerSilent,
    /// No data frame either way for idle_timeout.
    IdleTimeout,
    /// The gateway is shutting down.
    Draining,
    /// The gateway is restarting or the session's route was removed by a reload.
    Restarting,
}

/// Something that ends a session, and on which side it happened.
public readonly record struct RelayEvent(RelayEventKind Kind, Side Side, ProtocolError? Error = null, ClosingFrame? Close = null);
