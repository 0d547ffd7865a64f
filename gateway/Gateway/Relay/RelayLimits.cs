using Gateway.Protocol.Frames;

namespace Gateway.Relay;

/// What the relay enforces on both legs of a session: a route's `limits` past the upgrade gate, held as is by the
/// configuration (`LimitsConfig.Relay`) and handed to every session of the route, so nothing converts it per session.
/// FrameLimits: what each leg's decoder enforces (its defaults are FrameLimits'). Zero for PingInterval or IdleTimeout
/// disables that timer. ClientMessageRate: messages the client may start (null: no limit); over it, 1008.
public sealed record RelayLimits(
    FrameLimits FrameLimits,
    TimeSpan IdleTimeout,
    TimeSpan PingInterval,
    TimeSpan CloseTimeout,
    MessageRate? ClientMessageRate = null)
{
    // The defaults are the values of the contract's example (section 2); the notes say why they are sane.

    /// 5 minutes: well above nginx's 60 s proxy_read_timeout, the usual cause of "socket drops after a minute".
    public static readonly TimeSpan DefaultIdleTimeout = TimeSpan.FromMinutes(5);

    /// 30 s: below the 60 s idle cut-off of common NATs and load balancers (AWS ALB's default), so pings keep paths open.
    public static readonly TimeSpan DefaultPingInterval = TimeSpan.FromSeconds(30);

    /// 5 s: RFC 6455 section 7.1.1 leaves the wait for the peer's Close to the implementation; a few round trips.
    public static readonly TimeSpan DefaultCloseTimeout = TimeSpan.FromSeconds(5);

    /// 1000 messages per second per connection, burst 2000: trading feeds, games, editors and the RFC 6455
    /// conformance suite (1,000 messages back to back) pass; a flood gets 1008.
    public static readonly MessageRate DefaultClientMessageRate = new(1000, TimeSpan.FromSeconds(1), 2000);

    public static RelayLimits Default { get; } = new(FrameLimits.Default, DefaultIdleTimeout, DefaultPingInterval,
        DefaultCloseTimeout, DefaultClientMessageRate);
}
