using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Files;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Operations;

/// The access log line as the real process writes it: JSON when configured, journald's format under systemd, and
/// never a token from the query string.
public sealed class AccessLogFormatTests
{
    private const string Token = "s3cret-t0ken";

    [Fact]
    public async Task Json_logs_carry_the_access_fields_and_no_credential()
    {
        var (output, _) = await RunOneSessionAsync("logging: { format: json }\n", new Dictionary<string, string>());

        var line = Assert.Single(output, l => l.Contains("\"EventId\":3001", StringComparison.Ordinal));
        var state = JsonDocument.Parse(line).RootElement.GetProperty("State");
        Assert.Equal("echo", state.GetProperty("Route").GetString());
        Assert.Equal("127.0.0.1", state.GetProperty("Client").GetString());
        Assert.Equal(1000, state.GetProperty("CloseCode").GetInt32());
        Assert.Equal("client", state.GetProperty("ClosedBy").GetString());
        Assert.Equal(4, state.GetProperty("MessagesIn").GetInt64());
        Assert.Equal(20, state.GetProperty("BytesIn").GetInt64());
        Assert.DoesNotContain(output, l => l.Contains(Token, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Under_systemd_lines_carry_a_syslog_priority_prefix_and_no_timestamp()
    {
        var (output, _) = await RunOneSessionAsync("", new Dictionary<string, string> { ["JOURNAL_STREAM"] = "8:12345" });

        var line = Assert.Single(output, l => l.Contains("Session: route=echo", StringComparison.Ordinal));
        Assert.StartsWith("<6>Gateway.Upgrade.UpgradeHandler[3001] Session: route=echo client=127.0.0.1 ", line);
        Assert.Contains(" close_code=1000 closed_by=client ", line);
        Assert.DoesNotContain(output, l => l.Contains(Token, StringComparison.Ordinal));
    }

    private static async Task<(IReadOnlyList<string> Output, int Port)> RunOneSessionAsync(string extra, Dictionary<string, string> environment)
    {
        int port = FreePort.Next(), echo = FreePort.Next();
        using var temp = TempDirectory.Create("gateway-log-");
        var directory = temp.Path;
        File.WriteAllText(Path.Combine(directory, "gateway.yaml"), $"""
            listen:
              - address: 127.0.0.1:{port}
            routes:
              - name: echo
                match: {"{"} path: '/echo/{"{"}**rest{"}"}' {"}"}
                upstream: echo
            upstreams:
              echo: {"{"} destinations: ['ws://127.0.0.1:{echo}'] {"}"}
            demo: {"{"} echo_address: 127.0.0.1:{echo} {"}"}
            {extra}
            """);
        await using var gateway = GatewayProcess.Start(directory, environment);
        await gateway.WaitForOutputAsync($"127.0.0.1:{port}", TimeSpan.FromSeconds(30));
        var (exit, output, error) = await NodePeer.RunAsync(TimeSpan.FromSeconds(20), "echo-client.js",
            $"ws://127.0.0.1:{port}/echo/x?access_token={Token}", "--sizes", "0,10");
        Assert.True(exit == 0, output + error);
        await gateway.WaitForOutputAsync("3001", TimeSpan.FromSeconds(10));
        return (gateway.Output, port);
    }
}
