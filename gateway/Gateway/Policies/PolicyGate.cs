using System.Collections.Concurrent;
using Gateway.Configuration;
using Gateway.Policies.Auth;
using Gateway.Policies.Limits;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Policies;

/// Steps (4-6) of a session, before any upstream is contacted: limits, then Origin, then auth, cheapest first, so a
/// flood is turned away before a signature is verified and nobody reaches the external auth service unless the
/// cheaper checks passed. The first refusal is the answer.
///
/// Limiters are kept per route name while the route's limits stay the same, so a reload that changes something else
/// does not reset the counts; origin and auth checks are rebuilt whenever the route's config is new.
public sealed class PolicyGate : IDisposable
{
    private readonly ConcurrentDictionary<string, RouteLimiters> _limiters = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RoutePolicies> _policies = new(StringComparer.Ordinal);
    private readonly AuthServices _services;

    public PolicyGate(ILogger<PolicyGate> logger) => _services = new AuthServices(AuthServices.CreateHttpClient(), logger);

    public async ValueTask<GateResult> CheckAsync(HttpContext context, RouteConfig route, CancellationToken cancellationToken)
    {
        // (4) Limits: handshake rate per address (429), then connections per route and per address (503).
        var (limited, lease) = LimitersFor(route).TryAdmit(context.Connection.RemoteIpAddress);
        if (limited is not null)
        {
            return GateResult.Refused(limited);
        }

        try
        {
            return await CheckOriginAndAuthAsync(context, route, lease!, cancellationToken);
        }
        catch
        {
            // The client went away during an auth call, or an auth method failed unexpectedly: give the permits back.
            lease!.Dispose();
            throw;
        }
    }

    private async ValueTask<GateResult> CheckOriginAndAuthAsync(HttpContext context, RouteConfig route, IDisposable lease,
        CancellationToken cancellationToken)
    {
        var policies = PoliciesFor(route);
        var request = context.Request;

        // (5) Origin (403).
        if (policies.Origin?.Check(request.Headers.Origin, request.Host.Value, request.IsHttps) is { } refused)
        {
            lease.Dispose();
            return GateResult.Refused(refused);
        }

        // (6) Auth (401, 403, or 503 when an auth service is down).
        Identity? identity = null;
        if (policies.Auth is { } auth)
        {
            var result = await auth.AuthenticateAsync(context, cancellationToken);
            if (result.Refusal is { } refusal)
            {
                lease.Dispose();
                return GateResult.Refused(refusal);
            }

            identity = result.Identity;
        }

        return GateResult.Admitted(lease, identity);
    }

    private RouteLimiters LimitersFor(RouteConfig route)
    {
        if (_limiters.TryGetValue(route.Name, out var current) && current.Limits == route.Limits)
        {
            return current;
        }

        var fresh = new RouteLimiters(route.Limits);
        var stored = _limiters.AddOrUpdate(route.Name, fresh, (_, old) => old.Limits == route.Limits ? old : fresh);
        if (!ReferenceEquals(stored, fresh))
        {
            fresh.Dispose();
        }
        else if (current is not null)
        {
            current.Dispose();
        }

        return stored;
    }

    private RoutePolicies PoliciesFor(RouteConfig route)
    {
        if (_policies.TryGetValue(route.Name, out var current) && ReferenceEquals(current.Route, route))
        {
            return current;
        }

        return _policies.AddOrUpdate(route.Name, _ => new RoutePolicies(route, _services),
            (_, old) => ReferenceEquals(old.Route, route) ? old : new RoutePolicies(route, _services));
    }

    public void Dispose()
    {
        foreach (var limiters in _limiters.Values)
        {
            limiters.Dispose();
        }

        _services.Http.Dispose();
    }
}
