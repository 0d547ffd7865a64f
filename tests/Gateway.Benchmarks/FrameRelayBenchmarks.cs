using System.Buffers;
using BenchmarkDotNet.Attributes;
using Gateway.Protocol.Frames;
using Gateway.Protocol.Masking;

namespace Gateway.Benchmarks;

/// <summary>
/// The relay's per-frame work on the client leg: decode a masked client frame's header, unmask the payload (as for
/// text validation), and remask it for the upstream in one pass.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class FrameRelayBenchmarks
{
    private readonly FrameDecoder _decoder = new(Role.Server, FrameLimits.Unlimited);
    private ReadOnlySequence<byte> _wire;
    private byte[] _unmasked = [];
    private byte[] _remasked = [];

    [Params(16, 1024, 64 * 1024, 1024 * 1024)]
    public int PayloadSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var payload = new byte[PayloadSize];
        new Random(42).NextBytes(payload);
        int headerLength = FrameEncoder.GetHeaderLength(PayloadSize, masked: true);
        var wire = new byte[headerLength + PayloadSize];
        FrameEncoder.WriteHeader(wire, true, Opcode.Binary, PayloadSize, masked: true, 0x5A17C0DE);
        Mask.Apply(payload, wire.AsSpan(headerLength), 0x5A17C0DE, 0);
        _wire = new ReadOnlySequence<byte>(wire);
        _unmasked = new byte[PayloadSize];
        _remasked = new byte[PayloadSize];
    }

    [Benchmark]
    public int DecodeUnmaskRemask()
    {
        _decoder.TryReadHeader(_wire, out FrameHeader header, out SequencePosition consumed, out _, out _);
        ReadOnlySpan<byte> payload = _wire.Slice(consumed).FirstSpan;
        Mask.Apply(payload, _unmasked, header.MaskKey, 0);
        return Mask.Remask(payload, _remasked, header.MaskKey, 0x0BADF00D, 0);
    }

    [Benchmark]
    public int DecodeRemask()
    {
        _decoder.TryReadHeader(_wire, out FrameHeader header, out SequencePosition consumed, out _, out _);
        return Mask.Remask(_wire.Slice(consumed).FirstSpan, _remasked, header.MaskKey, 0x0BADF00D, 0);
    }
}
