using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Handshake;

/// Contract section 3: what a client gets for each kind of upgrade request, before any 101. A refused upgrade
/// never reaches the upstream and leaves one log line.
public sealed class UpgradeOutcomeTests : IAsyncLifetime
{
    private ScriptedUpstream _upstream = null!;
    private GatewayUnderTest _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = new ScriptedUpstream(request => request["Upgrade"] is null
            ? "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 14\r\n\r\nplain response"
            : ScriptedUpstream.SwitchingProtocols(request));
        _gateway = await GatewayUnderTest.ForUpstreamAsync(_upstream.Address);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    public static TheoryData<string, string, int, string> Refusals => new()
    {
        { "version 12", RawClient.UpgradeRequest("/ws/x", "localhost", new Dictionary<string, string?> { ["Sec-WebSocket-Version"] = "12" }), 426, "Sec-WebSocket-Version must be 13" },
        { "no version", RawClient.UpgradeRequest("/ws/x", "localhost", new Dictionary<string, string?> { ["Sec-WebSocket-Version"] = null }), 426, "Sec-WebSocket-Version must be 13" },
        { "POST", RawClient.UpgradeRequest("/ws/x", "localhost", method: "POST") + "", 400, "GET" },
        { "HTTP/1.0", RawClient.UpgradeRequest("/ws/x", "localhost", version: "HTTP/1.0"), 400, "HTTP/1.1" },
        { "no Upgrade header", RawClient.UpgradeRequest("/ws/x", "localhost", new Dictionary<string, string?> { ["Upgrade"] = null }), 400, "Upgrade" },
        { "Upgrade: h2c", RawClient.UpgradeRequest("/ws/x", "localhost", new Dictionary<string, string?> { ["Upgrade"] = "h2c" }), 400, "Upgrade" },
        { "no Connection: Upgrade", RawClient.UpgradeRequest("/ws/x", "localhost", new Dictionary<string, string?> { ["Connection"] = "keep-alive" }), 400, "Connection" },
        { "15-byte key", RawClient.UpgradeRequest("/ws/x", "localhost", new Dictionary<string, string?> { ["Sec-WebSocket-Key"] = Convert.ToBase64String(new byte[15]) }), 400, "Sec-WebSocket-Key" },
        { "no key", RawClient.UpgradeRequest("/ws/x", "localhost", new Dictionary<string, string?> { ["Sec-WebSocket-Key"] = null }), 400, "Sec-WebSocket-Key" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Malformed_upgrade_is_refused_with_the_contract_status(string what, string request, int status, string reasonPart)
    {
        await using var response = await RawClient.SendAsync(_gateway.Ws, request.Replace("POST /ws/x HTTP/1.1\r\n", "POST /ws/x HTTP/1.1\r\nContent-Length: 0\r\n"));

        Assert.True(response.Status == status, $"{what}: got {response.Status} {response.Body}");
        Assert.Contains(reasonPart, response.Body);
        if (status == 426)
        {
            Assert.Equal("13", response.Head["Sec-WebSocket-Version"]);
        }

        Assert.Equal(0, _upstream.ConnectionCount);
        await _gateway.Logs.WaitForAsync($"status={status}");
    }

    [Fact]
    public async Task No_route_gives_404()
    {
        await using var response = await RawClient.ConnectAsync(_gateway.Ws, "/elsewhere");

        Assert.Equal(404, response.Status);
        Assert.Contains("no route", response.Body);
        Assert.Equal(0, _upstream.ConnectionCount);
    }

    [Fact]
    public async Task Plain_http_on_a_route_is_proxied_by_yarp()
    {
        using var http = new HttpClient();

        var body = await http.GetStringAsync(new Uri(new Uri($"http://127.0.0.1:{_gateway.Ws.Port}"), "/ws/page"));

        Assert.Equal("plain response", body);
    }

    [Fact]
    public async Task Upgrade_over_tls_gets_101_with_the_accept_for_the_client_key()
    {
        await using var response = await RawClient.ConnectAsync(_gateway.Wss, "/ws/x");

        Assert.Equal(101, response.Status);
        Assert.Equal(ScriptedUpstream.Accept(RawClient.SampleKey), response.Head["Sec-WebSocket-Accept"]);
        Assert.Equal("websocket", response.Head["Upgrade"], ignoreCase: true);
    }
}
