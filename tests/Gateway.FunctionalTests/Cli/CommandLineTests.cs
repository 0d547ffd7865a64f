using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Files;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Cli;

/// Contract section 1, through the real executable.
public sealed class CommandLineTests
{
    [Fact]
    public async Task Check_accepts_the_default_config()
    {
        var (exit, output) = await GatewayProcess.RunAsync(RepositoryPaths.Root, "check", "--config", "gateway.yaml");

        Assert.Equal(0, exit);
        Assert.Equal(["config ok"], output);
    }

    [Fact]
    public async Task Check_prints_one_line_per_error_with_file_line_column_and_key()
    {
        using var temp = TempDirectory.Create("gateway-check-");
        var directory = temp.Path;
        File.WriteAllText(Path.Combine(directory, "bad.yaml"), """
            listen:
              - address: 127.0.0.1:8080
            defaults:
              limits:
                max_mesage_size: 1MiB
            routes:
              - name: chat
                match: { path: /ws }
                upstream: chatt
            upstreams:
              chat:
                destinations: [ws://127.0.0.1:9000]
            """);

        var (exit, output) = await GatewayProcess.RunAsync(directory, "check", "--config", "bad.yaml");

        Assert.Equal(1, exit);
        Assert.Equal(2, output.Count);
        Assert.Contains(output, l => l.StartsWith("bad.yaml:5:5: defaults.limits.max_mesage_size: ", StringComparison.Ordinal) && l.Contains("did you mean `max_message_size`?"));
        Assert.Contains(output, l => l.StartsWith("bad.yaml:9:15: routes[0].upstream: ", StringComparison.Ordinal) && l.Contains("`chat`"));
    }

    [Fact]
    public async Task Check_reports_a_missing_file()
    {
        var (exit, output) = await GatewayProcess.RunAsync(Path.GetTempPath(), "check", "--config", "does-not-exist.yaml");

        Assert.Equal(1, exit);
        Assert.StartsWith("does-not-exist.yaml:1:1: ", Assert.Single(output));
    }

    [Fact]
    public async Task Version_prints_the_version()
    {
        var (exit, output) = await GatewayProcess.RunAsync(RepositoryPaths.Root, "version");

        Assert.Equal(0, exit);
        Assert.Matches(@"^gateway \d+\.\d+\.\d+$", Assert.Single(output));
    }

    [Fact]
    public async Task Unknown_command_prints_usage_and_fails()
    {
        var (exit, output) = await GatewayProcess.RunAsync(RepositoryPaths.Root, "frobnicate");

        Assert.Equal(2, exit);
        Assert.Contains(output, l => l.Contains("unknown command `frobnicate`"));
        Assert.Contains(output, l => l.Contains("gateway check --config PATH"));
    }
}

/// A listener that cannot bind stops the start with one clear line, not a stack trace.
public sealed class StartupFailureTests
{
    [Fact]
    public async Task Port_in_use_is_reported_and_exits_1()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        int port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
        using var temp = TempDirectory.Create("gateway-bind-");
        var directory = temp.Path;
        File.WriteAllText(Path.Combine(directory, "gateway.yaml"), $$"""
            listen:
              - address: 127.0.0.1:{{port}}
            routes:
              - name: r
                match: { path: "/ws" }
                upstream: u
            upstreams:
              u:
                destinations: [ws://127.0.0.1:9]
            """);

        var (exit, output) = await GatewayProcess.RunAsync(directory);

        Assert.Equal(1, exit);
        Assert.Contains(output, l => l.StartsWith("gateway.yaml: cannot listen: ", StringComparison.Ordinal));
        Assert.DoesNotContain(output, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
    }
}
