using System.Diagnostics;
using System.Net;
using Gateway.Configuration;
using Gateway.Policies.Limits;
using Gateway.Relay;

namespace Gateway.Tests.Policies.Limits;

public sealed class LimitPieceTests
{
    [Fact]
    public void Ipv6_addresses_count_per_64_prefix_and_mapped_ipv4_as_ipv4()
    {
        Assert.Equal(ClientAddressKey.From(IPAddress.Parse("2001:db8:1:2::1")), ClientAddressKey.From(IPAddress.Parse("2001:db8:1:2:ffff::9")));
        Assert.NotEqual(ClientAddressKey.From(IPAddress.Parse("2001:db8:1:2::1")), ClientAddressKey.From(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Equal(ClientAddressKey.From(IPAddress.Parse("10.0.0.1")), ClientAddressKey.From(IPAddress.Parse("::ffff:10.0.0.1")));
        Assert.NotEqual(ClientAddressKey.From(IPAddress.Parse("10.0.0.1")), ClientAddressKey.From(IPAddress.Parse("10.0.0.2")));
        Assert.NotEqual(ClientAddressKey.From(IPAddress.Parse("0.0.0.0")), ClientAddressKey.From(IPAddress.Parse("::")));
    }

    [Fact]
    public void Route_limiters_refuse_then_admit_again_when_a_lease_ends()
    {
        var limits = LimitsConfig.Default with { MaxConnections = 2, MaxConnectionsPerIp = 1, HandshakesPerIp = new RateConfig(1, TimeSpan.FromHours(1), 3) };
        using var limiters = new RouteLimiters(limits);
        var a = IPAddress.Parse("192.0.2.1");
        var b = IPAddress.Parse("192.0.2.2");

        var (first, lease) = limiters.TryAdmit(a);
        Assert.Null(first);
        Assert.Equal("connection limit per address reached", limiters.TryAdmit(a).Refusal?.Reason);
        var (second, other) = limiters.TryAdmit(b);
        Assert.Null(second);
        Assert.Equal("route connection limit reached", limiters.TryAdmit(IPAddress.Parse("192.0.2.3")).Refusal?.Reason);

        lease!.Dispose();
        lease.Dispose(); // once only
        var (third, _) = limiters.TryAdmit(a);
        Assert.Null(third);
        var (refused, _) = limiters.TryAdmit(a); // fourth handshake from a: bucket of 3 is empty
        Assert.Equal(429, refused?.Status);
        Assert.Contains(refused!.Headers, h => h.Key == "Retry-After");
        other!.Dispose();
    }

    [Fact]
    public async Task Per_address_buckets_refill_without_a_timer_of_their_own()
    {
        var limits = LimitsConfig.Default with { HandshakesPerIp = new RateConfig(1, TimeSpan.FromMilliseconds(100), 1) };
        using var limiters = new RouteLimiters(limits);
        var address = IPAddress.Parse("198.51.100.7");

        limiters.TryAdmit(address).Lease!.Dispose();
        Assert.Equal(429, limiters.TryAdmit(address).Refusal?.Status);
        // The partitioned limiter's shared heartbeat (every 100 ms) replenishes the bucket; on a loaded machine a
        // tick can come late, so wait for it with a deadline rather than a fixed sleep.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        var admission = limiters.TryAdmit(address);
        while (admission.Refusal is not null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            admission = limiters.TryAdmit(address);
        }

        admission.Lease?.Dispose();
        Assert.Null(admission.Refusal);
    }

    [Fact]
    public void Message_bucket_refills_from_elapsed_time()
    {
        long start = 1_000_000;
        var bucket = MessageBucket.Create(new MessageRate(10, TimeSpan.FromSeconds(1), 2), start);

        Assert.True(bucket.TryTake(start));
        Assert.True(bucket.TryTake(start));
        Assert.False(bucket.TryTake(start));
        Assert.False(bucket.TryTake(start + Stopwatch.Frequency / 20)); // half a token
        Assert.True(bucket.TryTake(start + Stopwatch.Frequency / 10));  // one token a tenth of a second
        Assert.True(bucket.TryTake(start + Stopwatch.Frequency * 60));  // a long pause refills only up to the burst
        Assert.True(bucket.TryTake(start + Stopwatch.Frequency * 60));
        Assert.False(bucket.TryTake(start + Stopwatch.Frequency * 60));
    }

    [Fact]
    public void Message_bucket_does_not_allocate_per_message()
    {
        var bucket = MessageBucket.Create(new MessageRate(1_000_000, TimeSpan.FromSeconds(1), 1_000_000), Stopwatch.GetTimestamp());
        bucket.TryTake();
        long before = GC.GetAllocatedBytesForCurrentThread();

        for (int i = 0; i < 10_000; i++)
        {
            bucket.TryTake();
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
