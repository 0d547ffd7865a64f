using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Echo;

/// .NET's ClientWebSocket -> gateway -> the npm `ws` echo server, every byte compared.
public sealed class ClientWebSocketEchoTests(NodeEchoUpstream upstream) : IClassFixture<NodeEchoUpstream>
{
    public static TheoryData<bool, int> Sizes => new()
    {
        { false, 0 }, { false, 1 }, { false, 125 }, { false, 126 }, { false, 65535 }, { false, 65536 }, { false, 1 << 20 },
        { true, 0 }, { true, 1 }, { true, 125 }, { true, 126 }, { true, 65535 }, { true, 65536 }, { true, 1 << 20 },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public async Task Echoes_text_and_binary_of_every_length_encoding(bool tls, int size)
    {
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address);
        using var socket = await Clients.ConnectAsync(new Uri((tls ? gateway.Wss : gateway.Ws), "/ws/echo"));

        var binary = RandomNumberGenerator.GetBytes(size);
        var text = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("héllo wörld ✓ ", size / 16 + 1)))[..size];
        text = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(text).TrimEnd('\uFFFD')); // whole code points only
        await socket.SendAsync(binary, WebSocketMessageType.Binary, true, CancellationToken.None);
        await socket.SendAsync(text, WebSocketMessageType.Text, true, CancellationToken.None);

        var first = await Clients.ReceiveMessageAsync(socket);
        var second = await Clients.ReceiveMessageAsync(socket);
        Assert.Equal(WebSocketMessageType.Binary, first.Type);
        Assert.Equal(binary, first.Data);
        Assert.Equal(WebSocketMessageType.Text, second.Type);
        Assert.Equal(text, second.Data);

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, socket.CloseStatus);
        Assert.Equal("bye", socket.CloseStatusDescription);
    }

    [Fact]
    public async Task Echoes_a_16_MiB_message_sent_in_fragments_over_wss()
    {
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address,
            routeExtra: "limits: { max_frame_size: 16MiB, max_message_size: 16MiB }");
        using var socket = await Clients.ConnectAsync(new Uri(gateway.Wss, "/ws/big"));
        var data = RandomNumberGenerator.GetBytes(16 << 20);

        var send = Clients.SendInPiecesAsync(socket, data, WebSocketMessageType.Binary, 1 << 20);
        var echo = await Clients.ReceiveMessageAsync(socket, TimeSpan.FromSeconds(60));
        await send;

        Assert.Equal(data.Length, echo.Data.Length);
        Assert.True(data.AsSpan().SequenceEqual(echo.Data), "16 MiB echo differs");
    }

    [Fact]
    public async Task Keeps_100_concurrent_sessions_apart()
    {
        await using var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address,
            // 100 handshakes at once from one address: over the default handshakes_per_ip burst (40).
            routeExtra: "limits: { handshakes_per_ip: { rate: 200, burst: 200 }, max_connections_per_ip: 200 }");
        var sessions = Enumerable.Range(0, 100).Select(async i =>
        {
            using var socket = await Clients.ConnectAsync(new Uri(i % 2 == 0 ? gateway.Ws : gateway.Wss, $"/ws/{i}"));
            for (int n = 0; n < 10; n++)
            {
                var message = Encoding.UTF8.GetBytes($"session {i} message {n}");
                await socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
                var echo = await Clients.ReceiveMessageAsync(socket);
                Assert.Equal(message, echo.Data);
            }

            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        });

        await Task.WhenAll(sessions);
    }
}
