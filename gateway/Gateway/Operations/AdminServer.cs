using System.Net;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Operations;

/// `admin.address`: /healthz (the process answers), /readyz (listeners bound and not draining: 200, else 503),
/// /metrics (Prometheus text). A listener of its own, apart from the routes, so no route can shadow it and it can
/// stay on loopback while the gateway listens publicly. A reload that moves it restarts it in place.
public sealed class AdminServer(ServiceState state, PrometheusExporter exporter, ILogger<AdminServer> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);
    private WebApplication? _app;

    public async Task StartAsync(AdminConfig? admin)
    {
        await _one.WaitAsync();
        try
        {
            await StartLockedAsync(admin);
        }
        finally
        {
            _one.Release();
        }
    }

    public async Task RestartAsync(AdminConfig? admin)
    {
        await _one.WaitAsync();
        try
        {
            await StopLockedAsync();
            await StartLockedAsync(admin);
        }
        finally
        {
            _one.Release();
        }
    }

    public async Task StopAsync()
    {
        await _one.WaitAsync();
        try
        {
            await StopLockedAsync();
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task StartLockedAsync(AdminConfig? admin)
    {
        if (admin is null)
        {
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(admin.EndPoint);
        });
        var app = builder.Build();
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.MapGet("/readyz", () => state.IsReady
            ? Results.Text("ready\n")
            : Results.Text(state.IsDraining ? "draining\n" : "starting\n", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/metrics", () => Results.Text(exporter.Scrape(), PrometheusExporter.ContentType));
        await app.StartAsync();
        _app = app;
        Log.AdminListening(logger, admin.EndPoint.ToString());
    }

    private async Task StopLockedAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
