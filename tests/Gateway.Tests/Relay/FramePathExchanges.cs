using System.Buffers.Binary;
using System.Text;
using Gateway.Relay;
using Gateway.Testing.Peers;

namespace Gateway.Tests.Relay;

/// The exchanges FramePathEquivalenceTests delivers in every way: valid sessions, and each rule of contract
/// section 4 broken once from each side, after valid frames (which must arrive) and before a frame that must not.
internal static class FramePathExchanges
{
    /// Limits small enough that frames and messages over them stay a few hundred bytes.
    private const int SmallFrameLimit = 200;
    private const int SmallMessageLimit = 300;

    public static IReadOnlyDictionary<string, Exchange> All { get; } =
        Valid().Concat(Broken(Side.Client)).Concat(Broken(Side.Upstream)).ToDictionary(x => x.Name);

    private static IEnumerable<Exchange> Valid() =>
    [
        new("text and binary both ways", Side.Client,
            [Text("hello"), Binary([1, 2, 3]), Text("wörld €😀"), Close(1000, "bye")],
            [Text("hi"), Binary(Bytes(200, 1)), Text("ünïcödé")]),
        new("fragmented messages with control frames between the fragments", Side.Client,
            [Text("frag", fin: false), Ping("p1"), More([0x6D, 0xC3], fin: false), Pong("unasked"), More([0xA9, 0x6E, 0x74]),
                Binary([1], fin: false), More([], fin: false), More([2]), Close(1001, "going")],
            [Text("up", fin: false), Ping("u1"), More(" stream"u8.ToArray()), Binary([7, 7], fin: false), Pong("x"), More([8])]),
        new("the upstream ends with an application close code and a reason", Side.Upstream,
            [Text("question"), Ping("c1"), Binary(Bytes(130, 2))],
            [Text("answer"), Ping("u"), Close(4000, "app says bye é")]),
        new("empty frames and a Close without a status", Side.Client,
            [Text(""), Binary([]), Text("", fin: false), More([]), Ping(""), Pong(""), new(true, WireFrame.Close, [])],
            [Text(""), Binary([]), Ping(""), Binary([], fin: false), More([])]),
        new("control frames of 125 bytes and a close reason of 123", Side.Client,
            [Ping(new string('p', 125)), Pong(new string('q', 125)), Binary(Bytes(125, 3)), Text(new string('t', 126)),
                Close(3000, new string('r', 123))],
            [Ping(new string('u', 125)), Binary(Bytes(126, 4)), Text(new string('v', 125))]),
        new("lengths in a longer form than needed", Side.Upstream,
            [Binary(Bytes(5, 5)) with { LengthBytes = 2 }, Binary(Bytes(5, 6)) with { LengthBytes = 8 },
                Binary(Bytes(300, 7)) with { LengthBytes = 8 }, Text("x") with { LengthBytes = 8 }, Binary(Bytes(300, 8))],
            [Binary(Bytes(5, 9)) with { LengthBytes = 8 }, Binary(Bytes(300, 10)) with { LengthBytes = 8 },
                Text("y") with { LengthBytes = 2 }, Close(1000, "")]),
        new("a 70 KiB binary frame both ways", Side.Client,
            [Binary(Bytes(70 * 1024, 11)), Ping("after"), Text("tail"), Close(1000, "done")],
            [Binary(Bytes(70 * 1024, 12)), Text("small")]),
        new("a 70 KiB text frame of 2-, 3- and 4-byte characters both ways", Side.Client,
            [TextBytes(LargeText(70 * 1024)), Close(1000, "")],
            [TextBytes(LargeText(70 * 1024)[..20_002], fin: false), More(LargeText(70 * 1024)[20_002..])]),
        new("a 70 KiB fragment inside a message, a ping after it", Side.Upstream,
            [Text("hello"), Binary(Bytes(20 * 1024, 13))],
            [Binary(Bytes(100, 14), fin: false), More(Bytes(70 * 1024, 15), fin: false), Ping("mid"), More(Bytes(10, 16)),
                Close(1000, "over")]),
    ];

    /// Each rule broken by `side` after a text and a binary frame, and followed by a frame that must not arrive.
    /// The other side sends a few frames first. The violation is the last frame of each `bad` list.
    private static IEnumerable<Exchange> Broken(Side side)
    {
        Exchange Case(string what, int code, params SentFrame[] bad) => WithViolation(
            $"{side} sends {what}", side, [Text("ok"), Binary([9, 8, 7]), .. bad, Text("never")], 1 + bad.Length, code);

        yield return Case("a reserved data opcode", 1002, new SentFrame(true, 0x3, [1, 2]));
        yield return Case("a reserved control opcode", 1002, new SentFrame(true, 0xB, []));
        yield return Case("RSV1", 1002, Text("hi") with { Rsv = 0b100 });
        yield return Case("RSV2", 1002, Binary([1]) with { Rsv = 0b010 });
        yield return Case("RSV3", 1002, Ping("r") with { Rsv = 0b001 });
        yield return side == Side.Client
            ? Case("an unmasked frame", 1002, Text("bare") with { Masked = false })
            : Case("a masked frame", 1002, Text("veiled") with { Masked = true });
        yield return Case("a ping with FIN clear", 1002, Ping("half") with { Fin = false });
        yield return Case("a ping of 126 bytes", 1002, Ping(new string('p', 126)));
        yield return Case("a close of 126 bytes", 1002, Close(1000, new string('c', 124)));
        yield return Case("a continuation with nothing to continue", 1002, More("x"u8.ToArray()));
        yield return Case("a new message inside a fragmented one", 1002, Text("open", fin: false), Ping("between"), Binary([1]));
        yield return Case("a 64-bit length with the top bit set", 1002,
            Binary([]) with { LengthBytes = 8, AnnouncedLength = 1UL << 63 });
        yield return Case("a 64-bit length over max_frame_size", 1009,
            Binary([]) with { LengthBytes = 8, AnnouncedLength = 1UL << 40 });
        yield return Case("a frame over max_frame_size", 1009, Binary(Bytes(SmallFrameLimit + 1, 20)));
        yield return Case("a message over max_message_size", 1009,
            Binary(Bytes(SmallFrameLimit, 21), fin: false), Ping("in between"), More(Bytes(SmallMessageLimit - SmallFrameLimit + 1, 22)));
        foreach (int code in new[] { 1005, 1006, 1015, 999, 1016, 2999, 5000 })
        {
            yield return Case($"close code {code}", 1002, Close(code, ""));
        }

        yield return Case("a close payload of 1 byte", 1002, new SentFrame(true, WireFrame.Close, [0x03]));
        yield return Case("a close reason that is not UTF-8", 1007, new SentFrame(true, WireFrame.Close, [0x03, 0xE8, 0xC0, 0xAF]));
        yield return Case("text that is not UTF-8", 1007, TextBytes([0x66, 0xC3, 0x28]));
        yield return Case("text that ends inside a code point", 1007, TextBytes([0x61, 0xE2, 0x82]));
        yield return Case("text not UTF-8 across a fragment boundary", 1007,
            TextBytes([0x61, 0xE2, 0x82], fin: false), More([0x28, 0x61]));

        // The bytes before the bad one may be forwarded in pieces first, as much as each delivery let arrive.
        var broken = LargeText(50_000);
        broken[40_000] = 0xFF;
        yield return WithViolation($"{side} sends text not UTF-8 40 KB into a 50 KB frame", side,
            [Text("ok"), TextBytes(broken), Text("never")], 1, 1007, maxFrameSize: 1 << 20);
    }

    /// A text message in two fragments (cut at byte 8) with `invalid` inserted at `offset`, from `side`: wherever it
    /// lands (either fragment, across the cut, inside another code point) the frames before it arrive, none after.
    public static Exchange InvalidUtf8At(Side side, byte[] invalid, int offset)
    {
        byte[] text = [.. ValidText[..offset], .. invalid, .. ValidText[offset..]];
        SentFrame[] frames = [Text("ok"), TextBytes(text[..8], fin: false), Ping("mid"), More(text[8..]), Text("never")];
        int at = FramePathModel.FirstFrameNotUtf8(frames);
        Assert.True(at > 0, $"{Convert.ToHexString(text)} is still UTF-8");
        return WithViolation($"{side} sends {Convert.ToHexString(invalid)} at byte {offset} of a text message", side, frames, at, 1007);
    }

    /// ASCII and code points of 2, 3 and 4 bytes.
    public static readonly byte[] ValidText = Encoding.UTF8.GetBytes("ab é€😀 z");

    private static Exchange WithViolation(string name, Side side, SentFrame[] frames, int at, int code,
        long maxFrameSize = SmallFrameLimit)
    {
        SentFrame[] others = [Text("chat"), Binary([4, 5, 6]), Ping("pp")];
        return new Exchange(name, side, side == Side.Client ? frames : others, side == Side.Client ? others : frames,
            new Violation(at, code), maxFrameSize, Math.Max(maxFrameSize, SmallMessageLimit));
    }

    /// Characters of 1 to 4 bytes over and over: the relay's 16 KiB pieces and the reads cut them anywhere.
    private static byte[] LargeText(int length)
    {
        var unit = Encoding.UTF8.GetBytes("aé€😀");
        return [.. Enumerable.Range(0, length).Select(i => unit[i % unit.Length])];
    }

    private static SentFrame Text(string text, bool fin = true) => TextBytes(Encoding.UTF8.GetBytes(text), fin);
    private static SentFrame TextBytes(byte[] text, bool fin = true) => new(fin, WireFrame.Text, text);
    private static SentFrame Binary(byte[] data, bool fin = true) => new(fin, WireFrame.Binary, data);
    private static SentFrame More(byte[] data, bool fin = true) => new(fin, WireFrame.Continuation, data);
    private static SentFrame Ping(string payload) => new(true, WireFrame.Ping, Encoding.UTF8.GetBytes(payload));
    private static SentFrame Pong(string payload) => new(true, WireFrame.Pong, Encoding.UTF8.GetBytes(payload));

    private static SentFrame Close(int code, string reason) => new(true, WireFrame.Close, ClosePayload(code, reason));

    public static byte[] ClosePayload(int code, string reason)
    {
        byte[] payload = [0, 0, .. Encoding.UTF8.GetBytes(reason)];
        BinaryPrimitives.WriteUInt16BigEndian(payload, (ushort)code);
        return payload;
    }

    private static byte[] Bytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
