using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Frames;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Hostile;

/// Issue 22, defects 3 and 4: every session ends with its access-log line however it ends, and a reset is noticed
/// whatever the other leg is doing. Both need one leg backed up: a peer that reads nothing while the other floods.
[Collection(HostileCollection.Name)]
[Trait("Category", "Hostile")]
public sealed class SessionEndTests
{
    private const string Limits = "limits: { max_frame_size: 64KiB, max_message_size: 64KiB, idle_timeout: 60s, ping_interval: 0, " +
        "messages_per_connection: { rate: 100000, burst: 100000 } }";

    private static readonly byte[] Key = [9, 8, 7, 6];

    /// Defect 3: the violation's Close cannot be written to a client that reads nothing, and waiting for that write
    /// was cancelled by close_timeout with an exception that escaped the session ("Session failed", no access log).
    [Theory]
    [InlineData("ws")]
    [InlineData("wss")]
    public async Task Violation_from_a_client_that_reads_nothing_is_logged_as_a_violation(string scheme)
    {
        await using var setup = await Setup.OpenAsync(scheme);

        using var stop = new CancellationTokenSource();
        var flood = FloodUntilStalledAsync(setup.UpstreamSide, RawFrame.Build(true, 0x2, new byte[60 * 1024]), stop.Token);
        await flood.Stalled;

        await setup.Client.SendAsync(RawFrame.Build(true, 0x1, "unmasked"u8)); // a client must mask: 1002

        var line = await setup.SessionLineAsync();
        Assert.Contains("ended_by=Violation side=Client", line);
        stop.Cancel();
        await flood.Done;
    }

    /// Defect 4: the client's reader was blocked on writing upstream (the upstream reads nothing), the upstream's
    /// reader waited for the upstream, and nobody saw the client's reset until the upstream closed.
    [Theory]
    [InlineData("ws")]
    [InlineData("wss")]
    public async Task Client_reset_while_the_upstream_reads_nothing_ends_the_session_at_once(string scheme)
    {
        await using var setup = await Setup.OpenAsync(scheme);

        using var stop = new CancellationTokenSource();
        var flood = FloodUntilStalledAsync(setup.Client, RawFrame.Build(true, 0x2, new byte[60 * 1024], Key), stop.Token);
        await flood.Stalled;

        var reset = DateTime.UtcNow;
        HostilePeers.Reset(setup.ClientSocket);
        var line = await setup.SessionLineAsync();
        var noticedAfter = DateTime.UtcNow - reset;

        Assert.Contains("closed_by=client", line);
        Assert.True(noticedAfter < TimeSpan.FromSeconds(2), $"the reset was noticed after {noticedAfter.TotalMilliseconds} ms");
        stop.Cancel();
        await flood.Done;
    }

    /// The same from the other side: the upstream resets while the client reads nothing and the upstream floods.
    [Fact]
    public async Task Upstream_reset_while_the_client_reads_nothing_ends_the_session_at_once()
    {
        await using var setup = await Setup.OpenAsync("ws");

        using var stop = new CancellationTokenSource();
        var flood = FloodUntilStalledAsync(setup.UpstreamSide, RawFrame.Build(true, 0x2, new byte[60 * 1024]), stop.Token);
        await flood.Stalled;

        setup.Upstream.ResetAll();
        var line = await setup.SessionLineAsync();

        Assert.Contains("closed_by=upstream", line);
        stop.Cancel();
        await flood.Done;
    }

    /// The gateway, a session through it from a raw client, and the scripted upstream's end of it.
    private sealed record Setup(ScriptedUpstream Upstream, GatewayUnderTest Gateway, HostilePeers Peers,
        System.Net.Sockets.Socket ClientSocket, FrameStream Client, FrameStream UpstreamSide) : IAsyncDisposable
    {
        public static async Task<Setup> OpenAsync(string scheme)
        {
            var upstream = ScriptedUpstream.Accepting();
            var gateway = await GatewayUnderTest.ForUpstreamAsync(upstream.Address, Limits);
            var peers = new HostilePeers();
            var (socket, client) = await peers.OpenSessionAsync(scheme == "ws" ? gateway.Ws : gateway.Wss, "/ws/raw");
            var (_, upstreamSide) = await upstream.AcceptAsync();
            return new Setup(upstream, gateway, peers, socket, client, upstreamSide);
        }

        /// The access-log line of the session, which must come without a "Session failed".
        public async Task<string> SessionLineAsync()
        {
            var line = await Gateway.Logs.WaitForAsync("Session: route=test", TimeSpan.FromSeconds(5));
            Assert.DoesNotContain(Gateway.Logs.Lines, l => l.Contains("Session failed", StringComparison.Ordinal));
            return line;
        }

        public async ValueTask DisposeAsync()
        {
            Peers.Dispose();
            await UpstreamSide.DisposeAsync();
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
        }
    }

    private sealed record Flood(Task Stalled, Task Done);

    /// Writes `frame` until a write has been blocked for half a second (TCP flow control: the other end reads
    /// nothing and every buffer between is full), then keeps writing until `stop` or the connection fails.
    private static Flood FloodUntilStalledAsync(FrameStream to, byte[] frame, CancellationToken stop)
    {
        var stalled = new TaskCompletionSource();
        var done = Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var write = to.Stream.WriteAsync(frame, stop).AsTask();
                    if (await Task.WhenAny(write, Task.Delay(500, CancellationToken.None)) != write)
                    {
                        stalled.TrySetResult();
                    }

                    await write;
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
            }

            stalled.TrySetException(new InvalidOperationException("the connection ended before it backed up"));
        });
        return new Flood(stalled.Task.WaitAsync(TimeSpan.FromSeconds(30)), done);
    }
}
