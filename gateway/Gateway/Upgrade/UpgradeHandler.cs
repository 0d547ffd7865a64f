using System.Diagnostics;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Operations;
using Gateway.Policies;
using Gateway.Policies.Auth;
using Gateway.Protocol.Handshake;
using Gateway.Relay;
using Gateway.Routing;
using Gateway.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Model;

namespace Gateway.Upgrade;

/// The life of one WebSocket session after YARP matched its route (see docs/architecture.md for the steps):
/// (2b) no new session while draining, (3) handshake shape, (4-6) limits, origin and auth, (7) destination pick,
/// (8) connect and upstream handshake, (9) 101 to the client, (10) relay until both legs are closed, (11) access log.
public sealed class UpgradeHandler(
    RouteTableHolder routes, DestinationPicker picker, UpstreamConnector connector, SessionRegistry sessions, GatewayMetrics metrics,
    PolicyGate policies, ServiceState state, ILogger<UpgradeHandler> logger)
{
    public async Task HandleAsync(HttpContext context)
    {
        var proxy = context.Features.GetRequiredFeature<IReverseProxyFeature>();
        var table = routes.Current;
        string routeName = proxy.Route.Config.RouteId;
        string client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (state.IsDraining)
        {
            // (2b) No new session while the gateway drains: 503 with Retry-After, and the connection is closed.
            await RefuseAsync(context, routeName, client, ServiceState.DrainRefusal);
            return;
        }

        if (!table.Routes.TryGetValue(routeName, out var route) ||
            !table.Config.Upstreams.TryGetValue(route.Upstream, out var upstream))
        {
            await RefuseAsync(context, routeName, client, Refusal.NotFound("no route"));
            return;
        }

        // (3) Handshake shape: RFC 6455 4.2.1, with the statuses of contract section 3.
        var request = context.Request;
        var upgrade = context.Features.Get<IHttpUpgradeFeature>();
        var refusal = ServerHandshake.Validate(request.Method, request.Protocol, request.Headers.Upgrade,
            request.Headers.Connection, request.Headers.SecWebSocketKey, request.Headers.SecWebSocketVersion);
        if (refusal is null && upgrade is not { IsUpgradableRequest: true })
        {
            refusal = Refusal.BadRequest("not an HTTP/1.1 upgrade request");
        }

        List<string> subprotocols = [];
        refusal ??= ServerHandshake.SelectOfferedSubprotocols(request.Headers.SecWebSocketProtocol, route.Subprotocols, out subprotocols);
        if (refusal is not null)
        {
            await RefuseAsync(context, routeName, client, refusal);
            return;
        }

        // (4-6) Limits, Origin and auth, cheapest first; nothing has reached the upstream yet.
        // The admission holds the connection-limit slots; the session's run releases them when it ends.
        var admission = await policies.CheckAsync(context, route, context.RequestAborted);
        bool running = false;
        try
        {
            running = await AdmittedAsync(context, route, upstream, proxy, admission, subprotocols, routeName, client);
        }
        finally
        {
            if (!running)
            {
                admission.Dispose();
            }
        }
    }

    /// Steps 7 to 10 for an admitted request; true if a session was started (it then owns the admission).
    private async Task<bool> AdmittedAsync(HttpContext context, RouteConfig route, UpstreamConfig upstream,
        IReverseProxyFeature proxy, GateResult admission, List<string> subprotocols, string routeName, string client)
    {
        var request = context.Request;
        if (admission.Refusal is { } refused)
        {
            await RefuseAsync(context, routeName, client, refused);
            return false;
        }

        // (7) Destination pick, by the cluster's YARP load-balancing policy.
        var candidates = picker.Pick(context, proxy, upstream);

        // (8) Connect and our own client handshake upstream (fresh key, accept verified); retries under Polly.
        var upstreamRequest = new UpstreamRequest(request.Path.Value + CredentialQuery.Strip(request.QueryString.Value ?? "", route.Auth),
            subprotocols, ForwardedHeaders.From(request, context.Connection.RemoteIpAddress, route.Forward, admission.Identity));
        long connectStarted = Stopwatch.GetTimestamp();
        var (connection, failure) = await connector.ConnectAsync(upstream, candidates.Select(c => c.Address).ToList(),
            upstreamRequest, context.RequestAborted);
        metrics.UpstreamConnect(routeName, Stopwatch.GetElapsedTime(connectStarted));
        if (connection is null)
        {
            Log.UpstreamFailed(logger, routeName, client, failure!.Status, failure.Reason);
            await RefusalWriter.WriteAsync(context.Response, failure);
            return false;
        }

        var destination = candidates.First(c => c.Address == connection.Destination).State;
        ClientPipe clientPipe;
        try
        {
            // (9) 101 to the client, only now that the upstream has answered 101.
            var headers = context.Response.Headers;
            headers.Upgrade = "websocket";
            headers.SecWebSocketAccept = WebSocketAccept.Compute(request.Headers.SecWebSocketKey.ToString());
            if (connection.Subprotocol is not null)
            {
                headers.SecWebSocketProtocol = connection.Subprotocol;
            }

            clientPipe = await ClientPipe.UpgradeAsync(context, context.Features.Get<IHttpUpgradeFeature>()!);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        // (10) Relay until both legs are closed, under the route's relay limits (one record per route, from the config).
        var session = new RelaySession(clientPipe.Pipe, connection.Pipe, route.Limits.Relay);
        var local = new System.Net.IPEndPoint(context.Connection.LocalIpAddress!, context.Connection.LocalPort);
        var run = new SessionRun(session, clientPipe, connection, admission, destination, routeName, client, logger, metrics);
        Task ended;
        // The session outlives the request: it must not keep the request's ExecutionContext (logging scopes, the
        // request's async locals) alive, and its callbacks then restore no context.
        using (ExecutionContext.SuppressFlow())
        {
            ended = run.Start(sessions, local, requestWaits: !clientPipe.IsTakenOver);
        }

        // A taken-over session owns its connection: the request ends here and Kestrel frees what it held for it.
        await ended;
        return true;
    }

    private async Task RefuseAsync(HttpContext context, string route, string client, Refusal refusal)
    {
        Log.UpgradeRefused(logger, route, client, refusal.Status, refusal.Reason);
        await RefusalWriter.WriteAsync(context.Response, refusal);
    }
}
