using System.Diagnostics;
using System.Globalization;
using Gateway.Operations;
using Gateway.Testing.Peers;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Operations;

public sealed class SystemdNotifierTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Ready_reaches_a_socket_at_a_path_or_in_the_abstract_namespace(bool abstractNamespace)
    {
        using var socket = new NotifySocket(abstractNamespace);
        using var notifier = new SystemdNotifier(socket.Path, NullLogger.Instance);

        notifier.Ready(3);

        Assert.Equal("READY=1\nSTATUS=3 session(s) active", await socket.NextAsync(Wait));
    }

    [Fact]
    public async Task Each_state_is_one_datagram_in_the_order_sent()
    {
        using var socket = new NotifySocket();
        using var notifier = new SystemdNotifier(socket.Path, NullLogger.Instance);
        long before = SystemdNotifier.MonotonicMicroseconds();

        notifier.Reloading();
        notifier.Ready(0);
        notifier.Watchdog(2);
        notifier.Stopping(2);

        var reloading = (await socket.NextAsync(Wait)).Split('\n');
        Assert.Equal("RELOADING=1", reloading[0]);
        long stamp = long.Parse(reloading[1]["MONOTONIC_USEC=".Length..], CultureInfo.InvariantCulture);
        Assert.StartsWith("MONOTONIC_USEC=", reloading[1]);
        Assert.InRange(stamp, before, SystemdNotifier.MonotonicMicroseconds());
        Assert.Equal("READY=1\nSTATUS=0 session(s) active", await socket.NextAsync(Wait));
        Assert.Equal("WATCHDOG=1\nSTATUS=2 session(s) active", await socket.NextAsync(Wait));
        Assert.Equal("STOPPING=1\nSTATUS=draining 2 session(s)", await socket.NextAsync(Wait));
    }

    [Fact]
    public void Monotonic_microseconds_follow_the_monotonic_clock()
    {
        long first = SystemdNotifier.MonotonicMicroseconds();
        var elapsed = Stopwatch.StartNew();
        Thread.Sleep(50);
        long second = SystemdNotifier.MonotonicMicroseconds();

        Assert.InRange(second - first, 45_000, (long)elapsed.Elapsed.TotalMicroseconds + 5_000);
    }

    [Fact]
    public void Without_a_socket_nothing_is_sent_and_nothing_fails()
    {
        using var absent = new SystemdNotifier(null, NullLogger.Instance);
        using var gone = new SystemdNotifier(Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.sock"), NullLogger.Instance);

        Assert.False(absent.IsEnabled);
        absent.Ready(1);
        Assert.True(gone.IsEnabled);
        gone.Ready(1);
    }
}
