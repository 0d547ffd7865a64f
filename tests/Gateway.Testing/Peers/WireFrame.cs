using System.Buffers.Binary;
using System.Text;

namespace Gateway.Testing.Peers;

/// A frame as read off the wire by a test peer, payload already unmasked.
public sealed record WireFrame(bool Fin, int Opcode, byte[] Payload, bool Masked, int Rsv = 0)
{
    public const int Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA;

    public string Text_ => Encoding.UTF8.GetString(Payload);

    /// The header's length on the wire (2 to 14 bytes), when read by FrameStream: shows the length form it used.
    public int HeaderLength { get; init; }

    /// The mask key as it was on the wire (4 bytes), when read by FrameStream from a masked frame.
    public byte[]? MaskKey { get; init; }

    /// The status code of a Close frame (1005 when it has none).
    public int CloseCode => Payload.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(Payload) : 1005;

    public string CloseReason => Payload.Length > 2 ? Encoding.UTF8.GetString(Payload, 2, Payload.Length - 2) : "";

    public override string ToString() => Opcode == Close
        ? $"Close {CloseCode} \"{CloseReason}\""
        : $"op={Opcode} fin={Fin} masked={Masked} len={Payload.Length}";
}
