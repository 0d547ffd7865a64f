using Gateway.Diagnostics;
using Gateway.Relay;
using Gateway.Routing;

namespace Gateway.Operations;

/// Every open session with the route it started on: what a drain closes with 1001, what a reload that removes a
/// route closes with 1012, and what the metrics read traffic from. Touched at session start and end only.
public sealed class SessionRegistry(RouteTableHolder routes) : ITrafficSource
{
    private readonly Lock _sync = new();
    private readonly Dictionary<RelaySession, (string Route, System.Net.IPEndPoint? Local, Action? Cut)> _live = [];
    private readonly Dictionary<string, RouteTotals> _finished = new(StringComparer.Ordinal);
    private TaskCompletionSource? _empty;
    private bool _draining;
    private bool _cut;

    public int Count
    {
        get
        {
            lock (_sync)
            {
                return _live.Count;
            }
        }
    }

    /// Registers a session about to run; disposing the result unregisters it. A session that starts while the
    /// gateway drains, or whose route a reload has just removed, is closed at once: a drain or a reload that ran
    /// between its handshake and this call could not see it.
    /// `local`: the address the client connected to, to find the sessions of a listener a reload removes.
    /// `cut`: drops the session's connections at once (for sessions no server shutdown would cut, see CutOpen).
    public IDisposable Add(string route, RelaySession session, System.Net.IPEndPoint? local = null, Action? cut = null)
    {
        bool draining;
        bool alreadyCut;
        lock (_sync)
        {
            _live.Add(session, (route, local, cut));
            draining = _draining;
            alreadyCut = _cut;
        }

        if (alreadyCut)
        {
            // Its upgrade finished after the drain's grace ended: nothing is left to wait for it.
            session.Abort();
            cut?.Invoke();
        }
        else if (draining)
        {
            _ = session.CloseAsync(RelayEventKind.Draining);
        }
        else if (!routes.Current.Routes.ContainsKey(route))
        {
            _ = session.CloseAsync(RelayEventKind.Restarting);
        }

        return new Registration(this, session);
    }

    /// From now on new sessions are closed as they start; returns the open ones for the caller to close.
    public IReadOnlyList<RelaySession> BeginDrain()
    {
        lock (_sync)
        {
            _draining = true;
            return [.. _live.Keys];
        }
    }

    /// The open sessions whose route is not in `remaining`, or that came in on a listener `stays` says is gone.
    public IReadOnlyList<RelaySession> NotOn(IReadOnlyDictionary<string, Configuration.RouteConfig> remaining,
        Func<System.Net.IPEndPoint, bool> stays)
    {
        lock (_sync)
        {
            return [.. _live.Where(s => !remaining.ContainsKey(s.Value.Route) || s.Value.Local is { } l && !stays(l)).Select(s => s.Key)];
        }
    }

    /// The end of a drain's grace: sessions still open are stopped and their connections dropped, and so is any
    /// session registered later (an upgrade that was still in flight). Kestrel's shutdown would cut only the
    /// connections it still owns, and plain sessions are not among them.
    public int CutOpen()
    {
        List<(RelaySession Session, Action? Cut)> open;
        lock (_sync)
        {
            _cut = true;
            open = [.. _live.Select(s => (s.Key, s.Value.Cut))];
        }

        foreach (var (session, cut) in open)
        {
            session.Abort();
            cut?.Invoke();
        }

        return open.Count;
    }

    /// Completes when no session is open (at once if none is).
    public Task WhenEmptyAsync()
    {
        lock (_sync)
        {
            if (_live.Count == 0)
            {
                return Task.CompletedTask;
            }

            _empty ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _empty.Task;
        }
    }

    /// Finished sessions' totals plus the live sessions' counters, read while their pumps run (a long read is
    /// atomic on 64-bit platforms; a value a frame old is fine for metrics).
    public IReadOnlyList<RouteTraffic> Traffic()
    {
        lock (_sync)
        {
            var totals = _finished.ToDictionary(f => f.Key, f => f.Value with { }, StringComparer.Ordinal);
            foreach (var (session, (route, _, _)) in _live)
            {
                var t = totals.TryGetValue(route, out var found) ? found : new RouteTotals();
                totals[route] = t.Add(session.ClientToUpstream, session.UpstreamToClient) with { Active = t.Active + 1 };
            }

            return [.. totals.Select(t => new RouteTraffic(t.Key, t.Value.Active, t.Value.MessagesIn, t.Value.BytesIn,
                t.Value.MessagesOut, t.Value.BytesOut))];
        }
    }

    private void Remove(RelaySession session)
    {
        lock (_sync)
        {
            if (!_live.Remove(session, out var entry))
            {
                return;
            }

            var route = entry.Route;
            var totals = _finished.TryGetValue(route, out var found) ? found : new RouteTotals();
            _finished[route] = totals.Add(session.ClientToUpstream, session.UpstreamToClient);
            if (_live.Count == 0 && _empty is { } empty)
            {
                _empty = null;
                empty.SetResult();
            }
        }
    }

    private sealed record RouteTotals(int Active = 0, long MessagesIn = 0, long BytesIn = 0, long MessagesOut = 0, long BytesOut = 0)
    {
        public RouteTotals Add(DirectionCounters toUpstream, DirectionCounters toClient) => this with
        {
            MessagesIn = MessagesIn + toUpstream.Messages,
            BytesIn = BytesIn + toUpstream.Bytes,
            MessagesOut = MessagesOut + toClient.Messages,
            BytesOut = BytesOut + toClient.Bytes,
        };
    }

    private sealed class Registration(SessionRegistry registry, RelaySession session) : IDisposable
    {
        public void Dispose() => registry.Remove(session);
    }
}
