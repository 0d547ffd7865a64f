using System.Globalization;
using Microsoft.Extensions.Hosting;

namespace Gateway.Operations;

/// WATCHDOG=1 at half of $WATCHDOG_USEC (sd_watchdog_enabled(3) recommends pinging at half the interval), with a
/// STATUS= line carrying the session count. A pinging timer shows the thread pool is alive; a hung process gets
/// restarted by systemd. Without a watchdog, STATUS= is still refreshed every StatusInterval under systemd.
public sealed class SystemdWatchdog(SystemdNotifier notifier, SessionRegistry sessions) : BackgroundService
{
    /// How often `systemctl status` shows a fresh session count when no watchdog is configured.
    public static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(10);

    /// The watchdog interval systemd asks for, or null. $WATCHDOG_PID, when set, must be this process (sd_watchdog_enabled).
    public static TimeSpan? Interval()
    {
        var pid = Environment.GetEnvironmentVariable("WATCHDOG_PID");
        if (!string.IsNullOrEmpty(pid) && pid != Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
        {
            return null;
        }

        return long.TryParse(Environment.GetEnvironmentVariable("WATCHDOG_USEC"), NumberStyles.None, CultureInfo.InvariantCulture, out var usec) && usec > 0
            ? TimeSpan.FromMicroseconds(usec)
            : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!notifier.IsEnabled)
        {
            return;
        }

        var watchdog = Interval();
        using var timer = new PeriodicTimer(watchdog is { } interval ? interval / 2 : StatusInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (watchdog is not null)
                {
                    notifier.Watchdog(sessions.Count);
                }
                else
                {
                    notifier.Status(SystemdNotifier.Status(sessions.Count));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
