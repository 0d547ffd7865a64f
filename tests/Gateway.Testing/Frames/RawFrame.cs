using System.Buffers.Binary;

namespace Gateway.Testing.Frames;

/// <summary>
/// Writes WebSocket frames byte by byte from RFC 6455 5.2, independently of the gateway's own encoder, so tests can
/// build any frame, including invalid ones (reserved bits and opcodes, non-minimal or oversized lengths, a length
/// that lies about the payload).
/// </summary>
public static class RawFrame
{
    /// <summary>Pick the shortest length encoding (the RFC's rule).</summary>
    public const int MinimalLength = -1;

    /// <param name="fin">FIN bit.</param>
    /// <param name="opcode">Raw 4-bit opcode (0x0-0xF).</param>
    /// <param name="payload">Payload as the application sees it (unmasked).</param>
    /// <param name="maskKey">The 4 key bytes in wire order, or null for an unmasked frame.</param>
    /// <param name="rsv">RSV1..3 as the 3-bit value 0b(RSV1)(RSV2)(RSV3).</param>
    /// <param name="lengthBytes">Extended length size: 0, 2 or 8, or <see cref="MinimalLength"/>.</param>
    /// <param name="announcedLength">Length written in the header if it should differ from the payload's.</param>
    public static byte[] Build(bool fin, int opcode, ReadOnlySpan<byte> payload, byte[]? maskKey = null, int rsv = 0,
        int lengthBytes = MinimalLength, ulong? announcedLength = null)
    {
        ulong length = announcedLength ?? (ulong)payload.Length;
        if (lengthBytes == MinimalLength)
        {
            lengthBytes = length <= 125 ? 0 : length <= ushort.MaxValue ? 2 : 8;
        }

        var frame = new List<byte>
        {
            (byte)((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0xF)),
        };
        byte maskBit = maskKey is null ? (byte)0 : (byte)0x80;
        switch (lengthBytes)
        {
            case 0:
                frame.Add((byte)(maskBit | (byte)length));
                break;
            case 2:
                frame.Add((byte)(maskBit | 126));
                frame.AddRange(BigEndian16((ushort)length));
                break;
            case 8:
                frame.Add((byte)(maskBit | 127));
                frame.AddRange(BigEndian64(length));
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(lengthBytes), lengthBytes, "0, 2, 8 or MinimalLength");
        }

        if (maskKey is not null)
        {
            frame.AddRange(maskKey);
        }

        for (int i = 0; i < payload.Length; i++)
        {
            frame.Add(maskKey is null ? payload[i] : (byte)(payload[i] ^ maskKey[i % 4]));
        }

        return [.. frame];
    }

    /// <summary>A masked frame (client to server) with the given key bytes.</summary>
    public static byte[] Masked(bool fin, int opcode, ReadOnlySpan<byte> payload, byte[] maskKey) =>
        Build(fin, opcode, payload, maskKey);

    public static byte[] Concat(params byte[][] frames) => frames.SelectMany(f => f).ToArray();

    private static byte[] BigEndian16(ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }
}
