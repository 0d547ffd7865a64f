using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Echo;

/// The npm `ws` package at both ends: tests/node/echo-client.js -> gateway -> tests/node/echo-upstream.js.
public sealed class NodeClientEchoTests(NodeEchoUpstream upstream) : IClassFixture<NodeEchoUpstream>
{
    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(true, 3)]
    public async Task Ws_client_sees_every_message_echoed(bool tls, int fragments)
    {
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address);
        var url = new Uri(tls ? gateway.Wss : gateway.Ws, "/ws/node").ToString();

        var (exit, output, error) = await NodePeer.RunAsync(TimeSpan.FromSeconds(60), "echo-client.js", url,
            "--ca", gateway.CertificatePath, "--fragments", fragments.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--sizes", "0,1,125,126,65535,65536,1048576");

        Assert.True(exit == 0, $"echo-client failed: {output} {error}");
        using var result = JsonDocument.Parse(output);
        Assert.True(result.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(14, result.RootElement.GetProperty("messages").GetInt32());
        Assert.Equal(1000, result.RootElement.GetProperty("code").GetInt32());
        Assert.Equal("done", result.RootElement.GetProperty("reason").GetString());
    }
}
