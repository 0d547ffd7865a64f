using System.Net;
using System.Threading.RateLimiting;
using Gateway.Configuration;
using Gateway.Protocol.Handshake;

namespace Gateway.Policies.Limits;

/// Step (4) of a session: a route's connection and handshake limits (System.Threading.RateLimiting).
/// `handshakes_per_ip` is a token bucket per client address (429); `max_connections` per route and
/// `max_connections_per_ip` are concurrency limits (503), held by the session until it ends.
///
/// Per-address limiters live in PartitionedRateLimiter, which drops a partition that has been idle (bucket full, no
/// connection open) for 10 s, so many client addresses do not grow memory without bound. Its one heartbeat timer per
/// limiter also refills the buckets, so no bucket owns a timer (AutoReplenishment = false).
public sealed class RouteLimiters : IDisposable
{
    /// 5 s: connection slots free up as sessions end, which cannot be predicted; a short wait spreads reconnects.
    public static readonly TimeSpan ConnectionRetryAfter = TimeSpan.FromSeconds(5);

    private readonly ConcurrencyLimiter _route;
    private readonly PartitionedRateLimiter<ClientAddressKey> _perAddress;
    private readonly PartitionedRateLimiter<ClientAddressKey> _handshakes;

    public RouteLimiters(LimitsConfig limits)
    {
        Limits = limits;
        _route = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = limits.MaxConnections, QueueLimit = 0 });
        int perAddress = limits.MaxConnectionsPerIp;
        _perAddress = PartitionedRateLimiter.Create<ClientAddressKey, ClientAddressKey>(key =>
            RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions { PermitLimit = perAddress, QueueLimit = 0 }));
        var rate = limits.HandshakesPerIp;
        _handshakes = PartitionedRateLimiter.Create<ClientAddressKey, ClientAddressKey>(key =>
            RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = rate.Burst,
                TokensPerPeriod = rate.Rate,
                ReplenishmentPeriod = rate.Per,
                QueueLimit = 0,
                AutoReplenishment = false,
            }));
    }

    public LimitsConfig Limits { get; }

    /// Admits one handshake from `address` (Refusal null, and a Lease held until its session ends), or says why not.
    public (Refusal? Refusal, IDisposable? Lease) TryAdmit(IPAddress? address)
    {
        var key = ClientAddressKey.From(address);
        using (var handshake = _handshakes.AttemptAcquire(key))
        {
            if (!handshake.IsAcquired)
            {
                var after = handshake.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : Limits.HandshakesPerIp.Per;
                return (Refusal.TooManyRequests("too many handshakes from this address", after), null);
            }
        }

        var route = _route.AttemptAcquire();
        if (!route.IsAcquired)
        {
            route.Dispose();
            return (Refusal.Unavailable("route connection limit reached", ConnectionRetryAfter), null);
        }

        var mine = _perAddress.AttemptAcquire(key);
        if (!mine.IsAcquired)
        {
            mine.Dispose();
            route.Dispose();
            return (Refusal.Unavailable("connection limit per address reached", ConnectionRetryAfter), null);
        }

        return (null, new ConnectionLease(route, mine));
    }

    public void Dispose()
    {
        _handshakes.Dispose();
        _perAddress.Dispose();
        _route.Dispose();
    }

    /// Both connection permits of one session, given back once when it ends (even after a reload replaced the limiters).
    private sealed class ConnectionLease(RateLimitLease route, RateLimitLease perAddress) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            try
            {
                perAddress.Dispose();
                route.Dispose();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
