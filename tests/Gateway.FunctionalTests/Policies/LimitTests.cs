using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Policies;

/// Limits (contract sections 3 and 4): handshakes per address (429), connections per route and per address (503),
/// both with Retry-After, and messages per connection (close 1008 to the client, 1001 upstream).
public sealed class LimitTests(PolicyGatewayFixture fixture) : IClassFixture<PolicyGatewayFixture>
{
    [Fact]
    public async Task Handshakes_over_the_burst_get_429_with_retry_after()
    {
        await Refusals.AdmittedAsync(fixture, () => fixture.ConnectAsync("/rate/x"));
        await Refusals.AdmittedAsync(fixture, () => fixture.ConnectAsync("/rate/x"));

        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync("/rate/x"), 429, "too many handshakes from this address");
        await using var response = await fixture.ConnectAsync("/rate/x");
        Assert.InRange(int.Parse(response.Head["Retry-After"]!), 1, 3600); // one token an hour
    }

    [Theory]
    [InlineData("/connections/x", "route connection limit reached")]
    [InlineData("/per-ip/x", "connection limit per address reached")]
    public async Task Connections_over_the_limit_get_503_until_one_ends(string path, string reason)
    {
        var first = await fixture.ConnectAsync(path);
        Assert.Equal(101, first.Status);
        var (_, upstreamSide) = await fixture.Upstream.AcceptAsync();

        await Refusals.AssertAsync(fixture, () => fixture.ConnectAsync(path), 503, reason);

        await first.DisposeAsync();
        await upstreamSide.DisposeAsync();
        await fixture.Gateway.Logs.WaitForAsync("route=" + path.Split('/')[1] + " client=127.0.0.1 upstream=");
        await Refusals.AdmittedAsync(fixture, () => fixture.ConnectAsync(path));
    }

    [Fact]
    public async Task Messages_over_the_rate_close_the_client_with_1008_and_the_upstream_with_1001()
    {
        await using var pair = await SessionPair.OpenAsync("limits: { messages_per_connection: { rate: 1, per: 1h, burst: 3 } }");

        for (int i = 0; i < 5; i++)
        {
            await pair.Client.SendFrameAsync(WireFrame.Text, "hello"u8.ToArray(), mask: true);
        }

        var relayed = new List<WireFrame>();
        var toUpstream = await pair.UpstreamSide.ReadUntilCloseAsync(others: relayed);
        Assert.Equal(1001, toUpstream!.CloseCode);
        Assert.Equal(3, relayed.Count(f => f.Opcode == WireFrame.Text));
        var toClient = await pair.Client.ReadUntilCloseAsync();
        Assert.Equal(1008, toClient!.CloseCode);
        Assert.Equal("message rate exceeded", toClient.CloseReason);
        await pair.Gateway.Logs.WaitForAsync("ended_by=Violation side=Client");
    }
}
