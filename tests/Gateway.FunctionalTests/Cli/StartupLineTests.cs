using Gateway.FunctionalTests.Hostile;

namespace Gateway.FunctionalTests.Cli;

/// Issue 23: a TLS listener was announced as `Listening on http://... (ws/http)`. The line names the schemes a
/// client uses, and for TLS the names the certificates are served for.
public sealed class StartupLineTests
{
    [Fact]
    public async Task Each_listener_is_announced_with_the_schemes_clients_use()
    {
        await using var gateway = await GatewayUnderAttack.StartAsync();

        Assert.Contains(gateway.Output, l => l.Contains($"Listening on http://127.0.0.1:{gateway.Ws.Port} (ws:// and http://)", StringComparison.Ordinal));
        Assert.Contains(gateway.Output, l => l.Contains(
            $"Listening on https://127.0.0.1:{gateway.Wss.Port} (wss:// and https://; certificates for localhost)", StringComparison.Ordinal));
    }
}
