using System.Text.Json;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Files;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Cli;

/// README's quick start: the default gateway.yaml, run by the real executable on a fresh checkout (no
/// certificate yet), relays a ws client's messages over wss:// to the demo echo upstream. The file is copied with
/// only its ports changed, so the test can run beside a developer's gateway.
public sealed class QuickStartTests
{
    [Fact]
    public async Task Default_config_serves_wss_with_a_generated_certificate_and_the_demo_upstream()
    {
        using var temp = TempDirectory.Create("gateway-quickstart-");
        var directory = temp.Path;
        int wss = FreePort.Next(), ws = FreePort.Next(), echo = FreePort.Next(), admin = FreePort.Next();
        var yaml = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "gateway.yaml"))
            .Replace("127.0.0.1:8443", $"127.0.0.1:{wss}")
            .Replace("127.0.0.1:8080", $"127.0.0.1:{ws}")
            .Replace("127.0.0.1:9001", $"127.0.0.1:{echo}")
            .Replace("127.0.0.1:9090", $"127.0.0.1:{admin}");
        File.WriteAllText(Path.Combine(directory, "gateway.yaml"), yaml);

        await using var gateway = GatewayProcess.Start(directory);
        await gateway.WaitForOutputAsync($"Listening on http://127.0.0.1:{ws}", TimeSpan.FromSeconds(30));

        Assert.Contains(gateway.Output, l => l.Contains("self-signed development certificate"));
        var (exit, output, error) = await NodePeer.RunAsync(TimeSpan.FromSeconds(60), "echo-client.js",
            $"wss://localhost:{wss}/echo", "--ca", Path.Combine(directory, "certs", "dev.crt"), "--sizes", "0,10,70000");
        Assert.True(exit == 0, output + error);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("ok").GetBoolean());
        await gateway.WaitForOutputAsync("Session: route=echo", TimeSpan.FromSeconds(10));
        using var http = new HttpClient();
        Assert.Contains("gateway_handshakes_total{route=\"echo\",status=\"101\"} 1", await http.GetStringAsync($"http://127.0.0.1:{admin}/metrics"));
    }
}
