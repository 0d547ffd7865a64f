using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Gateway.Relay;
using Gateway.Testing.Peers;

namespace Gateway.Tests.Relay;

/// A frame a peer must receive, payload unmasked.
/// MayBePartial: the frame that breaks the rules, large enough to arrive in pieces: the valid part before the
/// violation may have been forwarded in pieces (see FramePathModel.Lines).
internal readonly record struct ExpectedFrame(int Opcode, bool Fin, byte[] Payload, bool Masked, bool MayBePartial = false);

/// What each peer of an exchange must receive, worked out from the frames sent alone (contract section 4 for the
/// closes), and the frames received rendered as lines that compare with it one by one.
internal static class FramePathModel
{
    /// From this size a frame may arrive in pieces: the relay forwards what has arrived of a frame once it holds
    /// 16 KiB, and RFC 6455 5.4 lets an intermediary refragment. Smaller frames arrive as they were sent.
    public const int MinPieceBytes = 16 * 1024;

    /// `gatewayReason`: the reason of a Close the gateway makes up toward `side` on a violation; the contract fixes
    /// only its code, so the tests take the reason from a reference run.
    public static List<ExpectedFrame> At(Side peer, Exchange exchange, Func<Side, string> gatewayReason)
    {
        var expected = new List<ExpectedFrame>();
        bool masked = peer == Side.Upstream; // RFC 6455 5.3: toward the upstream the gateway is the client
        var first = exchange.Ends == Side.Client ? Side.Upstream : Side.Client;
        Relayed(first, exchange.From(first), peer, masked, expected);
        var ending = exchange.From(exchange.Ends);
        Relayed(exchange.Ends, ending[..(exchange.Violation?.AtFrame ?? ending.Length - 1)], peer, masked, expected);
        if (exchange.Violation is { } broken && ending[broken.AtFrame] is { Opcode: < WireFrame.Close } bad &&
            bad.Payload.Length >= MinPieceBytes && peer != exchange.Ends)
        {
            expected.Add(new(bad.Opcode, false, bad.Payload, masked, MayBePartial: true));
        }

        expected.Add(new(WireFrame.Close, true, CloseAt(peer, exchange, gatewayReason), masked));
        return expected;
    }

    /// Data goes across to the other peer; a Ping comes back to its sender as a Pong; a Pong goes nowhere.
    private static void Relayed(Side from, SentFrame[] frames, Side peer, bool masked, List<ExpectedFrame> expected)
    {
        foreach (var frame in frames)
        {
            if (frame.Opcode < WireFrame.Close && peer != from)
            {
                expected.Add(new(frame.Opcode, frame.Fin, frame.Payload, masked));
            }
            else if (frame.Opcode == WireFrame.Ping && peer == from)
            {
                expected.Add(new(WireFrame.Pong, true, frame.Payload, masked));
            }
        }
    }

    private static byte[] CloseAt(Side peer, Exchange exchange, Func<Side, string> gatewayReason)
    {
        if (exchange.Violation is { } violation)
        {
            // The violating side gets the violation's code; the other 1001 (client broke it) or 1014 (upstream did).
            int code = peer == exchange.Ends ? violation.Code : peer == Side.Client ? 1014 : 1001;
            return FramePathExchanges.ClosePayload(code, gatewayReason(peer));
        }

        var close = exchange.From(exchange.Ends)[^1].Payload;
        if (peer != exchange.Ends)
        {
            return close; // relayed as it came
        }

        // The client gets the upstream's answer to its Close (the test's peer echoes the code); the upstream gets
        // the gateway's answer to its own: the same code, no reason (RFC 6455 5.5.1).
        return exchange.Ends == Side.Client ? FramePathRun.Echo(close) : close.Length < 2 ? [] : close[..2];
    }

    public static string Line(ExpectedFrame frame) => Line(frame.Opcode, frame.Fin, frame.Masked, frame.Payload) +
        (frame.MayBePartial ? " or pieces of a part of it" : "");

    /// The frames received, one line each, but the pieces of a frame the model expects to arrive in pieces
    /// (MinPieceBytes) are joined into one line: the first piece's opcode, the last one's FIN, all payloads. For
    /// a large frame that fails validation part way (MayBePartial), any pieces of a proper prefix of it, FIN clear,
    /// are what the model expects: how much of it was forwarded before the bad bytes arrived is up to the delivery.
    public static List<string> Lines(IReadOnlyList<WireFrame> received, IReadOnlyList<ExpectedFrame> expected)
    {
        var lines = new List<string>();
        int i = 0;
        foreach (var wanted in expected)
        {
            int start = i;
            var pieces = wanted.Payload.Length >= MinPieceBytes ? Pieces(received, ref i, wanted.Payload.Length) : [];
            byte[] joined = [.. pieces.SelectMany(p => p.Payload)];
            bool sameMasking = pieces.All(p => p.Masked == wanted.Masked);
            if (wanted.MayBePartial && sameMasking && pieces.All(p => !p.Fin) && joined.Length < wanted.Payload.Length &&
                joined.AsSpan().SequenceEqual(wanted.Payload.AsSpan(0, joined.Length)) &&
                (pieces.Count == 0 || pieces[0].Opcode == wanted.Opcode))
            {
                lines.Add(Line(wanted));
            }
            else if (pieces.Count > 0 && !wanted.MayBePartial)
            {
                lines.Add(Line(pieces[0].Opcode, pieces[^1].Fin, pieces[0].Masked, joined) +
                    (sameMasking ? "" : " (pieces masked differently)"));
            }
            else if ((i = start) < received.Count)
            {
                lines.Add(Line(received[i].Opcode, received[i].Fin, received[i].Masked, received[i++].Payload));
            }
        }

        lines.AddRange(received.Skip(i).Select(f => Line(f.Opcode, f.Fin, f.Masked, f.Payload))); // more than expected
        return lines;
    }

    /// A data frame and the continuations that follow it until FIN or `length` bytes: the pieces of one frame.
    private static List<WireFrame> Pieces(IReadOnlyList<WireFrame> received, ref int i, int length)
    {
        var pieces = new List<WireFrame>();
        int bytes = 0;
        while (i < received.Count && received[i].Opcode < WireFrame.Close && bytes < length &&
            (pieces.Count == 0 || (received[i].Opcode == WireFrame.Continuation && !pieces[^1].Fin)))
        {
            bytes += received[i].Payload.Length;
            pieces.Add(received[i++]);
        }

        return pieces;
    }

    private static string Line(int opcode, bool fin, bool masked, byte[] payload) => (opcode == WireFrame.Close
        ? $"close {CloseText(payload)}"
        : $"opcode {opcode} fin={fin} {Describe(payload)}") + (masked ? " masked" : " unmasked");

    private static string CloseText(byte[] payload) => payload.Length switch
    {
        0 => "(no status)",
        1 => $"(1 byte: {payload[0]:X2})",
        _ => $"{BinaryPrimitives.ReadUInt16BigEndian(payload)} \"{Encoding.UTF8.GetString(payload, 2, payload.Length - 2)}\"",
    };

    private static string Describe(byte[] payload) => payload.Length <= 32
        ? $"[{Convert.ToHexString(payload)}]"
        : $"[{payload.Length} bytes, SHA-256 {Convert.ToHexString(SHA256.HashData(payload))[..16]}]";

    /// The first frame at which a text message stops being UTF-8 or can no longer become it: where a fail-fast
    /// validator (RFC 6455 8.1, the gateway's) rejects it, as it validates each frame before forwarding it. -1: none.
    public static int FirstFrameNotUtf8(SentFrame[] frames)
    {
        List<byte>? text = null;
        for (int i = 0; i < frames.Length; i++)
        {
            var frame = frames[i];
            if (frame.Opcode is WireFrame.Text or WireFrame.Binary)
            {
                text = frame.Opcode == WireFrame.Text ? [] : null;
            }
            else if (frame.Opcode != WireFrame.Continuation)
            {
                continue;
            }

            if (text is null)
            {
                continue;
            }

            text.AddRange(frame.Payload);
            if (!CanStillBeUtf8([.. text], frame.Fin))
            {
                return i;
            }

            text = frame.Fin ? null : text;
        }

        return -1;
    }

    private static bool CanStillBeUtf8(ReadOnlySpan<byte> text, bool final)
    {
        while (!text.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(text, out _, out int used);
            if (status != OperationStatus.Done)
            {
                return status == OperationStatus.NeedMoreData && !final;
            }

            text = text[used..];
        }

        return true;
    }
}
