using System.Diagnostics;

namespace Gateway.Relay;

/// `messages_per_connection`: Rate messages per Per, with bursts up to Burst.
public readonly record struct MessageRate(int Rate, TimeSpan Per, int Burst);

/// A token bucket for one client leg, refilled lazily from the time elapsed since the last message started. Unlike
/// System.Threading.RateLimiting's TokenBucketRateLimiter with AutoReplenishment, which owns a Timer, this costs no
/// timer per session and no allocation per message; only the client pump touches it, so it needs no lock.
internal sealed class MessageBucket
{
    private readonly double _tokensPerTick;
    private readonly double _capacity;
    private double _tokens;
    private long _last;

    private MessageBucket(MessageRate rate, long now)
    {
        _capacity = rate.Burst;
        _tokens = rate.Burst;
        _tokensPerTick = rate.Rate / (rate.Per.TotalSeconds * Stopwatch.Frequency);
        _last = now;
    }

    public static MessageBucket? For(MessageRate? rate) => rate is { } r ? new MessageBucket(r, Stopwatch.GetTimestamp()) : null;

    public static MessageBucket Create(MessageRate rate, long now) => new(rate, now);

    /// Takes one token for a message starting now; false when the bucket is empty (the client is over its rate).
    public bool TryTake() => TryTake(Stopwatch.GetTimestamp());

    /// The messages of one read share one `now` (FramePump): the refill, a chain of floating-point operations that
    /// was a sixth of the pump's own time per small message, is done once for them.
    public bool TryTake(long now)
    {
        if (now != _last)
        {
            _tokens = Math.Min(_capacity, _tokens + (now - _last) * _tokensPerTick);
            _last = now;
        }

        if (_tokens < 1)
        {
            return false;
        }

        _tokens -= 1;
        return true;
    }
}
