using Gateway.Diagnostics;
using Gateway.Relay;
using Gateway.Upgrade;

namespace Gateway.Tests.Upgrade;

public sealed class AccessLogTests
{
    private static RelayResult Result(RelayEventKind kind, Side side, ClosingFrame? toClient, ClosingFrame? toUpstream) =>
        new(kind, side, toClient, toUpstream, new DirectionCounters(), new DirectionCounters(), TimeSpan.Zero);

    public static TheoryData<RelayEventKind, Side, ushort?, ushort?, int, string> Rows => new()
    {
        // The client closed with 4000: that is the code; the gateway relayed the upstream's reply to the client.
        { RelayEventKind.PeerClosed, Side.Client, 4001, 4000, 4000, "client" },
        { RelayEventKind.PeerClosed, Side.Upstream, 3000, 3000, 3000, "upstream" },
        // RFC 6455 7.1.5: a connection lost without a Close is reported as 1006.
        { RelayEventKind.PeerGone, Side.Client, null, 1001, 1006, "client" },
        { RelayEventKind.PeerGone, Side.Upstream, 1014, null, 1006, "upstream" },
        { RelayEventKind.Violation, Side.Client, 1002, 1001, 1002, "gateway" },
        { RelayEventKind.Draining, Side.Client, 1001, 1001, 1001, "gateway" },
        { RelayEventKind.Restarting, Side.Client, 1012, 1001, 1012, "gateway" },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Close_code_and_who_closed(RelayEventKind kind, Side side, ushort? toClient, ushort? toUpstream, int code, string closedBy)
    {
        var result = Result(kind, side,
            toClient is { } c ? ClosingFrame.Create(c, "") : null,
            toUpstream is { } u ? ClosingFrame.Create(u, "") : null);

        Assert.Equal(code, AccessLog.CloseCode(result));
        Assert.Equal(closedBy, AccessLog.ClosedBy(result));
    }
}
