using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Operations;
using Gateway.Relay;
using Gateway.Routing;
using Gateway.Tls;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;
using RouteConfig = Gateway.Configuration.RouteConfig;

namespace Gateway.Hosting;

/// Contract section 5, reload (a file change or SIGHUP): read and validate the whole file first; on any error log
/// every one and keep running on the old snapshot. Otherwise swap atomically: the route table (new handshakes use
/// it at once), YARP's routes and clusters, the listeners; then close the sessions of removed routes with 1012.
/// Open sessions on kept routes are not touched: they keep the limits they started with.
public sealed class ConfigReloader(RouteTableHolder routes, InMemoryConfigProvider yarp, IProxyStateLookup yarpState,
    ListenerSet listeners, IServer server,
    AdminServer admin, SessionRegistry sessions, GatewayMetrics metrics, SystemdNotifier notifier, ILogger<ConfigReloader> logger)
{
    /// How long Kestrel gets to bind new listeners and YARP to swap its routes before the reload is reported.
    private static readonly TimeSpan ApplyTimeout = TimeSpan.FromSeconds(10);

    private readonly SemaphoreSlim _one = new(1, 1);

    /// True when the new configuration is in force.
    public async Task<bool> ReloadAsync(string trigger)
    {
        await _one.WaitAsync();
        try
        {
            notifier.Reloading();
            var ok = await ReloadLockedAsync(trigger);
            metrics.Reload(ok);
            notifier.Ready(sessions.Count);
            return ok;
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task<bool> ReloadLockedAsync(string trigger)
    {
        var old = routes.Current.Config;
        var loaded = ConfigLoader.Load(old.SourcePath);
        var errors = loaded.Errors.Select(e => e.ToString()).ToList();
        ListenerSet.Prepared? prepared = null;
        if (loaded.Config is { } checkedConfig)
        {
            errors.AddRange(listeners.Unbindable(checkedConfig).Select(e => $"{old.SourcePath}: listen: {e}"));
            try
            {
                prepared = ListenerSet.Prepare(checkedConfig, logger);
            }
            catch (CertificateLoadException e)
            {
                errors.Add($"{old.SourcePath}: {e.Message}");
            }
        }

        if (loaded.Config is not { } next || prepared is null || errors.Count > 0)
        {
            foreach (var error in errors)
            {
                Log.ConfigError(logger, error);
            }

            Log.ReloadRejected(logger, trigger, errors.Count);
            return false;
        }

        IReadOnlyList<RelaySession> removed = [];
        try
        {
            routes.Swap(new RouteTable(next));
            yarp.Update(YarpConfigTranslator.Routes(next), YarpConfigTranslator.Clusters(next));
            await WaitForYarpAsync(next);
            // Sessions of removed routes get 1012; so do those of removed or rebound listeners, before Kestrel unbinds
            // them (it would otherwise cut them after a few seconds with no Close).
            removed = sessions.NotOn(routes.Current.Routes, local => listeners.Keeps(prepared, local));
            foreach (var session in removed)
            {
                _ = session.CloseAsync(RelayEventKind.Restarting);
            }

            listeners.Apply(prepared);
            if (await ListenerSet.WaitForBindingAsync(server, next.Listeners, ApplyTimeout) is { } unsettled)
            {
                Log.ListenersUnsettled(logger, trigger, (long)ApplyTimeout.TotalMilliseconds, unsettled);
            }

            if (!Equals(next.Operations.Admin?.EndPoint, old.Operations.Admin?.EndPoint))
            {
                await admin.RestartAsync(next.Operations.Admin);
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or TimeoutException)
        {
            Log.ReloadApplyFailed(logger, trigger, e);
            return false;
        }

        WarnAboutRestartOnlyKeys(old, next);
        LogChanges(trigger, old, next, removed.Count);
        return true;
    }

    /// YARP applies a config update from a change callback; a handshake right after the reload must match the new routes.
    private async Task WaitForYarpAsync(GatewayConfig next)
    {
        var wanted = next.Routes.Select(r => r.Name).ToHashSet(StringComparer.Ordinal);
        var deadline = DateTime.UtcNow + ApplyTimeout;
        while (!yarpState.GetRoutes().Select(r => r.Config.RouteId).ToHashSet(StringComparer.Ordinal).SetEquals(wanted))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("YARP did not apply the new routes");
            }

            await Task.Delay(10);
        }
    }

    private void WarnAboutRestartOnlyKeys(GatewayConfig old, GatewayConfig next)
    {
        if (old.Operations.LogFormat != next.Operations.LogFormat)
        {
            Log.ReloadNeedsRestart(logger, "logging.format");
        }

        if (old.Operations.ShutdownGrace != next.Operations.ShutdownGrace)
        {
            Log.ReloadNeedsRestart(logger, "shutdown_grace");
        }

        if (!Equals(old.Demo?.EchoEndPoint, next.Demo?.EchoEndPoint))
        {
            Log.ReloadNeedsRestart(logger, "demo.echo_address");
        }
    }

    private void LogChanges(string trigger, GatewayConfig old, GatewayConfig next, int closed)
    {
        var before = old.Routes.ToDictionary(r => r.Name);
        var after = next.Routes.ToDictionary(r => r.Name);
        var listenersBefore = old.Listeners.Select(l => l.EndPoint.ToString()).ToHashSet();
        var listenersAfter = next.Listeners.Select(l => l.EndPoint.ToString()).ToHashSet();
        foreach (var gone in listenersBefore.Except(listenersAfter))
        {
            Log.ListenerRemoved(logger, gone);
        }

        foreach (var added in next.Listeners.Where(l => !listenersBefore.Contains(l.EndPoint.ToString())))
        {
            var (url, serves) = listeners.Describe("http://" + added.EndPoint);
            Log.Listening(logger, url, serves);
        }

        Log.Reloaded(logger, trigger,
            Names(after.Keys.Except(before.Keys)),
            Names(before.Keys.Except(after.Keys)),
            Names(after.Keys.Intersect(before.Keys).Where(n => !Same(before[n], after[n]))),
            Names(listenersAfter.Except(listenersBefore)),
            Names(listenersBefore.Except(listenersAfter)),
            closed);
    }

    /// Records compare by reference for their lists, so compare those by content.
    private static bool Same(RouteConfig a, RouteConfig b) =>
        a with { Subprotocols = [] } == b with { Subprotocols = [] } && a.Subprotocols.SequenceEqual(b.Subprotocols);

    private static string Names(IEnumerable<string> names)
    {
        var list = names.Order(StringComparer.Ordinal).ToList();
        return list.Count == 0 ? "-" : string.Join(",", list);
    }
}
