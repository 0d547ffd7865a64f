using Gateway.Configuration;
using Yarp.ReverseProxy.Configuration;
using YarpRoute = Yarp.ReverseProxy.Configuration.RouteConfig;

namespace Gateway.Routing;

/// Our routes and upstreams as YARP routes and clusters: YARP matches routes, balances load, tracks destination
/// health and forwards plain HTTP. Destination ids are the indexes into `destinations`, so the WebSocket path
/// finds its ws:// or wss:// address again.
public static class YarpConfigTranslator
{
    public static IReadOnlyList<YarpRoute> Routes(GatewayConfig config) =>
        config.Routes.Select(route => new YarpRoute
        {
            RouteId = route.Name,
            ClusterId = route.Upstream,
            Match = new RouteMatch
            {
                Path = route.Path,
                Hosts = route.Host is null ? null : [route.Host],
            },
        }).ToList();

    public static IReadOnlyList<ClusterConfig> Clusters(GatewayConfig config) =>
        config.Upstreams.Values.Select(upstream => new ClusterConfig
        {
            ClusterId = upstream.Name,
            LoadBalancingPolicy = PolicyName(upstream.LoadBalancing),
            Destinations = upstream.Destinations
                .Select((uri, index) => (uri, index))
                .ToDictionary(d => DestinationId(d.index), d => new DestinationConfig { Address = HttpAddressOf(d.uri) }),
        }).ToList();

    public static string DestinationId(int index) => index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// YARP forwards plain HTTP, so it knows ws:// as http:// and wss:// as https://.
    public static string HttpAddressOf(Uri destination)
    {
        var builder = new UriBuilder(destination) { Scheme = destination.Scheme == "wss" ? "https" : "http" };
        if (destination.IsDefaultPort)
        {
            builder.Port = -1;
        }

        return builder.Uri.ToString();
    }

    private static string PolicyName(LoadBalancing policy) => policy switch
    {
        LoadBalancing.PowerOfTwoChoices => Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.PowerOfTwoChoices,
        LoadBalancing.RoundRobin => Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.RoundRobin,
        LoadBalancing.LeastRequests => Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.LeastRequests,
        LoadBalancing.Random => Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.Random,
        LoadBalancing.First => Yarp.ReverseProxy.LoadBalancing.LoadBalancingPolicies.FirstAlphabetical,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "unknown load balancing policy"),
    };
}
