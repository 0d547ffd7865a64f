using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Operations;

/// Listener changes on reload, in process: a new port and a new certificate take effect without dropping the
/// sessions on the listeners that remain; a removed listener's sessions get 1012 before it stops listening.
public sealed class ListenerReloadTests(NodeEchoUpstream upstream) : IClassFixture<NodeEchoUpstream>
{
    private string Yaml(string listeners) => $"""
        listen:
        {listeners}
        defaults:
          limits: {"{"} close_timeout: 2s {"}"}
        routes:
          - name: echo
            match: {"{"} path: '/ws/{"{"}**rest{"}"}' {"}"}
            upstream: echo
        upstreams:
          echo: {"{"} destinations: ['{upstream.Address}'] {"}"}
        """;

    private static string Plain(int port) => $"  - address: 127.0.0.1:{port}\n";

    private static string Tls(int port, string name) =>
        $"  - address: 127.0.0.1:{port}\n    tls:\n      certificates:\n        - {{ cert: {name}.crt, key: {name}.key, self_signed_if_missing: true }}\n";

    [Fact]
    public async Task New_port_and_new_certificate_apply_while_sessions_on_remaining_listeners_run_on()
    {
        int plain = FreePort.Next(), tls = FreePort.Next(), added = FreePort.Next();
        await using var gateway = await ReloadableGateway.StartAsync(Yaml(Plain(plain) + Tls(tls, "first")));
        using var onPlain = await Clients.ConnectAsync(new Uri($"ws://127.0.0.1:{plain}/ws/a"));
        var (onTls, firstCertificate) = await ConnectTlsAsync(tls);
        await AssertEchoAsync(onPlain, "before");
        await AssertEchoAsync(onTls, "before");

        var reloaded = await gateway.RewriteAsync(Yaml(Plain(plain) + Tls(tls, "second") + Plain(added)));

        Assert.Contains($"listeners added=127.0.0.1:{added} removed=-", reloaded);
        await AssertEchoAsync(onPlain, "after");
        await AssertEchoAsync(onTls, "after");
        using var onAdded = await Clients.ConnectAsync(new Uri($"ws://127.0.0.1:{added}/ws/b"));
        await AssertEchoAsync(onAdded, "new port");
        var (again, secondCertificate) = await ConnectTlsAsync(tls);
        Assert.NotEqual(firstCertificate, secondCertificate);
        await AssertEchoAsync(again, "new certificate");

        // The plain listener removed: its session is told 1012, then the port is closed; the others run on.
        reloaded = await gateway.RewriteAsync(Yaml(Tls(tls, "second") + Plain(added)));

        Assert.Contains($"removed=127.0.0.1:{plain}; sessions closed with 1012: 1", reloaded);
        var (closeType, _) = await Clients.ReceiveMessageAsync(onPlain, TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketMessageType.Close, closeType);
        Assert.Equal(1012, (int)onPlain.CloseStatus!);
        Assert.Equal("gateway restarting", onPlain.CloseStatusDescription);
        await Assert.ThrowsAnyAsync<SocketException>(async () =>
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync("127.0.0.1", plain);
        });
        await AssertEchoAsync(onTls, "still");
        await AssertEchoAsync(onAdded, "still");
        onTls.Dispose();
        again.Dispose();
    }

    [Fact]
    public async Task A_new_address_that_is_taken_rejects_the_reload_whole_and_the_reload_counter_says_so()
    {
        int plain = FreePort.Next(), admin = FreePort.Next();
        using var squatter = new TcpListener(System.Net.IPAddress.Loopback, 0);
        squatter.Start();
        int taken = ((System.Net.IPEndPoint)squatter.LocalEndpoint).Port;
        var adminYaml = $"\nadmin: {{ address: 127.0.0.1:{admin} }}\n";
        await using var gateway = await ReloadableGateway.StartAsync(Yaml(Plain(plain)) + adminYaml);

        var rejected = await gateway.RewriteAsync(Yaml(Plain(plain) + Plain(taken)) + adminYaml);
        Assert.Contains("rejected with 1 error(s)", rejected);
        Assert.Contains(gateway.Logs.Lines, l => l.Contains($"listen: 127.0.0.1:{taken}: cannot listen there (AddressAlreadyInUse)", StringComparison.Ordinal));
        Assert.Contains("routes added=- removed=- changed=-", await gateway.RewriteAsync(Yaml(Plain(plain)) + adminYaml + "# touched\n"));

        using var onPlain = await Clients.ConnectAsync(new Uri($"ws://127.0.0.1:{plain}/ws/a"));
        await AssertEchoAsync(onPlain, "still serving");
        using var http = new HttpClient();
        var metrics = PrometheusTextParser.Parse(await http.GetStringAsync($"http://127.0.0.1:{admin}/metrics"));
        Assert.Equal(1, metrics["gateway_config_reloads_total{result=\"failure\"}"]);
        Assert.Equal(1, metrics["gateway_config_reloads_total{result=\"success\"}"]);
    }

    private static async Task<(ClientWebSocket Socket, string Thumbprint)> ConnectTlsAsync(int port)
    {
        string? thumbprint = null;
        var socket = new ClientWebSocket();
        socket.Options.KeepAliveInterval = TimeSpan.Zero;
        socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
        {
            thumbprint = (certificate as X509Certificate2)?.Thumbprint ?? certificate?.GetCertHashString();
            return true;
        };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri($"wss://127.0.0.1:{port}/ws/tls"), cts.Token);
        return (socket, thumbprint!);
    }

    private static async Task AssertEchoAsync(WebSocket socket, string text)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        var (type, data) = await Clients.ReceiveMessageAsync(socket, TimeSpan.FromSeconds(10));
        Assert.Equal(WebSocketMessageType.Text, type);
        Assert.Equal(text, Encoding.UTF8.GetString(data));
    }
}
