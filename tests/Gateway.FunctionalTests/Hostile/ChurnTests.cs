using System.Diagnostics;
using Gateway.Testing.Frames;
using Xunit.Abstractions;

namespace Gateway.FunctionalTests.Hostile;

/// Tens of thousands of sessions opened and dropped every way a client drops one: each must give back its
/// descriptors (client and upstream sockets), its session count and its memory.
[Collection(HostileCollection.Name)]
[Trait("Category", "Hostile")]
public sealed class ChurnTests(ITestOutputHelper output)
{
    /// 10,000 in CI (about 20 s); CHURN_SESSIONS sets more for a run by hand.
    private static readonly int Sessions =
        int.TryParse(Environment.GetEnvironmentVariable("CHURN_SESSIONS"), out var n) ? n : 10_000;

    private const int InFlight = 32;

    [Fact]
    public async Task Sessions_opened_and_dropped_leave_nothing_behind()
    {
        await using var gateway = await GatewayUnderAttack.StartAsync();
        await gateway.WarmUpAsync();
        int baseline = gateway.OpenSockets();
        long rssBefore = gateway.RssKiB();
        int logged = gateway.SessionLines();
        var clock = Stopwatch.StartNew();
        int next = -1;

        await Task.WhenAll(Enumerable.Range(0, InFlight).Select(_ => Task.Run(async () =>
        {
            int session;
            while ((session = Interlocked.Increment(ref next)) < Sessions)
            {
                using var peers = new HostilePeers();
                var (socket, frames) = await peers.OpenSessionAsync(session % 8 == 7 ? gateway.Wss : gateway.Ws, "/echo");
                switch (session % 4)
                {
                    case 0: // reset right after the 101
                        break;
                    case 1: // a message, then a reset before its echo is read
                        await frames.SendAsync(RawFrame.Build(true, 0x1, "churn"u8, [1, 2, 3, 4]));
                        break;
                    case 2: // a clean close handshake
                        await frames.SendCloseAsync(1000, "bye", mask: true);
                        Assert.Equal(1000, (await frames.ReadUntilCloseAsync())?.CloseCode);
                        break;
                    default: // FIN without a Close
                        socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
                        await frames.WaitForEndAsync();
                        break;
                }

                await frames.DisposeAsync();
            }
        })));

        output.WriteLine($"{Sessions} sessions in {clock.Elapsed.TotalSeconds:F1} s; RSS {rssBefore} KiB before, {gateway.RssKiB()} KiB after");
        output.WriteLine(await gateway.AssertRecoveredAsync(baseline));
        Assert.Equal(logged + Sessions + 1, await gateway.WaitForSessionLinesAsync(logged + Sessions + 1)); // + 1: the control session
    }
}
