using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;
using Gateway.Protocol;
using Gateway.Protocol.Closing;
using Gateway.Protocol.Frames;

namespace Gateway.Fuzz.Targets;

/// <summary>
/// The Close body reader (RFC 6455 5.5.1, 7.4) and its writer. Input: [mask/chunk seed][payload...]. The payload is
/// parsed bare and checked against the rules worked out here, written back, and, when it fits a control frame,
/// sent inside a masked Close through the frame decoder in pieces, which must read the same code and verdict.
/// </summary>
internal static class ClosePayloadTarget
{
    private const int MaxPayload = 125;
    private const int MaxReason = 123;

    public static void Run(byte[] input)
    {
        if (input.Length < 1)
        {
            return;
        }

        byte seed = input[0];
        byte[] payload = input[1..];
        ProtocolError? error = ClosePayload.Parse(payload, out ushort code, out ReadOnlySpan<byte> reason);
        CheckParse(payload, error, code, reason);
        if (error is null && payload.Length >= 2)
        {
            CheckWriteBack(payload, code, reason);
        }

        CheckTruncatingWrites(payload);
        if (payload.Length <= MaxPayload)
        {
            CheckFramed(payload, seed, $"  close {code} {error?.Code ?? "ok"} reason {reason.Length}\n");
        }
    }

    /// <summary>The verdict on a whole Close body, from the RFC's rules rather than the parser's code.</summary>
    public static void CheckParse(ReadOnlySpan<byte> payload, ProtocolError? error, ushort code, ReadOnlySpan<byte> reason)
    {
        ProtocolError? expected;
        ushort expectedCode = payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(payload) : (ushort)0;
        if (payload.IsEmpty)
        {
            (expected, expectedCode) = (null, 1005); // 7.1.5: no status code received
        }
        else if (payload.Length == 1)
        {
            expected = ProtocolError.InvalidClosePayload;
        }
        else if (payload.Length > MaxPayload)
        {
            (expected, expectedCode) = (ProtocolError.ControlFrameTooLong, 0);
        }
        else if (!MayBeSent(expectedCode))
        {
            expected = ProtocolError.InvalidCloseCode;
        }
        else
        {
            expected = Utf8.IsValid(payload[2..]) ? null : ProtocolError.InvalidCloseReason;
        }

        Invariant.Same(expected?.Code, error?.Code, "close verdict");
        Invariant.Same(expectedCode, code, "close code");
        bool reasonRight = error is null ? reason.SequenceEqual(payload[Math.Min(2, payload.Length)..]) : reason.IsEmpty;
        Invariant.Check(reasonRight, "close reason");
    }

    // RFC 6455 7.4.1 and 7.4.2, the IANA registry: what a peer may put in a Close.
    private static bool MayBeSent(ushort code) => code is (>= 1000 and <= 1003) or (>= 1007 and <= 1014) or (>= 3000 and <= 4999);

    private static void CheckWriteBack(byte[] payload, ushort code, ReadOnlySpan<byte> reason)
    {
        Span<byte> written = stackalloc byte[MaxPayload];
        int count = ClosePayload.Write(written, code, reason);
        Invariant.Check(written[..count].SequenceEqual(payload), "Write(bytes) of a parsed payload differs");
        count = ClosePayload.Write(written, code, Encoding.UTF8.GetString(reason).AsSpan());
        Invariant.Check(written[..count].SequenceEqual(payload), "Write(chars) of a parsed payload differs");
    }

    /// <summary>Any reason, however long, is cut to one that parses: a prefix, ending on a code point boundary.</summary>
    private static void CheckTruncatingWrites(byte[] text)
    {
        Span<byte> written = stackalloc byte[MaxPayload];
        string chars = Encoding.UTF8.GetString(text); // ill-formed bytes become U+FFFD
        byte[] encoded = Encoding.UTF8.GetBytes(chars);
        int count = ClosePayload.Write(written, CloseCodes.NormalClosure, chars.AsSpan());
        CheckWritten(written[..count], encoded);
        if (Utf8.IsValid(text))
        {
            count = ClosePayload.Write(written, CloseCodes.GoingAway, text);
            CheckWritten(written[..count], text);
        }
    }

    private static void CheckWritten(ReadOnlySpan<byte> written, ReadOnlySpan<byte> fullReason)
    {
        ProtocolError? error = ClosePayload.Parse(written, out _, out ReadOnlySpan<byte> reason);
        Invariant.Check(error is null, $"a written Close does not parse: {error}");
        Invariant.Check(fullReason.StartsWith(reason), "the written reason is not a prefix of the reason given");
        Invariant.Check(reason.Length == Math.Min(fullReason.Length, MaxReason) || fullReason.Length > MaxReason,
            "a reason that fits was cut");
        Invariant.Check(fullReason.Length <= MaxReason || reason.Length > MaxReason - 4, "cut more than one code point");
    }

    /// <summary>The payload in a masked Close frame, read by the decoder as a server would, in pieces.</summary>
    private static void CheckFramed(byte[] payload, byte seed, string expectedLine)
    {
        uint key = 0x01010101u * seed ^ 0xA5C3_0F96u;
        byte[] wire = new byte[FrameEncoder.MaxHeaderLength + payload.Length];
        int header = FrameEncoder.WriteHeader(wire, fin: true, Opcode.Close, payload.Length, masked: true, key);
        payload.CopyTo(wire, header);
        Gateway.Protocol.Masking.Mask.Apply(wire.AsSpan(header, payload.Length), key, 0);
        wire = wire[..(header + payload.Length)];
        foreach (int[] cuts in Chunkings.For(wire.Length, seed))
        {
            string log = FrameStreamReader.ReadSequence(Role.Server, FrameLimits.Default, wire, cuts);
            Invariant.Check(log.Contains(expectedLine, StringComparison.Ordinal), $"framed Close read as: {log}");
        }
    }
}
