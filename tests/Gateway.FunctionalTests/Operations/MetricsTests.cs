using System.Net.WebSockets;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Peers;
using static Gateway.FunctionalTests.Infrastructure.PrometheusTextParser;

namespace Gateway.FunctionalTests.Operations;

/// /metrics on the admin listener parses as Prometheus text, and its counters are what the test sent.
public sealed class MetricsTests(NodeEchoUpstream upstream) : IClassFixture<NodeEchoUpstream>
{
    // echo-client.js sends a text and a binary message of each size, each exactly that many bytes.
    private const string Sizes = "0,10,1000";
    private const int MessagesPerClient = 6;
    private const int BytesPerClient = 2 * (0 + 10 + 1000);

    [Fact]
    public async Task Counters_equal_the_traffic_and_outcomes_the_test_produced()
    {
        int admin = FreePort.Next();
        await using var gateway = await GatewayUnderTest.StartAsync($$"""
            admin: { address: 127.0.0.1:{{admin}} }
            routes:
              - name: test
                match: { path: '/ws/{**rest}' }
                upstream: echo
            upstreams:
              echo: { destinations: ['{{upstream.Address}}'] }
            """);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{admin}") };

        for (int i = 0; i < 2; i++)
        {
            var (exit, output, error) = await NodePeer.RunAsync(TimeSpan.FromSeconds(20), "echo-client.js",
                new Uri(gateway.Ws, "/ws/m").ToString(), "--sizes", Sizes);
            Assert.True(exit == 0, output + error);
        }

        await using (var refused = await RawClient.ConnectAsync(gateway.Ws, "/ws/old",
            new Dictionary<string, string?> { ["Sec-WebSocket-Version"] = "12" }))
        {
            Assert.Equal(426, refused.Status);
        }

        await WaitForAsync(() => gateway.Logs.Lines.Count(l => l.Contains("Session: route=test", StringComparison.Ordinal)) == 2);
        var response = await http.GetAsync("/metrics");
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        var metrics = Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(2, Value(metrics, "gateway_handshakes_total", ("route", "test"), ("status", "101")));
        Assert.Equal(1, Value(metrics, "gateway_handshakes_total", ("route", "test"), ("status", "426")));
        foreach (var direction in new[] { "client_to_upstream", "upstream_to_client" })
        {
            Assert.Equal(2 * MessagesPerClient, Value(metrics, "gateway_messages_total", ("route", "test"), ("direction", direction)));
            Assert.Equal(2 * BytesPerClient, Value(metrics, "gateway_bytes_total", ("route", "test"), ("direction", direction)));
        }

        Assert.Equal(2, Value(metrics, "gateway_closes_total", ("route", "test"), ("side", "client"), ("code", "1000")));
        Assert.Equal(2, Value(metrics, "gateway_closes_total", ("route", "test"), ("side", "upstream"), ("code", "1000")));
        Assert.Equal(0, Value(metrics, "gateway_sessions_active", ("route", "test")));
        Assert.Equal(2, Value(metrics, "gateway_upstream_connect_duration_seconds_count", ("route", "test")));
        Assert.Equal(2, Value(metrics, "gateway_session_duration_seconds_count", ("route", "test")));

        // A session still open counts as active, and its traffic shows before it ends.
        using var open = await Clients.ConnectAsync(new Uri(gateway.Ws, "/ws/live"));
        for (int i = 0; i < 3; i++)
        {
            await open.SendAsync(new byte[5], WebSocketMessageType.Binary, true, CancellationToken.None);
            await Clients.ReceiveMessageAsync(open);
        }

        metrics = Parse(await http.GetStringAsync("/metrics"));
        Assert.Equal(1, Value(metrics, "gateway_sessions_active", ("route", "test")));
        Assert.Equal(2 * MessagesPerClient + 3, Value(metrics, "gateway_messages_total", ("route", "test"), ("direction", "client_to_upstream")));
        Assert.Equal(2 * BytesPerClient + 15, Value(metrics, "gateway_bytes_total", ("route", "test"), ("direction", "upstream_to_client")));
        await open.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
    }

    private static double Value(Dictionary<string, double> metrics, string name, params (string Name, string Value)[] labels)
    {
        var key = Key(name, labels.Select(l => new KeyValuePair<string, string>(l.Name, l.Value)));
        Assert.True(metrics.TryGetValue(key, out var value), $"no {key} in:\n" + string.Join("\n", metrics.Keys));
        return value;
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition() && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(condition());
    }
}
