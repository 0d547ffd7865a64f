using Gateway.Protocol;

namespace Gateway.Relay;

internal enum PumpExitKind
{
    /// The peer sent a valid Close (Close holds it).
    PeerClosed,
    /// The peer broke the protocol or a limit (Error holds it).
    Violation,
    /// The peer's stream ended without a Close.
    PeerGone,
    /// The session stopped the pump (close timeout or teardown).
    Stopped,
}

internal readonly record struct PumpExit(PumpExitKind Kind, ClosingFrame? Close = null, ProtocolError? Error = null);
