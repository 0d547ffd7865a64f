namespace Gateway.Protocol.Frames;

/// <summary>The RFC 6455 5.2 base framing layout, shared by the decoder and the encoder.</summary>
internal static class FrameFormat
{
    // First byte: FIN, RSV1..3, 4-bit opcode.
    public const byte FinBit = 0x80;
    public const byte RsvBits = 0x70;
    public const int RsvShift = 4;
    public const byte OpcodeBits = 0x0F;
    public const byte ControlOpcodeBit = 0x08;

    // Second byte: MASK, 7-bit payload length (or 126/127 announcing a 16/64-bit extended length).
    public const byte MaskBit = 0x80;
    public const byte LengthBits = 0x7F;
    public const int Length16Marker = 126;
    public const int Length64Marker = 127;
    public const int MaxSevenBitLength = 125;
    public const int MaxSixteenBitLength = ushort.MaxValue;

    public const int MinHeaderLength = 2;
    public const int MaskKeyLength = 4;

    /// <summary>RFC 6455 5.5: control frame payloads are at most 125 bytes.</summary>
    public const int MaxControlPayloadLength = 125;

    /// <summary>Opcodes 0x0-0x2 and 0x8-0xA are defined; the rest are reserved (RFC 6455 5.2, 11.8).</summary>
    public static bool IsDefined(int opcode) => opcode is <= 0x2 or (>= 0x8 and <= 0xA);

    /// <summary>Extended length bytes that follow the second byte for a given 7-bit length field.</summary>
    public static int ExtendedLengthBytes(int lengthField) => lengthField switch
    {
        Length16Marker => 2,
        Length64Marker => 8,
        _ => 0,
    };
}
