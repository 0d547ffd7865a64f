using System.Buffers;
using System.Buffers.Binary;
using System.Text.Unicode;

namespace Gateway.Protocol.Closing;

/// <summary>
/// The body of a Close frame, RFC 6455 5.5.1: empty, or a 2-byte big-endian code followed by a UTF-8 reason.
/// </summary>
public static class ClosePayload
{
    /// <summary>RFC 6455 5.5: a control payload is at most 125 bytes, 2 of which are the code.</summary>
    public const int MaxReasonBytes = 123;

    private const int CodeBytes = sizeof(ushort);
    private const int MaxPayloadBytes = CodeBytes + MaxReasonBytes;

    /// <summary>
    /// Validates a complete, unmasked Close payload: 0 bytes (<paramref name="code"/> = 1005 "no status received",
    /// empty reason), or at least 2 bytes with a code valid on the wire and a UTF-8 reason. Returns null when valid.
    /// On error, <paramref name="code"/> is the code read (0 if none) and <paramref name="reason"/> is empty.
    /// </summary>
    public static ProtocolError? Parse(ReadOnlySpan<byte> payload, out ushort code, out ReadOnlySpan<byte> reason)
    {
        reason = default;
        code = 0;
        if (payload.IsEmpty)
        {
            code = CloseCodes.NoStatusReceived; // RFC 6455 7.1.5: no code in the Close means 1005
            return null;
        }

        if (payload.Length < CodeBytes)
        {
            return ProtocolError.InvalidClosePayload;
        }

        if (payload.Length > MaxPayloadBytes)
        {
            return ProtocolError.ControlFrameTooLong; // RFC 6455 5.5; the decoder normally rejects it first
        }

        code = BinaryPrimitives.ReadUInt16BigEndian(payload);
        if (!CloseCodes.IsValidOnWire(code))
        {
            return ProtocolError.InvalidCloseCode; // RFC 6455 7.4: 1005, 1006, 1015 MUST NOT be sent
        }

        ReadOnlySpan<byte> text = payload.Slice(CodeBytes);
        if (!Utf8.IsValid(text))
        {
            return ProtocolError.InvalidCloseReason; // RFC 6455 5.5.1: the reason is UTF-8
        }

        reason = text;
        return null;
    }

    /// <summary>
    /// Writes <paramref name="code"/> and <paramref name="reason"/> encoded as UTF-8, truncated at a code point
    /// boundary to <see cref="MaxReasonBytes"/> (ill-formed UTF-16 becomes U+FFFD). Returns the bytes written.
    /// A destination of 2 + 123 bytes always suffices.
    /// </summary>
    public static int Write(Span<byte> destination, ushort code, ReadOnlySpan<char> reason)
    {
        Span<byte> text = ReasonSpace(destination, code);
        OperationStatus status = Utf8.FromUtf16(reason, text, out _, out int written);

        // Running out of room before MaxReasonBytes means the caller's buffer, not the protocol, cut the reason.
        if (status == OperationStatus.DestinationTooSmall && text.Length < MaxReasonBytes)
        {
            throw new ArgumentException($"destination needs up to {MaxPayloadBytes} bytes", nameof(destination));
        }

        return CodeBytes + written;
    }

    /// <summary>
    /// Writes <paramref name="code"/> and the UTF-8 <paramref name="utf8Reason"/>, truncated at a code point boundary
    /// to <see cref="MaxReasonBytes"/>. Returns the bytes written. Throws if the reason is not valid UTF-8, since
    /// sending it would be a protocol error of our own.
    /// </summary>
    public static int Write(Span<byte> destination, ushort code, ReadOnlySpan<byte> utf8Reason)
    {
        ReadOnlySpan<byte> reason = utf8Reason;
        if (reason.Length > MaxReasonBytes)
        {
            int cut = MaxReasonBytes;
            while (cut > 0 && (reason[cut] & 0xC0) == 0x80)
            {
                cut--; // back off continuation bytes so the cut falls before a lead byte
            }

            reason = reason.Slice(0, cut);
        }

        if (!Utf8.IsValid(reason))
        {
            throw new ArgumentException("close reason is not valid UTF-8", nameof(utf8Reason));
        }

        Span<byte> text = ReasonSpace(destination, code);
        if (text.Length < reason.Length)
        {
            throw new ArgumentException($"destination needs {CodeBytes + reason.Length} bytes", nameof(destination));
        }

        reason.CopyTo(text);
        return CodeBytes + reason.Length;
    }

    /// <summary>Writes the code and returns the room for the reason (at most <see cref="MaxReasonBytes"/>).</summary>
    private static Span<byte> ReasonSpace(Span<byte> destination, ushort code)
    {
        if (!CloseCodes.IsValidOnWire(code))
        {
            throw new ArgumentOutOfRangeException(nameof(code), code, "close code not allowed on the wire");
        }

        if (destination.Length < CodeBytes)
        {
            throw new ArgumentException("destination needs at least 2 bytes", nameof(destination));
        }

        BinaryPrimitives.WriteUInt16BigEndian(destination, code);
        return destination.Slice(CodeBytes, Math.Min(destination.Length - CodeBytes, MaxReasonBytes));
    }
}
