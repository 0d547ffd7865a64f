using Gateway.Configuration;
using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace Gateway.Routing;

/// Step 7: the destination for a WebSocket session, picked by the cluster's YARP load-balancing policy among the
/// destinations YARP considers available, followed by the others in order (for retries on connect failure).
public sealed class DestinationPicker(IEnumerable<ILoadBalancingPolicy> policies)
{
    private readonly Dictionary<string, ILoadBalancingPolicy> _policies =
        policies.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<(DestinationState State, Uri Address)> Pick(HttpContext context, IReverseProxyFeature proxy, UpstreamConfig upstream)
    {
        var available = proxy.AvailableDestinations;
        if (available.Count == 0)
        {
            return [];
        }

        var cluster = proxy.Route.Cluster!;
        var policyName = cluster.Model.Config.LoadBalancingPolicy ?? LoadBalancingPolicies.PowerOfTwoChoices;
        var first = _policies[policyName].PickDestination(context, cluster, available) ?? available[0];
        var ordered = new List<(DestinationState, Uri)>(available.Count) { (first, AddressOf(first, upstream)) };
        foreach (var destination in available)
        {
            if (!ReferenceEquals(destination, first))
            {
                ordered.Add((destination, AddressOf(destination, upstream)));
            }
        }

        return ordered;
    }

    private static Uri AddressOf(DestinationState destination, UpstreamConfig upstream) =>
        upstream.Destinations[int.Parse(destination.DestinationId, System.Globalization.CultureInfo.InvariantCulture)];
}
