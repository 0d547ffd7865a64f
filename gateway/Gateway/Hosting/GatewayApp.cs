using Gateway.Configuration;
using Gateway.Demo;
using Gateway.Diagnostics;
using Gateway.Routing;
using Gateway.Tls;
using Gateway.Upgrade;
using Gateway.Upstream;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Hosting;

/// The composition root: Kestrel listeners from `listen`, YARP routes and clusters from `routes` and `upstreams`,
/// and the WebSocket upgrade path in front of YARP's forwarder. Program.cs runs it; functional tests start it
/// in-process and talk to it over loopback sockets only.
public sealed class GatewayApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WebApplication? _demo;
    private readonly System.Net.IPEndPoint? _demoEndPoint;

    private GatewayApp(WebApplication app, WebApplication? demo, System.Net.IPEndPoint? demoEndPoint)
    {
        _app = app;
        _demo = demo;
        _demoEndPoint = demoEndPoint;
    }

    public IServiceProvider Services => _app.Services;

    public static GatewayApp Create(GatewayConfig config, Action<ILoggingBuilder>? configureLogging = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = Path.GetDirectoryName(Path.GetFullPath(config.SourcePath)),
        });
        ConfigureLogging(builder.Logging, configureLogging);
        using var startupLogging = LoggerFactory.Create(logging => ConfigureLogging(logging, configureLogging));
        var startupLogger = startupLogging.CreateLogger("Gateway.Tls");
        // Certificates load now, so a missing or unreadable file stops the start with a clear error.
        var https = config.Listeners.ToDictionary(l => l, l => l.Tls is null ? null : ListenerTls.Options(l.Tls, startupLogger));
        builder.WebHost.UseSockets(TransportTuning.Configure);
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IMemoryPoolFactory<byte>, LargeBlockMemoryPoolFactory>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            foreach (var listener in config.Listeners)
            {
                kestrel.Listen(listener.EndPoint, options =>
                {
                    // WebSocket upgrades are HTTP/1.1 (RFC 6455); HTTP/2 WebSockets (RFC 8441) are not relayed yet.
                    options.Protocols = HttpProtocols.Http1;
                    if (https[listener] is { } tls)
                    {
                        options.UseHttps(tls);
                    }
                });
            }
        });

        // YARP's session affinity protects cookies with Data Protection; affinity is not configurable here, so keys
        // stay in memory instead of being written under the service user's home.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddReverseProxy().LoadFromMemory(YarpConfigTranslator.Routes(config), YarpConfigTranslator.Clusters(config));
        builder.Services.AddSingleton(new RouteTableHolder(new RouteTable(config)));
        builder.Services.AddSingleton<DestinationPicker>();
        builder.Services.AddSingleton<UpstreamConnector>();
        builder.Services.AddSingleton<UpgradeHandler>();

        var app = builder.Build();
        var handler = app.Services.GetRequiredService<UpgradeHandler>();
        app.MapReverseProxy(proxy =>
        {
            // (2) YARP matched the route. WebSocket upgrades leave here for our own handshake and relay.
            proxy.Use(async (context, next) =>
            {
                if (WebSocketRequest.IsAttempt(context.Request))
                {
                    await handler.HandleAsync(context);
                    return;
                }

                await next();
            });
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        app.MapFallback(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("no route matches this request\n");
        });

        var demo = config.Demo is null ? null : EchoServer.Build(config.Demo.EchoEndPoint);
        return new GatewayApp(app, demo, config.Demo?.EchoEndPoint);
    }

    private static void ConfigureLogging(ILoggingBuilder logging, Action<ILoggingBuilder>? configure)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            o.UseUtcTimestamp = true;
        });
        // Kestrel and YARP narrate every request at Information; the gateway's own lines are what operators read.
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Yarp", LogLevel.Warning);
        // With this logger enabled at any level, ASP.NET Core starts an Activity for every request, which a session
        // then holds for its whole life; it only narrates requests, which the access log line already covers.
        logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        configure?.Invoke(logging);
    }

    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        var logger = _app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway");
        if (_demo is not null)
        {
            await _demo.StartAsync(cancellationToken);
            Log.DemoEchoStarted(logger, _demoEndPoint!.ToString());
        }

        await _app.StartAsync(cancellationToken);
        foreach (var address in _app.Urls)
        {
            Log.Listening(logger, address, address.StartsWith("https", StringComparison.Ordinal) ? "wss/https" : "ws/http");
        }
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _app.StopAsync(cancellationToken);
        if (_demo is not null)
        {
            await _demo.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        if (_demo is not null)
        {
            await _demo.DisposeAsync();
        }
    }
}
