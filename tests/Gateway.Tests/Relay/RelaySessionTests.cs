using System.IO.Pipelines;
using System.Security.Cryptography;
using Gateway.Relay;
using Gateway.Testing.Frames;
using Gateway.Testing.Peers;

namespace Gateway.Tests.Relay;

/// The relay over in-memory pipes: deterministic piece boundaries, no sockets.
public sealed class RelaySessionTests
{
    private static readonly RelayLimits Limits = TestRelayLimits.Quiet;

    [Theory]
    [InlineData(17_001)]  // pieces that end at every offset modulo 4 of the mask
    [InlineData(16_385)]
    [InlineData(100_000)] // the whole frame in one write
    public async Task A_large_masked_frame_arriving_in_pieces_is_remasked_and_arrives_intact(int writeSize)
    {
        await using var relay = RelayUnderTest.Start(Limits);
        var payload = RandomNumberGenerator.GetBytes(100_000);
        var frame = RawFrame.Build(true, 0x2, payload, [0x12, 0x34, 0x56, 0x78]);

        // Read while writing: the relay applies backpressure, so an unread upstream would stall the writes.
        var reading = Task.Run(async () =>
        {
            var received = new List<byte>();
            int pieces = 0;
            WireFrame? piece;
            do
            {
                piece = await relay.UpstreamReads.ReadFrameAsync();
                Assert.True(piece!.Masked, "frames toward the upstream are masked");
                Assert.Equal(pieces == 0 ? WireFrame.Binary : WireFrame.Continuation, piece.Opcode);
                received.AddRange(piece.Payload);
                pieces++;
            }
            while (!piece.Fin);
            return (received, pieces);
        });
        for (int at = 0; at < frame.Length; at += writeSize)
        {
            await relay.ClientWrites.WriteAsync(frame.AsMemory(at, Math.Min(writeSize, frame.Length - at)));
            await Task.Delay(5); // let the pump forward what arrived before the next piece
        }

        var (received, pieces) = await reading.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(payload, received.ToArray());
        Assert.True(writeSize >= frame.Length ? pieces == 1 : pieces > 1, $"{pieces} pieces");
    }

    [Fact]
    public async Task Upstream_frames_reach_the_client_unmasked_and_unchanged()
    {
        await using var relay = RelayUnderTest.Start(Limits);
        var frames = RawFrame.Concat(RawFrame.Build(false, 0x1, "Hel"u8), RawFrame.Build(true, 0x0, "lo"u8));

        await relay.UpstreamWrites.WriteAsync(frames);

        var first = await relay.ClientReads.ReadFrameAsync();
        var second = await relay.ClientReads.ReadFrameAsync();
        Assert.Equal((WireFrame.Text, false, false, "Hel"), (first!.Opcode, first.Fin, first.Masked, first.Text_));
        Assert.Equal((WireFrame.Continuation, true, false, "lo"), (second!.Opcode, second.Fin, second.Masked, second.Text_));
    }

    [Fact]
    public async Task Start_calls_back_once_when_the_session_has_ended_and_the_result_says_how()
    {
        var client = new Pipe();
        var clientOut = new Pipe();
        var upstream = new Pipe();
        var upstreamOut = new Pipe();
        var session = new RelaySession(new DuplexPipe(client.Reader, clientOut.Writer),
            new DuplexPipe(upstream.Reader, upstreamOut.Writer), Limits);
        int calls = 0;
        var ended = new TaskCompletionSource<RelayResult>(TaskCreationOptions.RunContinuationsAsynchronously);

        session.Start(state =>
        {
            Interlocked.Increment(ref calls);
            ended.TrySetResult(((RelaySession)state!).Result);
        }, session);
        await Task.Delay(100);
        Assert.Equal(0, calls); // both legs open: running

        await client.Writer.WriteAsync(RawFrame.Build(true, 0x8, [0x03, 0xE8], [1, 2, 3, 4])); // Close 1000
        var forwarded = await new FrameStream(upstreamOut.Reader.AsStream()).ReadFrameAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(WireFrame.Close, forwarded!.Opcode); // the client's Close reached the upstream: it answers
        await upstream.Writer.WriteAsync(RawFrame.Build(true, 0x8, [0x03, 0xE8]));
        var result = await ended.Task.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal((RelayEventKind.PeerClosed, Side.Client), (result.EndedBy, result.EndedOn));
        await Task.Delay(100);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Whole_frames_a_control_frame_and_a_partial_frame_in_one_read_arrive_in_order()
    {
        await using var relay = RelayUnderTest.Start(Limits);
        byte[] key = [9, 8, 7, 6];
        var big = RandomNumberGenerator.GetBytes(40_000);
        var bigFrame = RawFrame.Build(true, 0x2, big, key);
        var batch = RawFrame.Concat(
            RawFrame.Build(true, 0x1, "one"u8, key),
            RawFrame.Build(false, 0x2, [1, 2, 3], key),
            RawFrame.Build(true, 0x0, [4, 5], key),
            RawFrame.Build(true, 0x9, "ping"u8, key),
            RawFrame.Build(false, 0x1, "hé"u8, key),
            RawFrame.Build(true, 0x0, "llo"u8, key),
            bigFrame[..20_000]);

        await relay.ClientWrites.WriteAsync(batch); // one write: one read of the relay's
        var pong = await relay.ClientReads.ReadFrameAsync();
        Assert.Equal((WireFrame.Pong, "ping"), (pong!.Opcode, pong.Text_));
        await relay.ClientWrites.WriteAsync(bigFrame.AsMemory(20_000));

        var expected = new (int Opcode, bool Fin, byte[] Payload)[]
        {
            (WireFrame.Text, true, "one"u8.ToArray()), (WireFrame.Binary, false, [1, 2, 3]),
            (WireFrame.Continuation, true, [4, 5]), (WireFrame.Text, false, "hé"u8.ToArray()),
            (WireFrame.Continuation, true, "llo"u8.ToArray()),
        };
        foreach (var (opcode, fin, payload) in expected)
        {
            var frame = await relay.UpstreamReads.ReadFrameAsync();
            Assert.Equal((opcode, fin, true), (frame!.Opcode, frame.Fin, frame.Masked));
            Assert.Equal(payload, frame.Payload);
        }

        var received = new List<byte>();
        WireFrame? piece;
        do
        {
            piece = await relay.UpstreamReads.ReadFrameAsync();
            received.AddRange(piece!.Payload);
        }
        while (!piece.Fin);
        Assert.Equal(big, received.ToArray());
    }

    [Fact]
    public async Task A_bad_frame_among_whole_frames_stops_the_relay_there()
    {
        await using var relay = RelayUnderTest.Start(Limits);
        byte[] key = [1, 2, 3, 4];
        var batch = RawFrame.Concat(
            RawFrame.Build(true, 0x1, "fine"u8, key),
            RawFrame.Build(true, 0x1, [0x66, 0xC3, 0x28], key), // not UTF-8
            RawFrame.Build(true, 0x1, "never"u8, key));

        await relay.ClientWrites.WriteAsync(batch);

        var first = await relay.UpstreamReads.ReadFrameAsync();
        Assert.Equal((WireFrame.Text, "fine"), (first!.Opcode, first.Text_));
        var closeUp = await relay.UpstreamReads.ReadFrameAsync();
        Assert.Equal((WireFrame.Close, 1001), (closeUp!.Opcode, closeUp.CloseCode)); // nothing of the bad frame or after it
        var closeDown = await relay.ClientReads.ReadFrameAsync();
        Assert.Equal((WireFrame.Close, 1007), (closeDown!.Opcode, closeDown.CloseCode));
    }

    [Fact]
    public async Task A_client_Close_the_upstream_does_not_answer_in_time_is_answered_by_the_gateway()
    {
        await using var relay = RelayUnderTest.Start(Limits with { CloseTimeout = TimeSpan.FromMilliseconds(200) });
        await relay.ClientWrites.WriteAsync(RawFrame.Build(true, 0x8, [0x03, 0xE8, (byte)'b', (byte)'y', (byte)'e'], [1, 2, 3, 4]));
        var forwarded = await relay.UpstreamReads.ReadFrameAsync();
        Assert.Equal((WireFrame.Close, 1000, "bye"), (forwarded!.Opcode, forwarded.CloseCode, forwarded.CloseReason));

        // The upstream is slow to answer: past close_timeout the client's close handshake is completed all the same,
        // with its own code and reason echoed (RFC 6455 5.5.1), instead of its connection being dropped.
        var answer = await relay.ClientReads.ReadFrameAsync();
        Assert.NotNull(answer);
        Assert.Equal((WireFrame.Close, 1000, "bye", false), (answer.Opcode, answer.CloseCode, answer.CloseReason, answer.Masked));
        Assert.Null(await relay.ClientReads.ReadFrameAsync()); // and then the connection ends
    }

    [Fact]
    public async Task A_drain_that_reaches_a_session_after_it_ended_does_nothing()
    {
        var session = new RelaySession(new DuplexPipe(new Pipe().Reader, new Pipe().Writer),
            new DuplexPipe(new Pipe().Reader, new Pipe().Writer), Limits);
        var run = session.RunAsync().AsTask();

        // Cut without close handshakes (the end of a drain's grace): the session ends with no ending event of its own.
        session.Abort();
        await run.WaitAsync(TimeSpan.FromSeconds(10));

        // A drain that iterated the registry just before the session left it: nothing to do, nothing thrown.
        await session.CloseAsync(RelayEventKind.Draining).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(session.IsClosing);
    }

    [Fact]
    public async Task Whole_frames_that_overflow_the_outputs_span_go_on_in_the_next_one_intact_and_in_order()
    {
        // The upstream's writer hands out spans of 100 bytes: the second of these 70-byte frames no longer fits
        // in the first span, and every frame after it starts a new span.
        await using var relay = RelayUnderTest.Start(Limits, upstreamSpanBytes: 100);
        byte[] key = [0x0F, 0x1E, 0x2D, 0x3C];
        var texts = Enumerable.Range(0, 8).Select(i => new string((char)('a' + i), 64)).ToArray();

        await relay.ClientWrites.WriteAsync(RawFrame.Concat(texts.Select(t => RawFrame.Build(true, 0x1,
            System.Text.Encoding.UTF8.GetBytes(t), key)).ToArray())); // one write: one read of 8 whole frames

        foreach (var text in texts)
        {
            var frame = await relay.UpstreamReads.ReadFrameAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal((WireFrame.Text, true, true, text), (frame!.Opcode, frame.Fin, frame.Masked, frame.Text_));
        }
    }

    [Fact]
    public async Task Whole_frames_toward_the_upstream_carry_a_fresh_mask_key_each()
    {
        await using var relay = RelayUnderTest.Start(Limits);
        byte[] key = [0x0F, 0x1E, 0x2D, 0x3C];
        var payloads = Enumerable.Range(0, 8).Select(i => RandomNumberGenerator.GetBytes(10 + i * 40)).ToArray();

        await relay.ClientWrites.WriteAsync(RawFrame.Concat(payloads.Select(p => RawFrame.Build(true, 0x2, p, key)).ToArray()));

        var keys = new List<string>();
        foreach (var payload in payloads)
        {
            var frame = await relay.UpstreamReads.ReadFrameAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(payload, frame!.Payload);
            Assert.NotEqual(key, frame.MaskKey); // the client's key is not reused (RFC 6455 5.3: unpredictable keys)
            keys.Add(Convert.ToHexString(frame.MaskKey!));
        }

        Assert.Equal(keys.Count, keys.Distinct().Count());
    }

    [Theory]
    [InlineData(5, 2, true)]     // a 7-bit length sent in the 16-bit form
    [InlineData(5, 8, true)]     // ... in the 64-bit form
    [InlineData(300, 8, true)]   // a 16-bit length sent in the 64-bit form
    [InlineData(5, 8, false)]    // the same from the upstream
    [InlineData(300, 8, false)]
    public async Task Whole_frames_with_a_longer_length_form_than_needed_go_out_in_the_shortest(int size, int lengthBytes, bool fromClient)
    {
        // RFC 6455 5.2 asks for the fewest bytes; the decoder lets a longer form through, and the relay, which
        // otherwise copies a header as it came, writes it anew.
        await using var relay = RelayUnderTest.Start(Limits);
        var payload = RandomNumberGenerator.GetBytes(size);
        byte[]? key = fromClient ? [0x0F, 0x1E, 0x2D, 0x3C] : null;
        var longer = RawFrame.Build(true, 0x2, payload, key, lengthBytes: lengthBytes);
        var shortest = RawFrame.Build(true, 0x2, payload, key);
        var (writes, reads) = fromClient ? (relay.ClientWrites, relay.UpstreamReads) : (relay.UpstreamWrites, relay.ClientReads);

        await writes.WriteAsync(RawFrame.Concat(shortest, longer, shortest)); // one read: whole frames, both forms

        for (int i = 0; i < 3; i++)
        {
            var frame = await reads.ReadFrameAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(payload, frame!.Payload);
            Assert.Equal(fromClient, frame.Masked);
            Assert.Equal((size <= 125 ? 2 : 4) + (fromClient ? 4 : 0), frame.HeaderLength);
        }
    }

    /// A PipeWriter whose spans are never longer than `spanBytes`, whatever the size asked for.
    private sealed class ShortSpanWriter(PipeWriter inner, int spanBytes) : PipeWriter
    {
        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint)[..spanBytes];
        public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
        public override void Advance(int bytes) => inner.Advance(bytes);
        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
            inner.FlushAsync(cancellationToken);
        public override void CancelPendingFlush() => inner.CancelPendingFlush();
        public override void Complete(Exception? exception = null) => inner.Complete(exception);
    }

    /// A session between two in-memory pipe pairs, with FrameStreams for the far ends.
    private sealed class RelayUnderTest : IAsyncDisposable
    {
        private readonly Task<RelayResult> _run;

        private RelayUnderTest(RelayLimits limits, int? upstreamSpanBytes)
        {
            var clientIn = new Pipe();
            var clientOut = new Pipe();
            var upstreamIn = new Pipe();
            var upstreamOut = new Pipe();
            ClientWrites = clientIn.Writer.AsStream();
            ClientReads = new FrameStream(clientOut.Reader.AsStream());
            UpstreamWrites = upstreamIn.Writer.AsStream();
            UpstreamReads = new FrameStream(upstreamOut.Reader.AsStream());
            var session = new RelaySession(new DuplexPipe(clientIn.Reader, clientOut.Writer),
                new DuplexPipe(upstreamIn.Reader, upstreamSpanBytes is { } bytes
                    ? new ShortSpanWriter(upstreamOut.Writer, bytes) : upstreamOut.Writer), limits);
            _run = session.RunAsync().AsTask();
        }

        public Stream ClientWrites { get; }
        public FrameStream ClientReads { get; }
        public Stream UpstreamWrites { get; }
        public FrameStream UpstreamReads { get; }

        public static RelayUnderTest Start(RelayLimits limits, int? upstreamSpanBytes = null) => new(limits, upstreamSpanBytes);

        public async ValueTask DisposeAsync()
        {
            await ClientWrites.DisposeAsync();
            await UpstreamWrites.DisposeAsync();
            var finished = await Task.WhenAny(_run, Task.Delay(TimeSpan.FromSeconds(10)));
            Assert.Same(_run, finished);
        }
    }
}
