using Gateway.Diagnostics;
using Gateway.Protocol.Closing;
using Gateway.Relay;
using Microsoft.Extensions.Logging;

namespace Gateway.Upgrade;

/// Step 11: the access log line and the end-of-session metrics of one finished session.
public static class AccessLog
{
    /// RFC 6455 7.1.5 and 7.4.1: 1006 is never sent, it is how a connection closed without a Close is reported.
    private const ushort Abnormal = 1006;

    public static void SessionEnded(ILogger logger, GatewayMetrics metrics, string route, string client, string upstream,
        string? subprotocol, RelayResult result)
    {
        metrics.SessionDuration(route, result.Duration);
        metrics.Close(route, "client", result.ClosedToClient?.Code);
        metrics.Close(route, "upstream", result.ClosedToUpstream?.Code);
        Log.SessionEnded(logger, route, client, upstream, subprotocol ?? "-", (long)result.Duration.TotalMilliseconds,
            result.ClientToUpstream.Messages, result.ClientToUpstream.Bytes,
            result.UpstreamToClient.Messages, result.UpstreamToClient.Bytes,
            CloseCode(result), ClosedBy(result), result.EndedBy.ToString(), result.EndedOn.ToString(),
            result.ClosedToClient?.ToString() ?? "-", result.ClosedToUpstream?.ToString() ?? "-");
    }

    /// The code of the Close that ended the session: the peer's own, or the one the gateway sent (to the client
    /// when it can still hear it), or 1006 for a peer that vanished without a Close.
    public static int CloseCode(RelayResult result) => result.EndedBy switch
    {
        RelayEventKind.PeerClosed when result.EndedOn == Side.Client => result.ClosedToUpstream?.Code ?? CloseCodes.NoStatusReceived,
        RelayEventKind.PeerClosed => result.ClosedToClient?.Code ?? CloseCodes.NoStatusReceived,
        RelayEventKind.PeerGone => Abnormal,
        _ => result.ClosedToClient?.Code ?? result.ClosedToUpstream?.Code ?? Abnormal,
    };

    /// Who ended it: a peer that closed or vanished, or the gateway (a violation, a timeout, a drain or a reload).
    public static string ClosedBy(RelayResult result) => result.EndedBy switch
    {
        RelayEventKind.PeerClosed or RelayEventKind.PeerGone => result.EndedOn == Side.Client ? "client" : "upstream",
        _ => "gateway",
    };
}
