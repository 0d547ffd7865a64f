using System.Diagnostics;
using Gateway.Diagnostics;
using Gateway.Relay;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.Operations;

/// Contract section 5, drain: on SIGTERM/SIGINT (the host's stop), before Kestrel stops listening: answer new
/// upgrades 503, send 1001 to both legs of every session, spread over a short window so clients do not all
/// reconnect at once, and wait up to `shutdown_grace` for the close handshakes. Then the host stops (exit 0).
/// Runs in IHostedLifecycleService.StoppingAsync, which the host calls before any hosted service stops.
public sealed class GracefulDrain(SessionRegistry sessions, ServiceState state, SystemdNotifier notifier,
    ILogger<GracefulDrain> logger) : IHostedLifecycleService
{
    /// Closes are spread over at most this long (Envoy's drain likewise spreads closes over its drain time)...
    public static readonly TimeSpan MaxSpread = TimeSpan.FromSeconds(5);

    /// ...and at most a third of the grace, leaving the rest for the close handshakes...
    private const int GraceShareForSpread = 3;

    /// ...at no more than about 1000 closes a second (1 ms apart), a reconnect rate a fleet of upstreams absorbs.
    public static readonly TimeSpan SpacingPerSession = TimeSpan.FromMilliseconds(1);

    private int _ran;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // The host may be stopped twice (WaitForShutdownAsync stops it, then the caller does); drain once.
        if (Interlocked.Exchange(ref _ran, 1) == 1)
        {
            return;
        }

        var started = Stopwatch.GetTimestamp();
        var grace = state.ShutdownGrace;
        state.Draining();
        var open = sessions.BeginDrain();
        notifier.Stopping(open.Count);
        var spread = Spread(open.Count, grace);
        Log.Draining(logger, open.Count, (long)spread.TotalMilliseconds, (long)grace.TotalMilliseconds);

        for (int i = 0; i < open.Count; i++)
        {
            var due = spread * i / open.Count - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due, cancellationToken);
            }

            _ = open[i].CloseAsync(RelayEventKind.Draining);
        }

        var left = grace - Stopwatch.GetElapsedTime(started);
        if (left > TimeSpan.Zero)
        {
            await Task.WhenAny(sessions.WhenEmptyAsync(), Task.Delay(left, cancellationToken));
        }

        Log.Drained(logger, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, sessions.CutOpen());
    }

    public static TimeSpan Spread(int sessions, TimeSpan grace)
    {
        var spread = SpacingPerSession * sessions;
        spread = spread < MaxSpread ? spread : MaxSpread;
        var share = grace / GraceShareForSpread;
        return spread < share ? spread : share;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
