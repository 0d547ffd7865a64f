using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Files;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Operations;

/// The real process under a fake systemd: a unix datagram socket as $NOTIFY_SOCKET, and $WATCHDOG_USEC.
public sealed class SystemdNotifyTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Ready_then_reloading_and_ready_on_a_change_then_stopping_on_sigterm_with_watchdog_pings()
    {
        using var notify = new NotifySocket();
        int port = FreePort.Next(), echo = FreePort.Next();
        using var temp = TempDirectory.Create("gateway-notify-");
        var directory = temp.Path;
        var config = Path.Combine(directory, "gateway.yaml");
        string Yaml(string path) => $"""
            listen:
              - address: 127.0.0.1:{port}
            routes:
              - name: echo
                match: {"{"} path: '{path}' {"}"}
                upstream: echo
            upstreams:
              echo: {"{"} destinations: ['ws://127.0.0.1:{echo}'] {"}"}
            demo: {"{"} echo_address: 127.0.0.1:{echo} {"}"}
            """;
        File.WriteAllText(config, Yaml("/echo"));
        var environment = new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = notify.Path,
            ["WATCHDOG_USEC"] = "400000", // 0.4 s: pings every 0.2 s
        };

        await using var gateway = GatewayProcess.Start(directory, environment);
        var seen = await notify.UntilAsync("READY=1", Wait);
        // READY=1 means every listener is bound: the port answers now.
        using (var probe = new System.Net.Sockets.TcpClient())
        {
            await probe.ConnectAsync("127.0.0.1", port);
        }

        seen.AddRange(await notify.UntilAsync("WATCHDOG=1", TimeSpan.FromSeconds(5)));
        File.WriteAllText(config, Yaml("/echo2"));
        seen.AddRange(await notify.UntilAsync("RELOADING=1", Wait));
        seen.AddRange(await notify.UntilAsync("READY=1", Wait));
        gateway.Signal("TERM");
        seen.AddRange(await notify.UntilAsync("STOPPING=1", Wait));

        Assert.Equal(0, await gateway.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        var states = seen.Select(m => m.Split('\n')[0]).Where(s => s != "WATCHDOG=1").ToList();
        Assert.Equal(["READY=1", "RELOADING=1", "READY=1", "STOPPING=1"], states);
        var reloading = seen.Single(m => m.StartsWith("RELOADING=1", StringComparison.Ordinal)).Split('\n');
        Assert.Matches("^MONOTONIC_USEC=[0-9]+$", reloading[1]);
        Assert.Contains(seen, m => m == "WATCHDOG=1\nSTATUS=0 session(s) active");
        Assert.Contains("READY=1\nSTATUS=0 session(s) active", seen);
        Assert.Contains(gateway.Output, l => l.Contains("routes added=- removed=- changed=echo", StringComparison.Ordinal));
    }
}
