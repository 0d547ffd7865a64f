using System.Buffers.Binary;

namespace Gateway.Protocol.Frames;

/// <summary>
/// Writes RFC 6455 5.2 frame headers with the minimal length encoding. The payload (masked by the caller with
/// <see cref="Masking.Mask"/> when <c>masked</c>) follows the header on the wire. RSV bits are always 0: the
/// gateway negotiates no extension.
/// </summary>
public static class FrameEncoder
{
    /// <summary>2 fixed bytes + 8 bytes of 64-bit length + 4 bytes of mask key (RFC 6455 5.2).</summary>
    public const int MaxHeaderLength = 14;

    public static int GetHeaderLength(long payloadLength, bool masked)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        int length = FrameFormat.MinHeaderLength + (masked ? FrameFormat.MaskKeyLength : 0);
        if (payloadLength > FrameFormat.MaxSixteenBitLength)
        {
            return length + 8;
        }

        return payloadLength > FrameFormat.MaxSevenBitLength ? length + 2 : length;
    }

    /// <summary>
    /// Writes a header with minimal length encoding and returns the bytes written. <paramref name="maskKey"/> (as
    /// in <see cref="FrameHeader.MaskKey"/>) is written only when <paramref name="masked"/>. Refuses to write a
    /// frame RFC 6455 forbids: a reserved opcode, or a control frame that is fragmented or over 125 bytes (5.5).
    /// </summary>
    public static int WriteHeader(Span<byte> destination, bool fin, Opcode opcode, long payloadLength, bool masked,
        uint maskKey)
    {
        int headerLength = GetHeaderLength(payloadLength, masked);
        if (!FrameFormat.IsDefined((int)opcode))
        {
            throw new ArgumentOutOfRangeException(nameof(opcode), opcode, "reserved opcode");
        }

        if (((byte)opcode & FrameFormat.ControlOpcodeBit) != 0 &&
            (!fin || payloadLength > FrameFormat.MaxControlPayloadLength))
        {
            throw new ArgumentException("control frames must be final and at most 125 bytes", nameof(payloadLength));
        }

        if (destination.Length < headerLength)
        {
            throw new ArgumentException($"destination needs {headerLength} bytes", nameof(destination));
        }

        destination[0] = (byte)((fin ? FrameFormat.FinBit : 0) | (byte)opcode);
        byte maskBit = masked ? FrameFormat.MaskBit : (byte)0;
        int position = FrameFormat.MinHeaderLength;
        if (payloadLength <= FrameFormat.MaxSevenBitLength)
        {
            destination[1] = (byte)(maskBit | (byte)payloadLength);
        }
        else if (payloadLength <= FrameFormat.MaxSixteenBitLength)
        {
            destination[1] = (byte)(maskBit | FrameFormat.Length16Marker);
            BinaryPrimitives.WriteUInt16BigEndian(destination.Slice(position), (ushort)payloadLength);
            position += 2;
        }
        else
        {
            destination[1] = (byte)(maskBit | FrameFormat.Length64Marker);
            BinaryPrimitives.WriteUInt64BigEndian(destination.Slice(position), (ulong)payloadLength);
            position += 8;
        }

        if (masked)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination.Slice(position), maskKey);
            position += FrameFormat.MaskKeyLength;
        }

        return position;
    }
}
