using Gateway.Protocol.Frames;

namespace Gateway.Relay;

/// Keepalive pings and the idle timeout, checked from the shared Heartbeat.
public sealed partial class RelaySession
{
    /// Half the shorter of ping_interval and idle_timeout (null: both off). A check that comes just before a
    /// deadline otherwise misses it by a whole period.
    private TimeSpan? HeartbeatPeriod()
    {
        var ping = _limits.PingInterval;
        var idle = _limits.IdleTimeout;
        var tick = (ping == TimeSpan.Zero ? idle : idle == TimeSpan.Zero ? ping : (ping < idle ? ping : idle)) / 2;
        return tick > TimeSpan.Zero ? tick : null;
    }

    /// Called by the shared Heartbeat; a check still running (a ping waiting on a slow peer) is not doubled.
    internal void OnHeartbeat()
    {
        if (!IsClosing && Interlocked.Exchange(ref _checking, 1) == 0)
        {
            _ = CheckTimersAsync();
        }
    }

    private async Task CheckTimersAsync()
    {
        try
        {
            var ping = _limits.PingInterval;
            var idle = _limits.IdleTimeout;
            long now = Environment.TickCount64;
            if (idle > TimeSpan.Zero && now - Volatile.Read(ref _lastDataTicks) >= (long)idle.TotalMilliseconds)
            {
                await EndAsync(new RelayEvent(RelayEventKind.IdleTimeout, Side.Client));
                return;
            }

            if (ping <= TimeSpan.Zero)
            {
                return;
            }

            foreach (var leg in _legs)
            {
                if (leg.PingSentTicks != 0)
                {
                    // Any frame since the ping shows the peer is alive, not only the Pong.
                    if (leg.LastReceivedTicks >= leg.PingSentTicks)
                    {
                        leg.PingSentTicks = 0;
                    }
                    else if (now - leg.PingSentTicks >= (long)ping.TotalMilliseconds)
                    {
                        await EndAsync(new RelayEvent(RelayEventKind.PeerSilent, leg.Side));
                        return;
                    }
                    else
                    {
                        continue;
                    }
                }

                if (now - leg.LastReceivedTicks >= (long)ping.TotalMilliseconds && !IsClosing)
                {
                    leg.PingSentTicks = now;
                    await leg.SendControlAsync(Opcode.Ping, ReadOnlyMemory<byte>.Empty, _stop.Token);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
            // The session ended while a ping waited to be written.
        }
        finally
        {
            Volatile.Write(ref _checking, 0);
        }
    }
}
