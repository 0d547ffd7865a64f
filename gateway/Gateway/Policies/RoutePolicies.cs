using Gateway.Configuration;
using Gateway.Policies.Auth;
using Gateway.Policies.Origin;

namespace Gateway.Policies;

/// One route's origin and auth checks, built once per config snapshot of the route.
internal sealed class RoutePolicies(RouteConfig route, AuthServices services)
{
    public RouteConfig Route { get; } = route;

    public OriginPolicy? Origin { get; } = route.Origins is { } origins ? new OriginPolicy(origins) : null;

    public Authenticator? Auth { get; } = route.Auth is { } auth ? new Authenticator(route.Name, auth, services) : null;
}
