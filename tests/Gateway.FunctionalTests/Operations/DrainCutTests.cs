using System.Diagnostics;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Operations;

/// Contract section 5, drain: a session whose client never answers the 1001 is cut when the grace ends. Plain
/// sessions are no longer Kestrel's connections once they run, so the gateway cuts them itself (hosted in-process
/// here: a process exit would close the socket anyway).
public sealed class DrainCutTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_client_that_ignores_the_1001_is_cut_at_the_end_of_the_grace_and_the_host_stops()
    {
        await using var upstream = NodePeer.Start("echo-upstream.js", "0");
        var listening = await upstream.Process.StandardOutput.ReadLineAsync();
        var upstreamUri = new Uri("ws://127.0.0.1:" + listening!.Split(' ')[1]);
        var gateway = await GatewayUnderTest.StartAsync($"""
            shutdown_grace: {Grace.TotalSeconds}s
            defaults:
              limits: {"{"} close_timeout: 60s {"}"}
            routes:
              - name: echo
                match: {"{"} path: '/ws/{"{"}**rest{"}"}' {"}"}
                upstream: echo
            upstreams:
              echo: {"{"} destinations: ['{upstreamUri}'] {"}"}
            """);
        await using var client = await RawClient.ConnectAsync(gateway.Ws, "/ws/silent");
        Assert.Equal(101, client.Status);
        // An echo shows the relay is running (and the session registered) before the drain starts.
        await client.Frames.SendFrameAsync(WireFrame.Text, "ping"u8.ToArray(), mask: true);
        var echo = await client.Frames.ReadFrameAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("ping"u8.ToArray(), echo!.Payload);

        var stopping = Stopwatch.StartNew();
        var stopped = gateway.DisposeAsync().AsTask();
        var close = await client.Frames.ReadFrameAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WireFrame.Close, close!.Opcode);

        // The client never answers: at the end of the grace its connection is dropped (well before close_timeout),
        // in-process too, where no process exit would close it.
        Assert.True(await client.Frames.WaitForEndAsync(Grace + TimeSpan.FromSeconds(5)), "the connection was not cut");
        Assert.True(stopping.Elapsed >= Grace - TimeSpan.FromMilliseconds(200), $"cut after {stopping.Elapsed}, before the grace");
        await stopped.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Contains(gateway.Logs.Lines, l => l.Contains("; 1 session(s) still open are cut", StringComparison.Ordinal));
    }
}
