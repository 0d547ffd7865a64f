using System.Buffers;
using System.Collections.Concurrent;

namespace Gateway.Relay;

/// Keepalive and idle checks for every open session, from one timer per distinct tick period rather than one per
/// session. An idle session then holds no timer, no pending timer task and no cancellation registration, and
/// ending a session cancels nothing: a canceled per-session PeriodicTimer throws, and capturing that exception's
/// stack trace (with source lines) is costly work at every session's end.
internal sealed class Heartbeat
{
    private static readonly ConcurrentDictionary<long, Heartbeat> ByPeriod = new();

    private readonly HashSet<RelaySession> _sessions = [];
    private readonly Lock _lock = new();
    private readonly Timer _timer;

    private Heartbeat(TimeSpan period)
    {
        _timer = new Timer(static state => ((Heartbeat)state!).Tick(), this, period, period);
    }

    /// The shared heartbeat for `period`. Routes have few distinct limits, so there are few timers; each stays
    /// for the life of the process and costs nothing when no session uses it.
    public static Heartbeat For(TimeSpan period) =>
        ByPeriod.GetOrAdd(period.Ticks, static ticks => new Heartbeat(TimeSpan.FromTicks(ticks)));

    public void Add(RelaySession session)
    {
        lock (_lock)
        {
            _sessions.Add(session);
        }
    }

    public void Remove(RelaySession session)
    {
        lock (_lock)
        {
            _sessions.Remove(session);
        }
    }

    private void Tick()
    {
        RelaySession[] sessions;
        int count;
        lock (_lock)
        {
            count = _sessions.Count;
            if (count == 0)
            {
                return;
            }

            sessions = ArrayPool<RelaySession>.Shared.Rent(count);
            _sessions.CopyTo(sessions);
        }

        // Outside the lock: a session's check may start a ping or a close, which must not hold up the others.
        for (int i = 0; i < count; i++)
        {
            sessions[i].OnHeartbeat();
        }

        ArrayPool<RelaySession>.Shared.Return(sessions, clearArray: true);
    }
}
