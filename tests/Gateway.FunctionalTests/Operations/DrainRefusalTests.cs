using System.Net;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Operations;

/// While the gateway drains: open sessions are told 1001 on both legs, a new upgrade gets 503 with Retry-After,
/// /readyz says 503; the stop completes as soon as the close handshakes do.
public sealed class DrainRefusalTests
{
    [Fact]
    public async Task During_the_drain_new_upgrades_get_503_and_readyz_turns_503()
    {
        await using var upstream = ScriptedUpstream.Accepting();
        int port = FreePort.Next(), admin = FreePort.Next();
        await using var gateway = await ReloadableGateway.StartAsync($"""
            listen:
              - address: 127.0.0.1:{port}
            admin: {"{"} address: 127.0.0.1:{admin} {"}"}
            shutdown_grace: 20s
            defaults:
              limits: {"{"} close_timeout: 10s {"}"}
            routes:
              - name: test
                match: {"{"} path: '/ws/{"{"}**rest{"}"}' {"}"}
                upstream: backend
            upstreams:
              backend: {"{"} destinations: ['{upstream.Address}'] {"}"}
            """);
        var ws = new Uri($"ws://127.0.0.1:{port}");
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{admin}") };
        await using var client = await RawClient.ConnectAsync(ws, "/ws/a");
        Assert.Equal(101, client.Status);
        var (_, upstreamSide) = await upstream.AcceptAsync();
        await using var upstreamFrames = upstreamSide;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/readyz")).StatusCode);

        var stop = gateway.App.StopAsync();

        var toClient = await client.Frames.ReadUntilCloseAsync();
        var toUpstream = await upstreamFrames.ReadUntilCloseAsync();
        Assert.Equal((1001, "gateway shutting down"), (toClient!.CloseCode, toClient.CloseReason));
        Assert.Equal((1001, "gateway shutting down"), (toUpstream!.CloseCode, toUpstream.CloseReason));
        await using var refused = await RawClient.ConnectAsync(ws, "/ws/b");
        Assert.Equal(503, refused.Status);
        Assert.Equal("5", refused.Head["Retry-After"]);
        Assert.Equal("gateway is shutting down; retry later\n", refused.Body);
        await gateway.Logs.WaitForAsync("Upgrade refused: route=test client=127.0.0.1 status=503"); // contract 3: one log line
        var ready = await http.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("draining\n", await ready.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/healthz")).StatusCode);
        Assert.False(stop.IsCompleted);

        // Both peers answer: the drain is over well before close_timeout or the grace.
        await client.Frames.SendCloseAsync(1001, "", mask: true);
        await upstreamFrames.SendCloseAsync(1001, "", mask: false);
        await stop.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
