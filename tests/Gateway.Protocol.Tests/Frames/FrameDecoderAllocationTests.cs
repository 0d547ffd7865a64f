using System.Buffers;
using Gateway.Protocol.Frames;
using Gateway.Protocol.Masking;
using Gateway.Testing.Buffers;
using static Gateway.Protocol.Tests.Frames.WireAssert;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>
/// Nothing is sized by an announced length, and the steady-state relay loop (decode, unmask, validate, remask)
/// allocates nothing at all. Each measurement runs once to warm up (JIT, static constructors), then counts this
/// thread's allocations over a few runs and keeps the smallest: the runtime very rarely charges a one-off allocation
/// (tiering, type loading) to the thread, while an allocation per frame or per header shows in every run.
/// </summary>
public class FrameDecoderAllocationTests
{
    private const int Rounds = 200;

    [Theory]
    [InlineData("82 7F 4000000000000000", false)]             // 2^62 bytes announced, unmasked
    [InlineData("82 FF 4000000000000000 01020304", true)]     // ...and masked
    public void Header_announcing_2_to_the_62_bytes_allocates_nothing(string hex, bool masked)
    {
        Role role = masked ? Role.Server : Role.Client;
        ReadOnlySequence<byte> contiguous = new(Hex(hex));
        ReadOnlySequence<byte> split = SequenceBuilder.SplitAt(Hex(hex), [1, 3, 7]); // the copy-to-stack path
        var unlimited = new FrameDecoder(role, FrameLimits.Unlimited);
        var limited = new FrameDecoder(role, FrameLimits.Default);

        ReadOnlySequence<byte>[] buffers = [contiguous, split];
        bool allAsExpected = true;

        // No assertions inside the measurement: xunit's own comparers allocate.
        long allocated = Measure(() =>
        {
            foreach (ReadOnlySequence<byte> buffer in buffers)
            {
                unlimited.Reset();
                allAsExpected &= unlimited.TryReadHeader(buffer, out FrameHeader header, out _, out _, out _)
                    == DecodeStatus.Done && header.PayloadLength == 1L << 62;
                limited.Reset();
                allAsExpected &= limited.TryReadHeader(buffer, out _, out _, out _, out ProtocolError? error)
                    == DecodeStatus.Error && error == ProtocolError.FrameTooLarge;
            }
        });

        Assert.True(allAsExpected);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Steady_state_decode_unmask_validate_remask_allocates_nothing()
    {
        FrameSpec[] frames = FrameSequences.Random(new Random(7))
            .Concat(FrameSequences.Message(true, "h\u00e9llo w\u00f6rld \U0001F600"u8.ToArray(), [2, 9], [], [0x01020304]))
            .ToArray();
        byte[] wire = FrameSequences.Encode(frames, Role.Client);
        ReadOnlySequence<byte> input = SequenceBuilder.SplitAt(wire, SequenceBuilder.RandomCuts(wire.Length, new Random(1), 37));
        var decoder = new FrameDecoder(Role.Server, FrameLimits.Unlimited);
        var unmasked = new byte[wire.Length];
        var remasked = new byte[wire.Length];

        int decoded = 0;
        long allocated = Measure(() =>
        {
            decoded = 0;
            for (int round = 0; round < Rounds; round++)
            {
                decoded += Relay(decoder, input, unmasked, remasked);
            }
        });

        Assert.Equal(frames.Length * Rounds, decoded);
        Assert.Equal(0, allocated);
    }

    /// <summary>The relay's loop over a whole input; returns the number of frames.</summary>
    private static int Relay(FrameDecoder decoder, ReadOnlySequence<byte> input, byte[] unmasked, byte[] remasked)
    {
        int frames = 0;
        while (!input.IsEmpty)
        {
            if (decoder.TryReadHeader(input, out FrameHeader header, out SequencePosition consumed, out _, out _)
                != DecodeStatus.Done)
            {
                throw new InvalidOperationException("the input is valid and complete");
            }

            input = input.Slice(consumed);
            ReadOnlySequence<byte> payload = input.Slice(0, header.PayloadLength);
            int offset = 0, written = 0;
            foreach (ReadOnlyMemory<byte> piece in payload)
            {
                Span<byte> plain = unmasked.AsSpan(written, piece.Length);
                Mask.Remask(piece.Span, remasked.AsSpan(written), header.MaskKey, 0x0BADF00D, offset);
                offset = Mask.Apply(piece.Span, plain, header.MaskKey, offset);
                written += piece.Length;
                decoder.ValidatePayload(plain, endOfFrame: false);
            }

            if (decoder.ValidatePayload([], endOfFrame: true) is not null)
            {
                throw new InvalidOperationException("the input is valid text");
            }

            input = input.Slice(payload.End);
            frames++;
        }

        return frames;
    }

    private const int Measurements = 3;

    internal static long Measure(Action action)
    {
        action(); // warm-up
        long least = long.MaxValue;
        for (int i = 0; i < Measurements; i++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
