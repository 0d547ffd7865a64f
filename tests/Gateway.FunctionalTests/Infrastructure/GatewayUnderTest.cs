using Gateway.Configuration;
using Gateway.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.FunctionalTests.Infrastructure;

/// The gateway, started in-process from YAML on two loopback listeners (ws:// and wss:// with a self-signed
/// certificate) and driven only through sockets. `body` holds everything but `listen`.
public sealed class GatewayUnderTest : IAsyncDisposable
{
    private readonly GatewayApp _app;
    private readonly string _directory;

    private GatewayUnderTest(GatewayApp app, string directory, int wsPort, int wssPort, CapturedLogs logs)
    {
        _app = app;
        _directory = directory;
        Ws = new Uri($"ws://127.0.0.1:{wsPort}");
        Wss = new Uri($"wss://127.0.0.1:{wssPort}");
        Logs = logs;
    }

    public Uri Ws { get; }
    public Uri Wss { get; }
    public CapturedLogs Logs { get; }
    public string CertificatePath => Path.Combine(_directory, "test.crt");

    /// `tlsExtra` goes under the wss:// listener's `tls`, e.g. `client_certificates: { ... }`.
    public static async Task<GatewayUnderTest> StartAsync(string body, string tlsExtra = "")
    {
        string directory = Directory.CreateTempSubdirectory("gateway-test-").FullName;
        int wsPort = FreePort.Next();
        int wssPort = FreePort.Next();
        string yaml = $"""
            listen:
              - address: 127.0.0.1:{wsPort}
              - address: 127.0.0.1:{wssPort}
                tls:
                  certificates:
                    - cert: test.crt
                      key: test.key
                      self_signed_if_missing: true
            {Indent(tlsExtra, 6)}
            {body}
            """;
        var loaded = ConfigLoader.LoadFromText(yaml, "test.yaml", directory);
        if (loaded.Config is null)
        {
            throw new InvalidOperationException("test config invalid:\n" + string.Join("\n", loaded.Errors) + "\n" + yaml);
        }

        var logs = new CapturedLogs();
        var app = GatewayApp.Create(loaded.Config, logging => logging.AddProvider(logs));
        await app.StartAsync();
        return new GatewayUnderTest(app, directory, wsPort, wssPort, logs);
    }

    /// One route `/ws/{**rest}` to one upstream, with optional limits under the route.
    public static Task<GatewayUnderTest> ForUpstreamAsync(Uri upstream, string routeExtra = "", string upstreamExtra = "") =>
        StartAsync($$"""
            defaults:
              limits:
                # Raw test peers often never answer a Close: do not wait the default 5s for them.
                close_timeout: 300ms
            routes:
              - name: test
                match:
                  path: /ws/{**rest}
                upstream: backend
            {{Indent(routeExtra, 4)}}
            upstreams:
              backend:
                destinations: [{{upstream}}]
            {{Indent(upstreamExtra, 4)}}
            """);

    private static string Indent(string text, int spaces) =>
        string.Join("\n", text.Split('\n').Select(l => l.Length == 0 ? l : new string(' ', spaces) + l));

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
