using System.Text;
using BenchmarkDotNet.Attributes;
using Gateway.Protocol.Text;

namespace Gateway.Benchmarks;

/// <summary>
/// Text validation as the relay does it: the whole payload at once (a frame that arrived in one read) and in
/// 4 KiB chunks whose edges cut code points. ASCII is the common case; mixed text has 1-4 byte code points.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class Utf8ValidationBenchmarks
{
    private const int ChunkSize = 4096; // a typical socket read
    private byte[] _ascii = [];
    private byte[] _mixed = [];

    [Params(16, 1024, 64 * 1024, 1024 * 1024)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _ascii = Fill("The quick brown fox jumps over the lazy dog. ");
        _mixed = Fill("Grüße, κόσμε, 世界, 😀! ");
        if (!AsciiWhole() || !MixedWhole() || !MixedChunked())
        {
            throw new InvalidOperationException("benchmark inputs must be valid UTF-8");
        }
    }

    [Benchmark(Baseline = true)]
    public bool AsciiWhole() => ValidateWhole(_ascii);

    [Benchmark]
    public bool MixedWhole() => ValidateWhole(_mixed);

    [Benchmark]
    public bool MixedChunked()
    {
        var validator = new Utf8Validator();
        for (int start = 0; start < _mixed.Length; start += ChunkSize)
        {
            int length = Math.Min(ChunkSize, _mixed.Length - start);
            if (!validator.Validate(_mixed.AsSpan(start, length), isFinal: start + length == _mixed.Length))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ValidateWhole(byte[] text)
    {
        var validator = new Utf8Validator();
        return validator.Validate(text, isFinal: true);
    }

    /// <summary>Repeats the sample up to exactly PayloadSize bytes, padding a cut last code point with spaces.</summary>
    private byte[] Fill(string sample)
    {
        byte[] unit = Encoding.UTF8.GetBytes(sample);
        var text = new byte[PayloadSize];
        for (int i = 0; i < text.Length; i++)
        {
            text[i] = unit[i % unit.Length];
        }

        for (int i = text.Length - 1; !Utf8Validator.IsValid(text); i--)
        {
            text[i] = (byte)' ';
        }

        return text;
    }
}
