using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.FunctionalTests.Policies;

/// The services auth policies call, on loopback: a JWKS endpoint whose keys a test can rotate, and an external auth
/// endpoint that admits `Bearer let-me-in` (with identity headers), forbids `Bearer forbid`, and refuses the rest;
/// `/slow` answers after 5 s and `/error` with 500.
public sealed class TestAuthServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _jwksFetches;
    private int _checks;

    private TestAuthServer(WebApplication app) => _app = app;

    public Uri Url { get; private set; } = null!;

    public string Jwks { get; set; } = """{"keys":[]}""";

    public int JwksFetches => Volatile.Read(ref _jwksFetches);

    public int Checks => Volatile.Read(ref _checks);

    /// A copy: Kestrel reuses a request's header collection once the request is done.
    public IHeaderDictionary? LastCheckHeaders { get; private set; }

    public static async Task<TestAuthServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new TestAuthServer(app);
        app.MapGet("/jwks", () =>
        {
            Interlocked.Increment(ref server._jwksFetches);
            return Results.Text(server.Jwks, "application/json");
        });
        app.MapGet("/check", (HttpContext context) =>
        {
            Interlocked.Increment(ref server._checks);
            server.LastCheckHeaders = new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
            switch (context.Request.Headers.Authorization.ToString())
            {
                case "Bearer let-me-in":
                    context.Response.Headers["X-Auth-Subject"] = "ext-user";
                    context.Response.Headers["X-Auth-Role"] = "admin";
                    return Results.Ok();
                case "Bearer forbid":
                    return Results.StatusCode(403);
                default:
                    context.Response.Headers.WWWAuthenticate = "Basic realm=\"ext\"";
                    return Results.StatusCode(401);
            }
        });
        app.MapGet("/slow", async (CancellationToken aborted) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5), aborted);
            return Results.Ok();
        });
        app.MapGet("/error", () => Results.StatusCode(500));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Url = new Uri(address);
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
