using System.Diagnostics;
using System.Numerics;

namespace Gateway.LoadTool.Measure;

/// Round-trip times in microseconds, log-linear buckets (exact below 128 µs, then 64 per power of two: under
/// 1.6% error). One per thread, merged at the end, so recording is a array increment and never allocates.
public sealed class LatencyHistogram
{
    private const int Exact = 128;
    private const int SubBuckets = 64;
    private const int SubBits = 6;
    private const int ExactBits = 7;
    private readonly long[] _counts = new long[Exact + (64 - ExactBits) * SubBuckets];

    public long Count { get; private set; }

    public void RecordTicks(long stopwatchTicks) =>
        Record(stopwatchTicks * 1_000_000 / Stopwatch.Frequency);

    public void Record(long micros)
    {
        _counts[Index(Math.Max(0, micros))]++;
        Count++;
    }

    public void Add(LatencyHistogram other)
    {
        for (int i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
    }

    /// The value at quantile q (0..1) in milliseconds, the middle of its bucket; NaN when empty.
    public double QuantileMs(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        long rank = Math.Max(1, (long)Math.Ceiling(q * Count));
        long seen = 0;
        for (int i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= rank)
            {
                var (low, width) = Bounds(i);
                return (low + (width - 1) / 2.0) / 1000.0;
            }
        }

        return double.NaN;
    }

    private static int Index(long micros)
    {
        if (micros < Exact)
        {
            return (int)micros;
        }

        int exponent = 63 - BitOperations.LeadingZeroCount((ulong)micros);
        int sub = (int)(micros >> (exponent - SubBits)) & (SubBuckets - 1);
        return Exact + (exponent - ExactBits) * SubBuckets + sub;
    }

    private static (long Low, long Width) Bounds(int index)
    {
        if (index < Exact)
        {
            return (index, 1);
        }

        int exponent = (index - Exact) / SubBuckets + ExactBits;
        int sub = (index - Exact) % SubBuckets;
        long width = 1L << (exponent - SubBits);
        return ((1L << exponent) + sub * width, width);
    }
}
