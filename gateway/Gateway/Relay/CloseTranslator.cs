using Gateway.Protocol.Closing;

namespace Gateway.Relay;

/// The closes to send when a session ends. ToClient/ToUpstream null: send nothing to that leg (it is gone, or its
/// Close comes from the other peer). RelayUpstreamReply: the client's Close is answered with the upstream's reply.
public readonly record struct ClosePlan(ClosingFrame? ToClient, ClosingFrame? ToUpstream, bool RelayUpstreamReply = false);

/// The one place that decides close codes: contract section 4, row by row. The gateway is the endpoint of both legs,
/// so a failure on one leg is a protocol error there and "going away" (or 1014, bad gateway) on the other.
public static class CloseTranslator
{
    public static ClosePlan Translate(in RelayEvent e) => e.Kind switch
    {
        // A valid Close is relayed with the same code and reason; the client gets the upstream's reply.
        RelayEventKind.PeerClosed when e.Side == Side.Client => new(null, e.Close, RelayUpstreamReply: true),
        // RFC 6455 5.5.1: the gateway answers the upstream's Close itself, echoing its status code.
        RelayEventKind.PeerClosed => new(e.Close, e.Close is { Code: CloseCodes.NoStatusReceived }
            ? ClosingFrame.Empty : ClosingFrame.Create(e.Close!.Code, "")),
        RelayEventKind.Violation when e.Side == Side.Client => new(
            ClosingFrame.Create(e.Error!.CloseCode, e.Error.Message),
            ClosingFrame.Create(CloseCodes.GoingAway, "client error: " + e.Error.Message)),
        RelayEventKind.Violation => new(
            ClosingFrame.Create(CloseCodes.BadGateway, "upstream error: " + e.Error!.Message),
            ClosingFrame.Create(e.Error.CloseCode, e.Error.Message)),
        RelayEventKind.PeerGone when e.Side == Side.Client => new(null, ClosingFrame.Create(CloseCodes.GoingAway, "client went away")),
        RelayEventKind.PeerGone => new(ClosingFrame.Create(CloseCodes.BadGateway, "upstream went away"), null),
        RelayEventKind.PeerSilent when e.Side == Side.Client => new(
            ClosingFrame.Create(CloseCodes.GoingAway, "ping timeout"),
            ClosingFrame.Create(CloseCodes.GoingAway, "client ping timeout")),
        RelayEventKind.PeerSilent => new(
            ClosingFrame.Create(CloseCodes.BadGateway, "upstream ping timeout"),
            ClosingFrame.Create(CloseCodes.GoingAway, "ping timeout")),
        RelayEventKind.IdleTimeout => Both(CloseCodes.GoingAway, "idle timeout"),
        RelayEventKind.Draining => Both(CloseCodes.GoingAway, "gateway shutting down"),
        RelayEventKind.Restarting => new(
            ClosingFrame.Create(CloseCodes.ServiceRestart, "gateway restarting"),
            ClosingFrame.Create(CloseCodes.GoingAway, "gateway restarting")),
        _ => throw new ArgumentOutOfRangeException(nameof(e), e.Kind, "unknown relay event"),
    };

    private static ClosePlan Both(ushort code, string reason)
    {
        var frame = ClosingFrame.Create(code, reason);
        return new(frame, frame);
    }
}
