using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.FunctionalTests.Browser;

/// Serves one test page on two loopback ports, which browsers treat as two origins (RFC 6454: the port is part of
/// the origin). The page opens a WebSocket to `target`, sends two messages, and puts what happened in
/// `window.result`: "echo:hello,world" after both echoes, or "closed:CODE" if the socket closed first.
public sealed class PageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private PageServer(WebApplication app) => _app = app;

    public static string OriginOf(int port) => $"http://127.0.0.1:{port}";

    public static async Task<PageServer> StartAsync(Uri target, int allowed, int other)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, allowed);
            k.Listen(IPAddress.Loopback, other);
        });
        var app = builder.Build();
        app.MapGet("/", () => Results.Content(Page(target), "text/html; charset=utf-8"));
        await app.StartAsync();
        return new PageServer(app);
    }

    private static string Page(Uri target) => $$"""
        <!doctype html>
        <meta charset="utf-8">
        <title>gateway browser test</title>
        <script>
          const echoes = [];
          const socket = new WebSocket("{{target}}");
          socket.onopen = () => { socket.send("hello"); socket.send("world"); };
          socket.onmessage = e => {
            echoes.push(e.data);
            if (echoes.length === 2) { window.result = "echo:" + echoes.join(","); socket.close(1000, "done"); }
          };
          socket.onclose = e => { if (window.result === undefined) window.result = "closed:" + e.code; };
        </script>
        """;

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
