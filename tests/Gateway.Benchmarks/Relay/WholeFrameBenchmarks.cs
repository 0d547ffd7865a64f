using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Gateway.LoadTool.Tunnel;
using Gateway.Protocol.Frames;
using Gateway.Relay;
using Gateway.Testing.Frames;

namespace Gateway.Benchmarks.Relay;

/// <summary>
/// The frame work of one read of 8 whole 64-byte frames (scenario a of tests/perf), per frame, with no pipe, socket
/// or lock around it: the gateway's <c>FramePump.RelayWholeFrames</c> (header rules, the message rate, UTF-8, unmask
/// and remask, written into the other leg's output) against the frames tunnel's <c>FrameRelay.Process</c>
/// (tests/Gateway.LoadTool/Tunnel), the least a proxy that checks every frame must do, on the same bytes. Their
/// difference is what the gateway's frame loop adds to a message, apart from its I/O and its structure, which the
/// end-to-end comparison cannot resolve at this size (tests/perf/README.md).
/// </summary>
[MemoryDiagnoser]
public class WholeFrameBenchmarks
{
    private const int FramesPerRead = 8;

    private static readonly RelayLimits Limits = new(new FrameLimits(1 << 20, 16 << 20), TimeSpan.Zero, TimeSpan.Zero,
        TimeSpan.FromSeconds(5), new MessageRate(1_000_000_000, TimeSpan.FromSeconds(1), 1_000_000_000));

    private byte[] _read = [];
    private byte[] _inPlace = [];
    private FramePump _pump = null!;
    private FrameRelay _tunnel = null!;

    /// Text is validated as UTF-8 on the way; binary is not.
    [Params(0x1, 0x2)]
    public int Opcode { get; set; } = 0x1;

    /// From the client: masked, unmasked and masked again with a fresh key; from the upstream: copied.
    [Params(true, false)]
    public bool FromClient { get; set; } = true;

    [GlobalSetup]
    public void Setup()
    {
        var payload = new byte[64];
        Array.Fill(payload, (byte)'a');
        var frame = FromClient ? RawFrame.Build(true, Opcode, payload, [0x5A, 0x17, 0xC0, 0xDE]) : RawFrame.Build(true, Opcode, payload);
        _read = RawFrame.Concat(Enumerable.Repeat(frame, FramesPerRead).ToArray());
        _inPlace = new byte[_read.Length];

        var client = new Leg(Side.Client, new DuplexPipe(new Pipe().Reader, new DiscardingWriter()), Role.Server, Limits.FrameLimits);
        var upstream = new Leg(Side.Upstream, new DuplexPipe(new Pipe().Reader, new DiscardingWriter()), Role.Client, Limits.FrameLimits);
        var session = new RelaySession(new DuplexPipe(new Pipe().Reader, new Pipe().Writer), new DuplexPipe(new Pipe().Reader, new Pipe().Writer), Limits);
        _pump = FromClient
            ? new FramePump(client, upstream, session, new DirectionCounters(), MessageBucket.For(Limits.ClientMessageRate))
            : new FramePump(upstream, client, session, new DirectionCounters());

        _tunnel = new FrameRelay(FromClient);
        _tunnel.Process("GET / HTTP/1.1\r\n\r\n"u8.ToArray()); // past the HTTP head, as after an upgrade
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = FramesPerRead)]
    public int FramesTunnel()
    {
        _read.CopyTo(_inPlace, 0); // it transforms in place: a fresh copy of the read each time (the gateway copies once too)
        return _tunnel.Process(_inPlace) == _read.Length ? 0 : throw new InvalidOperationException("the tunnel stopped");
    }

    [Benchmark(OperationsPerInvoke = FramesPerRead)]
    public int Gateway()
    {
        var read = default(ReadProgress);
        int relayed = _pump.RelayWholeFrames(_read, ref read, out var error);
        return relayed == _read.Length && error is null ? 0 : throw new InvalidOperationException($"relayed {relayed}: {error}");
    }

    /// An output that takes everything into one buffer and keeps nothing: the other leg's writer without its cost.
    private sealed class DiscardingWriter : PipeWriter
    {
        private readonly byte[] _buffer = new byte[64 * 1024];

        public override void Advance(int bytes)
        {
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _buffer;

        public override Span<byte> GetSpan(int sizeHint = 0) => _buffer;

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => default;
    }
}
