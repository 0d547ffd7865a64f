using System.Diagnostics;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Upstream;

/// How each kind of upstream failure looks to the client (contract section 3), and what the gateway's own
/// handshake upstream carries.
public sealed class UpstreamBehaviorTests
{
    [Fact]
    public async Task Refused_connection_gives_502()
    {
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(new Uri($"ws://127.0.0.1:{FreePort.Next()}"));

        await using var response = await RawClient.ConnectAsync(gateway.Ws, "/ws/x");

        Assert.Equal(502, response.Status);
        Assert.Contains("cannot connect", response.Body);
        await gateway.Logs.WaitForAsync("Upstream failed");
    }

    [Fact]
    public async Task Upstream_that_never_answers_gives_504_within_the_handshake_timeout()
    {
        await using var upstream = new ScriptedUpstream(_ => null);
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address, upstreamExtra: "handshake_timeout: 500ms");

        var clock = Stopwatch.StartNew();
        await using var response = await RawClient.ConnectAsync(gateway.Ws, "/ws/x");

        Assert.Equal(504, response.Status);
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task Upstream_status_and_body_are_relayed()
    {
        await using var upstream = new ScriptedUpstream(_ =>
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nnot for you\r\n");
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address);

        await using var response = await RawClient.ConnectAsync(gateway.Ws, "/ws/x");

        Assert.Equal(403, response.Status);
        Assert.Equal("not for you\r\n", response.Body);
    }

    [Fact]
    public async Task Wrong_accept_key_gives_502()
    {
        await using var upstream = new ScriptedUpstream(_ =>
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n");
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address);

        await using var response = await RawClient.ConnectAsync(gateway.Ws, "/ws/x");

        Assert.Equal(502, response.Status);
        Assert.Contains("Sec-WebSocket-Accept", response.Body);
    }

    [Fact]
    public async Task Subprotocol_nobody_offered_gives_502()
    {
        await using var upstream = new ScriptedUpstream(request => ScriptedUpstream.SwitchingProtocols(request, "evil.v9"));
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address);

        await using var response = await RawClient.ConnectAsync(gateway.Ws, "/ws/x",
            new Dictionary<string, string?> { ["Sec-WebSocket-Protocol"] = "chat.v1" });

        Assert.Equal(502, response.Status);
    }

    [Fact]
    public async Task Subprotocols_are_filtered_by_the_route_and_the_upstream_pick_is_returned()
    {
        await using var upstream = new ScriptedUpstream(request =>
            ScriptedUpstream.SwitchingProtocols(request, request["Sec-WebSocket-Protocol"]!.Split(',')[^1].Trim()));
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address, routeExtra: "subprotocols: [chat.v2, chat.v1]");

        await using var response = await RawClient.ConnectAsync(gateway.Ws, "/ws/x",
            new Dictionary<string, string?> { ["Sec-WebSocket-Protocol"] = "chat.v3, chat.v2, chat.v1" });
        var (request, _) = await upstream.AcceptAsync();

        Assert.Equal(101, response.Status);
        Assert.Equal("chat.v2, chat.v1", request["Sec-WebSocket-Protocol"]);
        Assert.Equal("chat.v1", response.Head["Sec-WebSocket-Protocol"]);
    }

    [Fact]
    public async Task Upstream_handshake_has_a_fresh_key_and_the_forwarded_headers()
    {
        await using var upstream = ScriptedUpstream.Accepting();
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address);

        await using var response = await RawClient.ConnectAsync(gateway.Ws, "/ws/room?id=7", new Dictionary<string, string?>
        {
            ["Origin"] = "https://app.example.com",
            ["Cookie"] = "session=abc",
            ["Sec-WebSocket-Extensions"] = "permessage-deflate",
            ["X-Forwarded-For"] = "203.0.113.9",
        });
        var (request, _) = await upstream.AcceptAsync();

        Assert.Equal(101, response.Status);
        Assert.Equal("GET /ws/room?id=7 HTTP/1.1", request.FirstLine);
        Assert.NotEqual(RawClient.SampleKey, request["Sec-WebSocket-Key"]);
        Assert.Equal(16, Convert.FromBase64String(request["Sec-WebSocket-Key"]!).Length);
        Assert.Equal("13", request["Sec-WebSocket-Version"]);
        Assert.Null(request["Sec-WebSocket-Extensions"]);
        Assert.Null(response.Head["Sec-WebSocket-Extensions"]);
        Assert.Equal("https://app.example.com", request["Origin"]);
        Assert.Equal("session=abc", request["Cookie"]);
        Assert.Equal("203.0.113.9, 127.0.0.1", request["X-Forwarded-For"]);
        Assert.Equal("http", request["X-Forwarded-Proto"]);
        Assert.Equal(gateway.Ws.Authority, request["X-Forwarded-Host"]);
        Assert.Equal($"for=127.0.0.1;proto=http;host=\"{gateway.Ws.Authority}\"", request["Forwarded"]);
        Assert.Equal(upstream.Address.Authority, request["Host"]);
    }

    [Fact]
    public async Task Over_wss_the_upstream_is_told_the_client_came_over_https()
    {
        await using var upstream = ScriptedUpstream.Accepting();
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address);

        await using var response = await RawClient.ConnectAsync(gateway.Wss, "/ws/secure");
        var (request, _) = await upstream.AcceptAsync();

        Assert.Equal(101, response.Status);
        Assert.Equal("https", request["X-Forwarded-Proto"]);
        Assert.Equal($"for=127.0.0.1;proto=https;host=\"{gateway.Wss.Authority}\"", request["Forwarded"]);
    }

    [Fact]
    public async Task Connect_failure_moves_on_to_the_next_destination()
    {
        await using var upstream = ScriptedUpstream.Accepting();
        await using var gateway = await GatewayUnderTest.StartAsync($$"""
            routes:
              - name: test
                match: { path: "/ws/{**rest}" }
                upstream: backend
            upstreams:
              backend:
                destinations: [ws://127.0.0.1:{{FreePort.Next()}}, {{upstream.Address}}]
                load_balancing: first
                retries: 1
            """);

        await using var response = await RawClient.ConnectAsync(gateway.Ws, "/ws/x");

        Assert.Equal(101, response.Status);
        Assert.Equal(1, upstream.ConnectionCount);
    }
}
