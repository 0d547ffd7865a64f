using System.Collections.Concurrent;
using Gateway.Relay;

namespace Gateway.Tests.Relay;

/// How the bytes of each side reach the relay. Each way drives other paths of the relay's pump: one write of whole
/// frames its whole-frame run, splits and small writes its per-piece path (headers, pieces, frames across reads),
/// loopback sockets read on demand its inline path on the socket's readiness.
public enum Delivery
{
    OneWrite,
    SplitAtEveryByte,
    RandomChunks,
    ByteAtATime,
    SocketOneSend,
    SocketSmallSends,
}

/// The relay's frame paths are one behaviour: the same bytes, however they arrive, give each peer the same frames
/// (unmasked payload, opcode, FIN; masked toward the upstream only), the same Close, and the same RelayResult.
/// Every outcome is also checked against FramePathModel, worked out from the frames sent, so the ways agree on
/// the right outcome: for a violation, what was valid and complete before it arrives and nothing from it on.
/// Only the relay's public seams are used (RelaySession, RelayResult), so the tests hold across a rewrite of
/// the pump.
public sealed class FramePathEquivalenceTests
{
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(5);

    /// The one place the relay's limits are built: the peers always answer, so no timeout ever fires.
    internal static RelayLimits LimitsFor(Exchange exchange) =>
        new(new Gateway.Protocol.Frames.FrameLimits(exchange.MaxFrameSize, exchange.MaxMessageSize), TimeSpan.Zero, TimeSpan.Zero, CloseTimeout);

    public static TheoryData<string, Delivery> Exchanges()
    {
        var cases = new TheoryData<string, Delivery>();
        foreach (var name in FramePathExchanges.All.Keys)
        {
            foreach (var delivery in Enum.GetValues<Delivery>())
            {
                cases.Add(name, delivery);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Exchanges))]
    public async Task Every_delivery_of_an_exchange_gives_the_same_outcome(string exchange, Delivery delivery)
    {
        await AssertEveryVariantAsync(FramePathExchanges.All[exchange], delivery);
    }

    public static TheoryData<string, Side, Delivery> InvalidUtf8()
    {
        var cases = new TheoryData<string, Side, Delivery>();
        foreach (var invalid in new[] { "FF", "80", "C0AF", "EDA080", "F4908080" })
        {
            foreach (var side in Enum.GetValues<Side>())
            {
                foreach (var delivery in Enum.GetValues<Delivery>())
                {
                    cases.Add(invalid, side, delivery);
                }
            }
        }

        return cases;
    }

    /// The invalid bytes at every offset of a two-fragment text message: in either fragment, across the cut, inside
    /// a code point of 2, 3 or 4 bytes: a byte never in UTF-8, a lone continuation, an overlong form, a surrogate, a
    /// value over U+10FFFF.
    [Theory]
    [MemberData(nameof(InvalidUtf8))]
    public async Task Invalid_UTF8_anywhere_in_a_text_message_ends_the_same_way_for_every_delivery(string invalid, Side side, Delivery delivery)
    {
        for (int offset = 0; offset <= FramePathExchanges.ValidText.Length; offset++)
        {
            await AssertEveryVariantAsync(FramePathExchanges.InvalidUtf8At(side, Convert.FromHexString(invalid), offset), delivery);
        }
    }

    /// Each variant of the delivery (each split point, each seed) meets the model and the reference.
    private static async Task AssertEveryVariantAsync(Exchange x, Delivery delivery)
    {
        var reference = await ReferenceAsync(x);
        foreach (var (label, chunks) in Variants(delivery, x))
        {
            AssertOutcome(x, reference, await FramePathRun.RunAsync(x, chunks, IsOverSockets(delivery)), $"{delivery} {label}");
        }
    }

    /// One write over pipes, run once per exchange: the outcome the others must equal (after it has met the model).
    private static readonly ConcurrentDictionary<string, Task<Outcome>> References = new();

    private static async Task<Outcome> ReferenceAsync(Exchange x)
    {
        var reference = await References.GetOrAdd(x.Name, _ => FramePathRun.RunAsync(x, OneWrite, overSockets: false));
        AssertOutcome(x, reference, reference, "one write (reference)");
        return reference;
    }

    private static bool IsOverSockets(Delivery delivery) => delivery is Delivery.SocketOneSend or Delivery.SocketSmallSends;

    private static IEnumerable<(string Label, Func<byte[], IEnumerable<byte[]>> Chunks)> Variants(Delivery delivery, Exchange x)
    {
        int longest = Math.Max(FramePathRun.WireBytes(Side.Client, x.FromClient).Length,
            FramePathRun.WireBytes(Side.Upstream, x.FromUpstream).Length);
        return delivery switch
        {
            Delivery.OneWrite or Delivery.SocketOneSend => [("", OneWrite)],
            Delivery.SplitAtEveryByte => SplitPoints(longest).Select(k => ($"split at {k}", SplitAt(k))),
            Delivery.RandomChunks => Enumerable.Range(1, 6).Select(seed => ($"seed {seed}", RandomChunks(seed, Math.Max(2, longest / 4)))),
            Delivery.ByteAtATime => [("", RandomChunks(0, 1))],
            Delivery.SocketSmallSends => Enumerable.Range(1, 3).Select(seed => ($"seed {seed}", RandomChunks(seed, 16))),
            _ => throw new ArgumentOutOfRangeException(nameof(delivery)),
        };
    }

    private static IEnumerable<byte[]> OneWrite(byte[] bytes) => [bytes];

    private static Func<byte[], IEnumerable<byte[]>> SplitAt(int k) => bytes => k < bytes.Length ? [bytes[..k], bytes[k..]] : [bytes];

    /// Chunks of 1 to `largest` bytes, the same cuts for the same seed.
    private static Func<byte[], IEnumerable<byte[]>> RandomChunks(int seed, int largest) => bytes =>
    {
        var random = new Random(seed);
        var chunks = new List<byte[]>();
        for (int at = 0; at < bytes.Length;)
        {
            int length = Math.Min(bytes.Length - at, random.Next(1, largest + 1));
            chunks.Add(bytes[at..(at + length)]);
            at += length;
        }

        return chunks;
    };

    /// Every byte of a stream of a few hundred bytes; for a large one, the first and last bytes, the edges of each
    /// 16 KiB (where the relay starts forwarding pieces), and a stride in between.
    private static IEnumerable<int> SplitPoints(int length)
    {
        if (length <= 2048)
        {
            return Enumerable.Range(1, length - 1);
        }

        var edges = Enumerable.Range(1, length / FramePathModel.MinPieceBytes)
            .SelectMany(m => new[] { -1, 0, 1, 10, 14, 15 }.Select(d => m * FramePathModel.MinPieceBytes + d));
        return Enumerable.Range(1, 24).Concat(edges).Concat(Enumerable.Range(1, 10).Select(i => i * length / 11))
            .Concat(Enumerable.Range(length - 24, 24)).Where(k => k > 0 && k < length).Distinct().Order();
    }

    private static void AssertOutcome(Exchange x, Outcome reference, Outcome outcome, string label)
    {
        foreach (var side in Enum.GetValues<Side>())
        {
            var expected = FramePathModel.At(side, x, s => reference.At(s)[^1].CloseReason);
            var wanted = expected.Select(FramePathModel.Line).ToList();
            var received = FramePathModel.Lines(outcome.At(side), expected);
            if (!wanted.SequenceEqual(received))
            {
                Assert.Fail($"{x.Name}, {label}: the {side} received\n  {string.Join("\n  ", received)}\n" +
                    $"instead of\n  {string.Join("\n  ", wanted)}");
            }
        }

        var result = outcome.Result;
        var endedBy = x.Violation is null ? RelayEventKind.PeerClosed : RelayEventKind.Violation;
        Assert.True((endedBy, x.Ends) == (result.EndedBy, result.EndedOn),
            $"{x.Name}, {label}: ended by {result.EndedBy} on {result.EndedOn}, not {endedBy} on {x.Ends}");
        // The closes the session says it sent are the ones the peers got.
        Assert.Equal(outcome.AtClient[^1].Payload, result.ClosedToClient?.Payload.ToArray());
        Assert.Equal(outcome.AtUpstream[^1].Payload, result.ClosedToUpstream?.Payload.ToArray());
    }
}
