using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Operations;

/// Contract section 5, reload: 50 npm `ws` sessions send sequence-numbered messages all along while the file is
/// changed three times (a route added, a limit changed, an unrelated route removed) and once broken.
public sealed class ReloadUnderLoadTests(NodeEchoUpstream upstream) : IClassFixture<NodeEchoUpstream>
{
    private const string Keep = "  - name: keep\n    match: { path: '/keep/{**rest}' }\n    upstream: echo\n";
    // A frame limit no "seq:N" message fits in: sessions that started before it must not feel it.
    private const string KeepTightened = Keep + "    limits: { max_frame_size: 4 }\n";
    private const string Doomed = "  - name: doomed\n    match: { path: '/doomed/{**rest}' }\n    upstream: echo\n";
    private const string Fresh = "  - name: fresh\n    match: { path: '/fresh/{**rest}' }\n    upstream: echo\n";

    private string Yaml(int port, string routes) => $"""
        listen:
          - address: 127.0.0.1:{port}
        defaults:
          # 50 sessions from 127.0.0.1 at once: above the default per-address handshake burst (40).
          limits: {"{"} close_timeout: 2s, handshakes_per_ip: {"{"} rate: 200, burst: 200 {"}"}, max_connections_per_ip: 200 {"}"}
        routes:
        {routes}
        upstreams:
          echo: {"{"} destinations: ['{upstream.Address}'] {"}"}
        """;

    [Fact]
    public async Task Sessions_on_kept_routes_lose_nothing_the_removed_route_gets_1012_and_a_broken_file_changes_nothing()
    {
        int port = FreePort.Next();
        var ws = new Uri($"ws://127.0.0.1:{port}");
        await using var gateway = await ReloadableGateway.StartAsync(Yaml(port, Keep + Doomed));
        await using var sessions = await SessionsClient.OpenAsync((new Uri(ws, "/keep/a"), 49), (new Uri(ws, "/doomed/a"), 1));
        await Task.Delay(300);

        // 1. A route added: it serves at once.
        Assert.Contains("routes added=fresh removed=- changed=-", await gateway.RewriteAsync(Yaml(port, Keep + Doomed + Fresh)));
        await AssertEchoesAsync(new Uri(ws, "/fresh/x"));
        await Task.Delay(200);

        // 2. A limit changed on the route the sessions run on: new sessions get it, the running ones keep theirs.
        Assert.Contains("changed=keep;", await gateway.RewriteAsync(Yaml(port, KeepTightened + Doomed + Fresh)));
        var (exit, output, _) = await NodePeer.RunAsync(TimeSpan.FromSeconds(20), "echo-client.js", new Uri(ws, "/keep/new").ToString(), "--sizes", "10");
        Assert.Equal(1, exit);
        Assert.Contains("closed 1009", output);
        await Task.Delay(200);

        // 3. An unrelated route removed: its session is closed with 1012.
        Assert.Contains("removed=doomed changed=-; listeners added=- removed=-; sessions closed with 1012: 1",
            await gateway.RewriteAsync(Yaml(port, KeepTightened + Fresh)));
        await Task.Delay(200);

        // A broken file is refused whole; the routes of the last good one keep serving.
        Assert.Contains("rejected with 1 error(s)", await gateway.RewriteAsync(Yaml(port, KeepTightened + Fresh) + "  bogus: [\n"));
        await AssertEchoesAsync(new Uri(ws, "/fresh/y"));
        await Task.Delay(200);

        await sessions.StopAsync();
        var results = await sessions.ResultsAsync(TimeSpan.FromSeconds(20));
        var kept = results.Where(r => r.Url.Contains("/keep/", StringComparison.Ordinal)).ToList();
        Assert.Equal(49, kept.Count);
        Assert.All(kept, s =>
        {
            Assert.Null(s.Error);
            Assert.True(s.Ordered, $"echoes out of order: {s}");
            Assert.Equal(s.Sent, s.Received);
            Assert.True(s.Sent > 20, $"too little traffic to show anything: {s}");
            Assert.Equal(1000, s.Code);
        });
        var doomed = Assert.Single(results, r => r.Url.Contains("/doomed/", StringComparison.Ordinal));
        Assert.Equal(1012, doomed.Code);
        Assert.Equal("gateway restarting", doomed.Reason);
        Assert.True(doomed.Ordered);
    }

    private static async Task AssertEchoesAsync(Uri url)
    {
        var (exit, output, error) = await NodePeer.RunAsync(TimeSpan.FromSeconds(20), "echo-client.js", url.ToString(), "--sizes", "0,10,1000");
        Assert.True(exit == 0, output + error);
    }
}
