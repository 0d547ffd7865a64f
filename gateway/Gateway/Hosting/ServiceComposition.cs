using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.Hosting;

/// The service side of the gateway: sessions registry, drain, reload, systemd notifications, metrics, admin listener.
public static class ServiceComposition
{
    /// Time the host gives Kestrel, after the drain's grace, to cut what is still open before the process exits.
    public static readonly TimeSpan ShutdownMargin = TimeSpan.FromSeconds(5);

    public static void AddOperations(IServiceCollection services, OperationsConfig operations)
    {
        // The drain runs inside the host's stop, so the host's timeout covers the grace plus Kestrel's own stop.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = operations.ShutdownGrace + ShutdownMargin);
        services.AddSingleton(new ServiceState(operations.ShutdownGrace));
        services.AddSingleton<SessionRegistry>();
        services.AddSingleton<ITrafficSource>(s => s.GetRequiredService<SessionRegistry>());
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton(s => new PrometheusExporter(s.GetRequiredService<GatewayMetrics>().Meter));
        services.AddSingleton<SystemdNotifier>();
        services.AddSingleton<AdminServer>();
        services.AddSingleton<ConfigReloader>();
        services.AddHostedService<GracefulDrain>();
        services.AddHostedService<SystemdWatchdog>();
    }
}
