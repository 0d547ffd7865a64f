using Gateway.Relay;

namespace Gateway.Configuration;

/// <summary>
/// Per-route limits: what the upgrade gate admits (connections and handshakes, here), and what the relay enforces on
/// each admitted session (<see cref="Relay"/>, the relay's own record, passed to the session as is). Each default is
/// defined once, by the type that owns the key: frame and message sizes by FrameLimits, timeouts and the message rate
/// by RelayLimits, admission here.
/// </summary>
public sealed record LimitsConfig(RelayLimits Relay, int MaxConnections, int MaxConnectionsPerIp, RateConfig HandshakesPerIp)
{
    /// <summary>Whether <c>max_frame_size</c> was written (in the route or in <c>defaults</c>): if not, the frame limit
    /// is the route's message limit, whatever sets that (contract section 2).</summary>
    public bool FrameSizeIsExplicit { get; init; }

    // The defaults are the values of the contract's example (section 2); the notes say why they are sane.

    /// <summary>10000 per route: the classic C10k figure; a cap an operator raises on purpose, not by accident.</summary>
    public const int DefaultMaxConnections = 10_000;

    /// <summary>100 per client address: enough for a NAT'ed office, small enough that one host cannot take a route's slots.</summary>
    public const int DefaultMaxConnectionsPerIp = 100;

    /// <summary>20 handshakes per second per address, burst 40: reconnect storms pass, handshake floods do not.</summary>
    public static readonly RateConfig DefaultHandshakesPerIp = new(20, TimeSpan.FromSeconds(1), 40);

    public static LimitsConfig Default { get; } = new(RelayLimits.Default, DefaultMaxConnections, DefaultMaxConnectionsPerIp,
        DefaultHandshakesPerIp);
}

/// <summary>A token bucket: <see cref="Rate"/> tokens per <see cref="Per"/>, holding at most <see cref="Burst"/>.</summary>
public sealed record RateConfig(int Rate, TimeSpan Per, int Burst);
