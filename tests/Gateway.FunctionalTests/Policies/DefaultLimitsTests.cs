using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Frames;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Policies;

/// Issue 23: the defaults must not refuse ordinary heavy traffic. With no limits configured, a 16 MiB message (one
/// frame, as npm ws and browsers send it) and 1,000 messages back to back go through; only a client over the
/// default burst of 2,000 is closed with 1008. A route that sets only max_message_size gets it as its frame limit.
public sealed class DefaultLimitsTests(NodeEchoUpstream upstream) : IClassFixture<NodeEchoUpstream>
{
    private static readonly byte[] Key = [5, 6, 7, 8];

    [Theory]
    [InlineData("16777216", 2)] // 16 MiB, text and binary, each one frame
    [InlineData("1000 messages", 1000)] // 500 sizes, text and binary: 1,000 messages sent back to back
    public async Task Npm_ws_traffic_passes_the_default_limits(string what, int messages)
    {
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address);
        var url = new Uri(gateway.Ws, "/ws/node").ToString();
        string sizes = messages == 2 ? what : string.Join(",", Enumerable.Range(0, messages / 2).Select(i => (i % 7 * 10).ToString(System.Globalization.CultureInfo.InvariantCulture)));

        var (exit, output, error) = await NodePeer.RunAsync(TimeSpan.FromSeconds(60), "echo-client.js", url, "--sizes", sizes);

        Assert.True(exit == 0, $"echo-client failed: {output} {error}");
        using var result = JsonDocument.Parse(output);
        Assert.True(result.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(messages, result.RootElement.GetProperty("messages").GetInt32());
        Assert.Equal(1000, result.RootElement.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task A_client_over_the_default_burst_of_2000_gets_1008()
    {
        await using var pair = await SessionPair.OpenAsync();
        var burst = RawFrame.Concat([.. Enumerable.Range(0, 2600).Select(_ => RawFrame.Build(true, 0x1, "m"u8, Key))]);

        await pair.Client.SendAsync(burst);

        Assert.Equal(1008, (await pair.Client.ReadUntilCloseAsync())!.CloseCode);
    }

    [Fact]
    public async Task A_route_with_only_max_message_size_has_it_as_its_frame_limit()
    {
        await using var pair = await SessionPair.OpenAsync("limits: { max_message_size: 64KiB }");

        await pair.Client.SendAsync(RawFrame.Build(true, 0x2, new byte[64 * 1024], Key));
        long relayed = 0;
        while (true)
        {
            var piece = await pair.UpstreamSide.ReadFrameAsync();
            relayed += piece!.Payload.Length;
            if (piece.Fin)
            {
                break;
            }
        }

        Assert.Equal(64 * 1024, relayed);
        await pair.Client.SendAsync(RawFrame.Build(true, 0x2, new byte[65 * 1024], Key)[..16]); // the header decides
        var close = await pair.Client.ReadUntilCloseAsync();
        Assert.Equal(1009, close!.CloseCode);
        // The frame limit refused it (with the old 1 MiB frame default only the message limit could).
        Assert.Contains("frame exceeds the maximum frame size", close.CloseReason);
    }
}
