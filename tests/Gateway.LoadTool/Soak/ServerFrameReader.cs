using System.Buffers.Binary;

namespace Gateway.LoadTool.Soak;

/// What the gateway sent a soak client: a whole data message (reassembled: the gateway may forward one message as
/// several frames), a Ping, a Pong or a Close.
internal readonly record struct ServerMessage(ServerMessageKind Kind, byte[] Payload, int CloseCode = 0);

internal enum ServerMessageKind { Text, Binary, Ping, Pong, Close }

/// Reads the frames a server sends (RFC 6455 5.2: unmasked, no RSV bit without an extension, control frames whole
/// and at most 125 bytes, continuations only inside a message) and hands back one message or control frame at a
/// time. Anything else is the gateway breaking the protocol: InvalidDataException.
internal sealed class ServerFrameReader(Stream stream)
{
    private const int MaxMessageBytes = 1 << 20;

    private readonly byte[] _header = new byte[8];
    private readonly MemoryStream _message = new();
    private bool _inMessage;
    private bool _binary;

    public async Task<ServerMessage> ReadAsync()
    {
        while (true)
        {
            await stream.ReadExactlyAsync(_header.AsMemory(0, 2));
            bool fin = (_header[0] & 0x80) != 0;
            int opcode = _header[0] & 0x0F;
            if ((_header[0] & 0x70) != 0 || (_header[1] & 0x80) != 0)
            {
                throw new InvalidDataException($"frame from the server with RSV bits or a mask (0x{_header[0]:x2} 0x{_header[1]:x2})");
            }

            long length = _header[1] & 0x7F;
            if (length == 126)
            {
                await stream.ReadExactlyAsync(_header.AsMemory(0, 2));
                length = BinaryPrimitives.ReadUInt16BigEndian(_header);
            }
            else if (length == 127)
            {
                await stream.ReadExactlyAsync(_header.AsMemory(0, 8));
                length = (long)BinaryPrimitives.ReadUInt64BigEndian(_header);
            }

            if (opcode >= 0x8)
            {
                if (!fin || length > 125)
                {
                    throw new InvalidDataException($"control frame 0x{opcode:x} fragmented or {length} bytes long");
                }

                var control = new byte[length];
                await stream.ReadExactlyAsync(control);
                return opcode switch
                {
                    0x8 => new ServerMessage(ServerMessageKind.Close, control,
                        control.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(control) : 1005),
                    0x9 => new ServerMessage(ServerMessageKind.Ping, control),
                    0xA => new ServerMessage(ServerMessageKind.Pong, control),
                    _ => throw new InvalidDataException($"unknown control opcode 0x{opcode:x}"),
                };
            }

            if (opcode == 0x0 ? !_inMessage : _inMessage || opcode > 0x2)
            {
                throw new InvalidDataException($"data opcode 0x{opcode:x} {(_inMessage ? "inside" : "outside")} a message");
            }

            if (opcode != 0x0)
            {
                _inMessage = true;
                _binary = opcode == 0x2;
                _message.SetLength(0);
            }

            if (_message.Length + length > MaxMessageBytes)
            {
                throw new InvalidDataException($"message over {MaxMessageBytes} bytes");
            }

            int start = (int)_message.Length;
            _message.SetLength(start + length);
            await stream.ReadExactlyAsync(_message.GetBuffer().AsMemory(start, (int)length));
            if (fin)
            {
                _inMessage = false;
                return new ServerMessage(_binary ? ServerMessageKind.Binary : ServerMessageKind.Text, _message.ToArray());
            }
        }
    }
}
