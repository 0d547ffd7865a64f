using System.Net.Security;
using System.Net.Sockets;
using Gateway.Testing.Frames;
using Gateway.Testing.Peers;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Hostile;

/// Peers that reset at every stage of a connection's life: each reset must cost the gateway one closed socket and,
/// once the 101 was sent, one access-log line, and nothing else.
[Collection(HostileCollection.Name)]
[Trait("Category", "Hostile")]
public sealed class ResetTests(ITestOutputHelper output)
{
    private const int PerStage = 40;

    private static readonly byte[] Key = [1, 2, 3, 4];

    /// A stage: what the client does before it resets, and whether the session was upgraded by then.
    private sealed record Stage(string Name, bool Tls, bool Upgraded, Func<HostilePeers, Uri, Task<Socket>> Run);

    private static readonly Stage[] Stages =
    [
        new("after connect", false, false, (peers, uri) => peers.ConnectAsync(uri)),
        new("after connect (TLS listener)", true, false, (peers, uri) => peers.ConnectAsync(uri)),
        new("during the TLS handshake", true, false, async (peers, uri) =>
        {
            var socket = await peers.ConnectAsync(uri);
            var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), false, (_, _, _, _) => true);
            _ = ssl.AuthenticateAsClientAsync("localhost").ContinueWith(t => t.Exception, TaskScheduler.Default);
            await Task.Delay(20); // the ClientHello is out, the ServerHello on its way
            return socket;
        }),
        new("after the TLS handshake", true, false, async (peers, uri) => (await peers.TlsAsync(uri)).Socket),
        new("in the middle of the head", false, false, (peers, uri) =>
            peers.SendAndHoldAsync(uri, HostilePeers.Ascii("GET /echo HTTP/1.1\r\nHost: x\r\nUpgr"))),
        new("right after the head", false, false, (peers, uri) =>
            peers.SendAndHoldAsync(uri, HostilePeers.Ascii(RawClient.UpgradeRequest("/echo", "x")))),
        new("right after the 101", false, true, async (peers, uri) => (await peers.OpenSessionAsync(uri, "/echo")).Socket),
        new("right after the 101 (TLS)", true, true, async (peers, uri) => (await peers.OpenSessionAsync(uri, "/echo")).Socket),
        new("in the middle of a frame", false, true, async (peers, uri) =>
        {
            var (socket, frames) = await peers.OpenSessionAsync(uri, "/echo");
            await frames.SendAsync(RawFrame.Build(true, 0x2, new byte[1000], Key)[..100]);
            return socket;
        }),
        new("while echoes are in flight", false, true, SendWithoutReadingAsync),
        new("while echoes are in flight (TLS)", true, true, SendWithoutReadingAsync),
        new("after sending a Close", false, true, async (peers, uri) =>
        {
            var (socket, frames) = await peers.OpenSessionAsync(uri, "/echo");
            await frames.SendCloseAsync(1000, "bye", mask: true);
            return socket;
        }),
    ];

    /// 32 messages of 16 KiB whose echoes are not read: the reset finds data in flight both ways.
    private static async Task<Socket> SendWithoutReadingAsync(HostilePeers peers, Uri uri)
    {
        var (socket, frames) = await peers.OpenSessionAsync(uri, "/echo");
        var message = RawFrame.Build(true, 0x2, new byte[16 * 1024], Key);
        for (int i = 0; i < 32; i++)
        {
            await frames.SendAsync(message);
        }

        return socket;
    }

    [Fact]
    public async Task A_reset_at_any_stage_costs_the_gateway_nothing_after_it()
    {
        await using var gateway = await GatewayUnderAttack.StartAsync();
        await gateway.WarmUpAsync();
        int baseline = gateway.OpenSockets();
        int logged = gateway.SessionLines();
        int upgraded = 0;

        foreach (var stage in Stages)
        {
            using var peers = new HostilePeers();
            var sockets = await Task.WhenAll(Enumerable.Range(0, PerStage).Select(_ => stage.Run(peers, stage.Tls ? gateway.Wss : gateway.Ws)));
            foreach (var socket in sockets)
            {
                HostilePeers.Reset(socket);
            }

            upgraded += stage.Upgraded ? PerStage : 0;
            int left = await gateway.WaitForSocketsAsync(baseline, TimeSpan.FromSeconds(5));
            Assert.True(left <= baseline, $"reset {stage.Name}: {left} sockets still open after 5 s (baseline {baseline})");
        }

        output.WriteLine(await gateway.AssertRecoveredAsync(baseline));
        // + 1: the control session. A reset right after the head may reach the gateway after its 101 went out: such
        // a session was upgraded too, and must have its line as well.
        int lines = await gateway.WaitForSessionLinesAsync(logged + upgraded + 1);
        Assert.InRange(lines, logged + upgraded + 1, logged + upgraded + 1 + PerStage);
    }
}
