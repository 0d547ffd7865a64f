namespace Gateway.LoadTool.Soak;

/// How a soak session ended. The first three are what the tool asked for; the rest are the gateway's doing.
internal enum SessionEnd
{
    /// The client's Close (1000) was answered with a Close: every message must have come back before it.
    ClosedNormally,
    /// Chaos: the client's TCP connection was reset without a close handshake (perhaps in the middle of a frame).
    ClientAborted,
    /// Chaos: the upstream reset its connection; the gateway should close the client leg with 1014.
    UpstreamReset,
    /// The client sent its Close but no Close came back in time.
    CloseTimedOut,
    /// The gateway closed a session nobody touched (the code says why).
    ClosedByGateway,
    /// The connection failed or the gateway broke the protocol, unasked.
    Failed,
}

/// One finished session: what was sent and what came back. Lost: sent but never echoed; Reordered: echoes that
/// arrived after a later one; Duplicated: a sequence number echoed twice; Corrupted: an echo that is not exactly a
/// message this session sent.
internal sealed record SessionResult(int Id, SessionEnd End, long Sent, long Echoed, long Duplicated, long Reordered,
    long Corrupted, int CloseCode, string? Error)
{
    public long Lost => Sent - Echoed;

    public bool Clean => Lost == 0 && Duplicated == 0 && Reordered == 0 && Corrupted == 0;
}
