using System.Diagnostics;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Files;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Operations;

/// Contract section 5, drain: SIGTERM to the real process with 50 npm `ws` sessions open.
public sealed class DrainTests
{
    private const int Sessions = 50;
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Sigterm_sends_1001_to_both_legs_of_every_session_and_exits_0_within_the_grace()
    {
        await using var upstream = NodePeer.Start("echo-upstream.js", "0", "--report-closes");
        var listening = await upstream.Process.StandardOutput.ReadLineAsync();
        var upstreamUri = new Uri("ws://127.0.0.1:" + listening!.Split(' ')[1]);
        int port = FreePort.Next();
        using var temp = TempDirectory.Create("gateway-drain-");
        var directory = temp.Path;
        File.WriteAllText(Path.Combine(directory, "gateway.yaml"), $"""
            listen:
              - address: 127.0.0.1:{port}
            shutdown_grace: {Grace.TotalSeconds}s
            defaults:
              # All sessions come from 127.0.0.1 at once: above the default per-address handshake burst (40).
              limits: {"{"} handshakes_per_ip: {"{"} rate: 200, burst: 200 {"}"}, max_connections_per_ip: 200 {"}"}
            routes:
              - name: echo
                match: {"{"} path: '/ws/{"{"}**rest{"}"}' {"}"}
                upstream: echo
            upstreams:
              echo: {"{"} destinations: ['{upstreamUri}'] {"}"}
            """);
        await using var gateway = GatewayProcess.Start(directory);
        await gateway.WaitForOutputAsync($"Listening on http://127.0.0.1:{port}", TimeSpan.FromSeconds(30));
        await using var clients = await SessionsClient.OpenAsync((new Uri($"ws://127.0.0.1:{port}/ws/drain"), Sessions));
        await Task.Delay(300);

        var stopping = Stopwatch.StartNew();
        gateway.Signal("TERM");
        var exit = await gateway.WaitForExitAsync(Grace + TimeSpan.FromSeconds(10));
        var elapsed = stopping.Elapsed;

        Assert.True(exit == 0, $"exit {exit}:\n" + string.Join("\n", gateway.Output));
        Assert.True(elapsed < Grace, $"took {elapsed}");
        var results = await clients.ResultsAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(Sessions, results.Count);
        Assert.All(results, s =>
        {
            Assert.Null(s.Error);
            Assert.Equal(1001, s.Code);
            Assert.Equal("gateway shutting down", s.Reason);
            Assert.True(s.Ordered);
        });
        // Every close handshake completed in the grace: no session was left to cut.
        Assert.Contains(gateway.Output, l => l.Contains("session(s) still open are cut", StringComparison.Ordinal) && l.Contains("; 0 session(s)", StringComparison.Ordinal));
        Assert.Equal(Sessions, gateway.Output.Count(l => l.Contains("close_code=1001 closed_by=gateway ended_by=Draining", StringComparison.Ordinal)));

        var upstreamCloses = new List<string>();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (upstreamCloses.Count < Sessions && await upstream.Process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            upstreamCloses.Add(line);
        }

        Assert.Equal(Enumerable.Repeat("closed 1001 gateway shutting down", Sessions), upstreamCloses);
    }
}
