namespace Gateway.Configuration;

/// <summary>
/// Per-route limits. Sizes are bytes; a zero <see cref="IdleTimeout"/> or <see cref="PingInterval"/> means disabled.
/// </summary>
public sealed record LimitsConfig(long MaxFrameSize, long MaxMessageSize, TimeSpan IdleTimeout, TimeSpan PingInterval,
    TimeSpan CloseTimeout, int MaxConnections, int MaxConnectionsPerIp, RateConfig HandshakesPerIp, RateConfig MessagesPerConnection)
{
    /// <summary>Whether <c>max_frame_size</c> was written (in the route or in <c>defaults</c>): if not, the frame limit
    /// is the route's message limit, whatever sets that (contract section 2).</summary>
    public bool FrameSizeIsExplicit { get; init; }

    // All defaults are the values of the contract's example (section 2); the notes say why they are sane.

    /// <summary>16 MiB, defined with the protocol core's limits (FrameLimits says why).</summary>
    public const long DefaultMaxMessageSize = Gateway.Protocol.Frames.FrameLimits.DefaultMaxMessageSize;

    /// <summary>The message limit: a route that sets only <c>max_message_size</c> gets it as its frame limit too.</summary>
    public const long DefaultMaxFrameSize = Gateway.Protocol.Frames.FrameLimits.DefaultMaxFrameSize;

    /// <summary>5 minutes: well above nginx's 60 s proxy_read_timeout, the usual cause of "socket drops after a minute".</summary>
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(5);

    /// <summary>30 s: below the 60 s idle cut-off of common NATs and load balancers (AWS ALB's default), so pings keep paths open.</summary>
    public static readonly TimeSpan DefaultPingInterval = TimeSpan.FromSeconds(30);

    /// <summary>5 s: RFC 6455 section 7.1.1 leaves the wait for the peer's Close to the implementation; a few round trips.</summary>
    public static readonly TimeSpan DefaultCloseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>10000 per route: the classic C10k figure; a cap an operator raises on purpose, not by accident.</summary>
    public const int DefaultMaxConnections = 10_000;

    /// <summary>100 per client address: enough for a NAT'ed office, small enough that one host cannot take a route's slots.</summary>
    public const int DefaultMaxConnectionsPerIp = 100;

    /// <summary>20 handshakes per second per address, burst 40: reconnect storms pass, handshake floods do not.</summary>
    public static readonly RateConfig DefaultHandshakesPerIp = new(20, TimeSpan.FromSeconds(1), 40);

    /// <summary>1000 messages per second per connection, burst 2000: trading feeds, games, editors and the RFC 6455
    /// conformance suite (1,000 messages back to back) pass; a flood gets 1008. Rate 0: no limit.</summary>
    public static readonly RateConfig DefaultMessagesPerConnection = new(1000, TimeSpan.FromSeconds(1), 2000);

    public static LimitsConfig Default { get; } = new(DefaultMaxFrameSize, DefaultMaxMessageSize, DefaultIdleTimeout,
        DefaultPingInterval, DefaultCloseTimeout, DefaultMaxConnections, DefaultMaxConnectionsPerIp,
        DefaultHandshakesPerIp, DefaultMessagesPerConnection);
}

/// <summary>A token bucket: <see cref="Rate"/> tokens per <see cref="Per"/>, holding at most <see cref="Burst"/>;
/// a <see cref="Rate"/> of 0 is no limit.</summary>
public sealed record RateConfig(int Rate, TimeSpan Per, int Burst)
{
    public bool Unlimited => Rate == 0;
}
