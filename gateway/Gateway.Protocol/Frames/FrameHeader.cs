namespace Gateway.Protocol.Frames;

/// <summary>
/// One decoded (or to-be-encoded) frame header, RFC 6455 5.2. A plain value: it neither validates nor owns the
/// payload.
/// </summary>
public readonly struct FrameHeader
{
    public FrameHeader(bool fin, byte rsv, Opcode opcode, bool masked, uint maskKey, long payloadLength,
        int headerLength)
    {
        Fin = fin;
        Rsv = rsv;
        Opcode = opcode;
        Masked = masked;
        MaskKey = maskKey;
        PayloadLength = payloadLength;
        HeaderLength = headerLength;
    }

    public bool Fin { get; }

    /// <summary>RSV1..3 as bits 0b100 (RSV1), 0b010 (RSV2), 0b001 (RSV3).</summary>
    public byte Rsv { get; }

    /// <summary>The raw 4-bit opcode, preserved even when reserved.</summary>
    public Opcode Opcode { get; }

    public bool Masked { get; }

    /// <summary>
    /// The 4 key bytes read little-endian (key byte 0 in the lowest 8 bits), 0 when not masked; exactly what
    /// <see cref="Masking.Mask"/> takes.
    /// </summary>
    public uint MaskKey { get; }

    public long PayloadLength { get; }

    /// <summary>Bytes the header occupies on the wire: 2 to 14.</summary>
    public int HeaderLength { get; }

    /// <summary>RFC 6455 5.5: control opcodes have the most significant opcode bit set.</summary>
    public bool IsControl => ((byte)Opcode & 0x8) != 0;

    public override string ToString() =>
        $"{Opcode}{(Fin ? " fin" : "")}{(Rsv != 0 ? $" rsv={Rsv}" : "")}{(Masked ? $" mask={MaskKey:x8}" : "")}" +
        $" len={PayloadLength} hdr={HeaderLength}";
}
