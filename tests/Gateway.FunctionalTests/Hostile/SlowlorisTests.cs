using System.Diagnostics;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Hostile;

/// Issue 22, defect 6: silent and dripping connections were held for Kestrel's defaults (130 s; 1,500 clients
/// dripping a byte a second were none of them cut within 45 s). `handshake_timeout` bounds the time from accept to
/// a complete request head, TLS included, whatever the client sends in the meantime.
[Collection(HostileCollection.Name)]
[Trait("Category", "Hostile")]
public sealed class SlowlorisTests(ITestOutputHelper output)
{
    private const double HandshakeSeconds = 2;

    [Fact]
    public async Task Dripping_and_silent_connections_are_cut_at_the_handshake_timeout_and_others_are_served()
    {
        await using var gateway = await GatewayUnderAttack.StartAsync(handshakeTimeout: $"{HandshakeSeconds}s");
        await gateway.WarmUpAsync();
        using var peers = new HostilePeers();
        int baseline = gateway.OpenSockets();
        var head = HostilePeers.Ascii("GET /echo HTTP/1.1\r\nHost: x\r\nX-Padding: " + new string('a', 200));
        // A TLS handshake record announcing 512 bytes, dripped: the engine waits for the rest of the ClientHello.
        byte[] clientHello = [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03, .. new byte[200]];

        var attackers = new (string Name, int Count, Uri Target, byte[] Drip, string Expect)[]
        {
            ("dripping head", 200, gateway.Ws, head, "HTTP/1.1 408"),
            ("silent", 100, gateway.Ws, [], "HTTP/1.1 408"),
            ("dripping ClientHello", 50, gateway.Wss, clientHello, ""),
            ("silent TLS", 50, gateway.Wss, [], ""),
        };

        var cut = attackers.SelectMany(group => Enumerable.Range(0, group.Count).Select(async attacker =>
        {
            var socket = await peers.ConnectAsync(group.Target);
            var clock = Stopwatch.StartNew();
            _ = HostilePeers.DripAsync(socket, group.Drip, TimeSpan.FromMilliseconds(100));
            var (received, closed) = await HostilePeers.ReadToEndAsync(socket, TimeSpan.FromSeconds(HandshakeSeconds * 4));
            return (group.Name, group.Expect, received, closed, After: clock.Elapsed);
        })).ToList();

        EchoLatencies echoes = default!;
        await gateway.CoreShareAsync(TimeSpan.FromSeconds(HandshakeSeconds * 2),
            async stop => echoes = await gateway.ControlEchoAsync(stop, TimeSpan.FromSeconds(1)));
        var results = await Task.WhenAll(cut);

        foreach (var (name, expect, received, closed, after) in results)
        {
            Assert.True(closed, $"{name}: not cut after {after.TotalSeconds:F1} s");
            Assert.StartsWith(expect, received);
            Assert.InRange(after.TotalSeconds, HandshakeSeconds - 0.1, HandshakeSeconds + 1.5);
        }

        echoes.AssertNormal("during the attack");
        output.WriteLine($"{results.Length} slowloris connections cut after {results.Min(r => r.After.TotalSeconds):F2}-" +
            $"{results.Max(r => r.After.TotalSeconds):F2} s; control echoes during it: {echoes}");
        peers.Dispose();
        output.WriteLine(await gateway.AssertRecoveredAsync(baseline));
    }
}
