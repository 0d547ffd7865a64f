namespace Gateway.Relay;

/// How a session ended, for the access log and metrics.
public sealed record RelayResult(
    RelayEventKind EndedBy,
    Side EndedOn,
    ClosingFrame? ClosedToClient,
    ClosingFrame? ClosedToUpstream,
    DirectionCounters ClientToUpstream,
    DirectionCounters UpstreamToClient,
    TimeSpan Duration);
