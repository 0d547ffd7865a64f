using System.Buffers;
using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using Gateway.Protocol.Frames;
using Gateway.Relay;
using Gateway.Testing.Frames;

namespace Gateway.Benchmarks.Relay;

/// <summary>
/// The relay's managed work per message, as scenario (a) of tests/perf gives it: one read holding 8 whole 64-byte
/// frames, relayed by a running RelaySession (header rules, limits, the message rate, UTF-8, unmask and
/// remask toward the upstream, copy toward the client, the flush). In-memory pipes with inline schedulers stand
/// for the sockets, so the pump runs on the benchmark's thread and no system call is counted: what is left is the
/// part of a relayed message's CPU that the gateway's own code decides. Times are per frame.
/// </summary>
[MemoryDiagnoser]
public class RelayPumpBenchmarks
{
    private const int FramesPerRead = 8;

    private static readonly PipeOptions Inline = new(readerScheduler: PipeScheduler.Inline,
        writerScheduler: PipeScheduler.Inline, pauseWriterThreshold: 0, useSynchronizationContext: false);

    /// As tests/perf/gateway.yaml: frame and message limits on, a message rate far above what is sent.
    private static readonly RelayLimits Limits = new(new FrameLimits(1 << 20, 16 << 20), TimeSpan.Zero, TimeSpan.Zero,
        TimeSpan.FromSeconds(5), new MessageRate(1_000_000_000, TimeSpan.FromSeconds(1), 1_000_000_000));

    private readonly Pipe _clientIn = new(Inline);
    private readonly Pipe _clientOut = new(Inline);
    private readonly Pipe _upstreamIn = new(Inline);
    private readonly Pipe _upstreamOut = new(Inline);
    private byte[] _fromClient = [];
    private byte[] _fromUpstream = [];

    /// Text is validated as UTF-8 on the way; binary is not.
    [Params(0x1, 0x2)]
    public int Opcode { get; set; } = 0x1;

    [GlobalSetup]
    public void Setup()
    {
        var text = new byte[64];
        Array.Fill(text, (byte)'a');
        byte[] key = [0x5A, 0x17, 0xC0, 0xDE];
        var masked = RawFrame.Build(true, Opcode, text, key);
        var unmasked = RawFrame.Build(true, Opcode, text);
        _fromClient = RawFrame.Concat(Enumerable.Repeat(masked, FramesPerRead).ToArray());
        _fromUpstream = RawFrame.Concat(Enumerable.Repeat(unmasked, FramesPerRead).ToArray());
        var session = new RelaySession(new DuplexPipe(_clientIn.Reader, _clientOut.Writer),
            new DuplexPipe(_upstreamIn.Reader, _upstreamOut.Writer), Limits);
        session.Start(static _ => { }, null);
    }

    [Benchmark(OperationsPerInvoke = FramesPerRead)]
    public void ClientToUpstream() => Relay(_clientIn.Writer, _fromClient, _upstreamOut.Reader);

    [Benchmark(OperationsPerInvoke = FramesPerRead)]
    public void UpstreamToClient() => Relay(_upstreamIn.Writer, _fromUpstream, _clientOut.Reader);

    /// One read's worth in; the pump relays it during the flush (inline); what it forwarded is taken out.
    private static void Relay(PipeWriter into, byte[] frames, PipeReader outOf)
    {
        into.Write(frames);
        var flush = into.FlushAsync();
        if (!flush.IsCompletedSuccessfully)
        {
            throw new InvalidOperationException("the pump did not take the frames inline");
        }

        if (!outOf.TryRead(out var result) || result.Buffer.Length < frames.Length)
        {
            throw new InvalidOperationException("the pump forwarded less than it was given");
        }

        outOf.AdvanceTo(result.Buffer.End);
    }
}
