using System.Net.Sockets;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Hostile;

/// Random bytes at every stage of a connection: before TLS, inside a TLS record, in the request head, after the
/// 101. Each connection gets its refusal (or its close) and the gateway logs no error for any of them: issue 22,
/// defect 5, was an unhandled exception with a stack trace for any 5 random bytes on the SslStream engine, an
/// anonymous log flood.
[Collection(HostileCollection.Name)]
[Trait("Category", "Hostile")]
public sealed class GarbageTests(ITestOutputHelper output)
{
    private const int PerStage = 40;

    private GatewayUnderAttack? _gateway;
    private int _baseline;

    [Fact]
    public async Task Garbage_at_any_stage_is_refused_without_an_error_and_others_are_served()
    {
        int seed = int.TryParse(Environment.GetEnvironmentVariable("GARBAGE_SEED"), out var given) ? given : Environment.TickCount;
        output.WriteLine($"seed {seed}");
        var random = new Random(seed);
        await using var gateway = await GatewayUnderAttack.StartAsync(handshakeTimeout: "2s");
        await gateway.WarmUpAsync();
        int baseline = gateway.OpenSockets();
        (_gateway, _baseline) = (gateway, baseline);
        using var peers = new HostilePeers();

        byte[] Garbage(int min, int max)
        {
            lock (random)
            {
                var bytes = new byte[random.Next(min, max)];
                random.NextBytes(bytes);
                return bytes;
            }
        }

        // Before TLS: random bytes where a ClientHello belongs (5 of them were enough for defect 5).
        await AllClosedAsync("before TLS", Enumerable.Range(0, PerStage).Select(i =>
            peers.SendAndHoldAsync(gateway.Wss, Garbage(5, i % 2 == 0 ? 6 : 4096))));

        // Inside a TLS record: a handshake record header announcing what follows, then random bytes.
        await AllClosedAsync("inside a TLS record", Enumerable.Range(0, PerStage).Select(_ =>
        {
            var body = Garbage(40, 600);
            return peers.SendAndHoldAsync(gateway.Wss, [0x16, 0x03, 0x01, (byte)(body.Length >> 8), (byte)body.Length, .. body]);
        }));

        // After the TLS handshake: random bytes where TLS records belong (a record's MAC cannot match).
        await AllClosedAsync("after the TLS handshake", Enumerable.Range(0, PerStage).Select(async _ =>
        {
            var (socket, _) = await peers.TlsAsync(gateway.Wss);
            await socket.SendAsync(Garbage(5, 2048));
            return socket;
        }));

        // In the request head, on both listeners: a valid request line, then random bytes and the head's end. The
        // path has no route: a head that happens to parse gets a 404, not a plain-HTTP proxying whose pooled
        // upstream connection would stay open (YARP keeps it for the next request).
        foreach (var listener in new[] { gateway.Ws, gateway.Wss })
        {
            var answers = await AllClosedAsync($"in the head ({listener.Scheme})", Enumerable.Range(0, PerStage).Select(async _ =>
            {
                byte[] head = [.. HostilePeers.Ascii("GET /nothing HTTP/1.1\r\nHost: x\r\n"), .. Garbage(1, 2048), .. "\r\n\r\n"u8];
                if (listener.Scheme == "ws")
                {
                    return await peers.SendAndHoldAsync(listener, head);
                }

                var (socket, tls) = await peers.TlsAsync(listener);
                await tls.WriteAsync(head);
                return socket;
            }), readTls: listener.Scheme == "wss");
            if (listener.Scheme == "ws")
            {
                Assert.All(answers, answer => Assert.Matches("^HTTP/1.1 4[0-9][0-9] ", answer));
            }
        }

        // After the 101: random bytes where frames belong, then the client's FIN (a random frame header may
        // announce more bytes than follow: the gateway waits for them, as it should, until the end of the stream).
        await AllClosedAsync("after the 101", Enumerable.Range(0, PerStage).Select(async _ =>
        {
            var (socket, frames) = await peers.OpenSessionAsync(gateway.Ws, "/echo");
            await frames.SendAsync(Garbage(1, 4096));
            socket.Shutdown(SocketShutdown.Send);
            return socket;
        }));

        output.WriteLine(await gateway.AssertRecoveredAsync(baseline));
    }

    /// Every connection must be closed by the gateway within the handshake timeout and a margin; returns what each
    /// received (TLS connections: what the raw socket saw, unless `readTls` asks for nothing to be checked).
    private async Task<string[]> AllClosedAsync(string stage, IEnumerable<Task<Socket>> connecting, bool readTls = false)
    {
        var sockets = await Task.WhenAll(connecting);
        var answers = await Task.WhenAll(sockets.Select(socket => HostilePeers.ReadToEndAsync(socket, TimeSpan.FromSeconds(5))));
        Assert.All(answers, answer => Assert.True(answer.Closed, $"garbage {stage}: the gateway did not close the connection"));
        int left = await _gateway!.WaitForSocketsAsync(_baseline, TimeSpan.FromSeconds(5));
        Assert.True(left <= _baseline, $"garbage {stage}: {left} sockets still open after 5 s (baseline {_baseline}): {_gateway.DescribeSockets()}");
        return readTls ? [] : [.. answers.Select(a => a.Received)];
    }
}
