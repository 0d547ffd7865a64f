using Gateway.Configuration;
using Gateway.Demo;
using Gateway.Diagnostics;
using Gateway.Operations;
using Gateway.Routing;
using Gateway.Upgrade;
using Gateway.Upstream;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace Gateway.Hosting;

/// The composition root: Kestrel listeners from `listen`, YARP routes and clusters from `routes` and `upstreams`,
/// and the WebSocket upgrade path in front of YARP's forwarder. Program.cs runs it; functional tests start it
/// in-process and talk to it over loopback sockets only.
public sealed class GatewayApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly WebApplication? _demo;
    private readonly System.Net.IPEndPoint? _demoEndPoint;
    private readonly GatewayConfig _config;
    private ConfigFileWatcher? _watcher;

    private GatewayApp(GatewayConfig config, WebApplication app, WebApplication? demo, System.Net.IPEndPoint? demoEndPoint)
    {
        _config = config;
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
        LogSetup.Configure(builder.Logging, config.Operations.LogFormat, configureLogging);
        using var startupLogging = LoggerFactory.Create(logging => LogSetup.Configure(logging, config.Operations.LogFormat, configureLogging));
        var startupLogger = startupLogging.CreateLogger("Gateway.Tls");
        // Certificates load now, so a missing or unreadable file stops the start with a clear error.
        var listeners = new ListenerSet();
        listeners.Apply(ListenerSet.Prepare(config, startupLogger));
        // Our own socket transport (Transport/): plain sessions leave Kestrel after the 101.
        builder.Services.AddSingleton<Microsoft.AspNetCore.Connections.IConnectionListenerFactory>(services =>
        {
            var transportLogger = services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Transport");
            Transport.SocketEventLoop.FaultLogger ??= transportLogger; // the loops are per process: the first host's
            return new Transport.SocketTransportFactory(listeners.AcceptSettingsFor, transportLogger);
        });
        builder.WebHost.ConfigureKestrel(listeners.ConfigureKestrel);
        builder.Services.AddSingleton(listeners);
        ServiceComposition.AddOperations(builder.Services, config.Operations);

        // YARP's session affinity protects cookies with Data Protection; affinity is not configurable here, so keys
        // stay in memory instead of being written under the service user's home.
        builder.Services.AddDataProtection().UseEphemeralDataProtectionProvider();
        builder.Services.AddReverseProxy().LoadFromMemory(YarpConfigTranslator.Routes(config), YarpConfigTranslator.Clusters(config));
        builder.Services.AddSingleton(new RouteTableHolder(new RouteTable(config)));
        builder.Services.AddSingleton<DestinationPicker>();
        builder.Services.AddSingleton<UpstreamConnector>();
        builder.Services.AddSingleton<UpgradeHandler>();
        builder.Services.AddSingleton<Policies.PolicyGate>();

        var app = builder.Build();
        var handler = app.Services.GetRequiredService<UpgradeHandler>();
        var metrics = app.Services.GetRequiredService<GatewayMetrics>();
        var requestLogger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway.Requests");
        app.Use((context, next) => RequestHeadChecks.RunAsync(context, next, requestLogger));
        app.MapReverseProxy(proxy =>
        {
            // (2) YARP matched the route. WebSocket upgrades leave here for our own handshake and relay.
            proxy.Use(async (context, next) =>
            {
                if (WebSocketRequest.IsAttempt(context.Request))
                {
                    metrics.ObserveHandshake(context, context.GetReverseProxyFeature().Route.Config.RouteId);
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
        return new GatewayApp(config, app, demo, config.Demo?.EchoEndPoint);
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
        var listeners = Services.GetRequiredService<ListenerSet>();
        foreach (var address in _app.Urls)
        {
            var (url, serves) = listeners.Describe(address);
            Log.Listening(logger, url, serves);
        }

        await Services.GetRequiredService<AdminServer>().StartAsync(_config.Operations.Admin);
        Services.GetRequiredService<ServiceState>().Listening();
        if (File.Exists(_config.SourcePath))
        {
            _watcher = new ConfigFileWatcher(_config.SourcePath, () => ReloadAsync("file change"));
        }

        Services.GetRequiredService<SystemdNotifier>().Ready(Services.GetRequiredService<SessionRegistry>().Count);
    }

    /// Re-reads the config file and applies it, or keeps the running one (see ConfigReloader).
    public Task<bool> ReloadAsync(string trigger) => Services.GetRequiredService<ConfigReloader>().ReloadAsync(trigger);

    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        _watcher?.Dispose();
        await _app.StopAsync(cancellationToken);
        await Services.GetRequiredService<AdminServer>().StopAsync();
        if (_demo is not null)
        {
            await _demo.StopAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _watcher?.Dispose();
        await _app.DisposeAsync();
        if (_demo is not null)
        {
            await _demo.DisposeAsync();
        }
    }
}
