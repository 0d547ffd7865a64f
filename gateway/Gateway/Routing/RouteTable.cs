using Gateway.Configuration;

namespace Gateway.Routing;

/// The config snapshot indexed the way the request path needs it. Immutable; a reload builds a new one.
public sealed class RouteTable
{
    public RouteTable(GatewayConfig config)
    {
        Config = config;
        Routes = config.Routes.ToDictionary(r => r.Name, StringComparer.Ordinal);
    }

    public GatewayConfig Config { get; }
    public IReadOnlyDictionary<string, RouteConfig> Routes { get; }
}
