using System.Buffers.Binary;

namespace Gateway.LoadTool.Client;

/// Counts complete messages in the frames a server sends, fed in whatever chunks the socket returns. A proxy may
/// re-fragment (the gateway forwards a large frame in pieces), so a message ends at a data frame with FIN set.
public sealed class MessageCounter
{
    private readonly byte[] _header = new byte[14];
    private int _headerBytes;
    private long _remaining;
    private bool _inPayload;
    private byte _first;

    public bool CloseSeen { get; private set; }

    /// Returns the messages completed in `data`; `payloadBytes`: data payload bytes seen in it.
    public int Feed(ReadOnlySpan<byte> data, out long payloadBytes)
    {
        int messages = 0;
        payloadBytes = 0;
        int at = 0;
        while (at < data.Length)
        {
            if (!_inPayload)
            {
                int need = HeaderLength();
                while (_headerBytes < need && at < data.Length)
                {
                    _header[_headerBytes++] = data[at++];
                    need = HeaderLength();
                }

                if (_headerBytes < need)
                {
                    break;
                }

                _first = _header[0];
                int length7 = _header[1] & 0x7F;
                _remaining = length7 switch
                {
                    126 => BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)),
                    127 => (long)BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2)),
                    _ => length7,
                };
                _headerBytes = 0;
                _inPayload = true;
            }

            int take = (int)Math.Min(_remaining, data.Length - at);
            at += take;
            _remaining -= take;
            int opcode = _first & 0x0F;
            if (opcode < 0x8)
            {
                payloadBytes += take;
            }

            if (_remaining == 0)
            {
                _inPayload = false;
                if (opcode < 0x8 && (_first & 0x80) != 0)
                {
                    messages++;
                }
                else if (opcode == 0x8)
                {
                    CloseSeen = true;
                }
            }
        }

        return messages;
    }

    private int HeaderLength()
    {
        if (_headerBytes < 2)
        {
            return 2;
        }

        int length7 = _header[1] & 0x7F;
        return 2 + (length7 == 126 ? 2 : length7 == 127 ? 8 : 0) + ((_header[1] & 0x80) != 0 ? 4 : 0);
    }
}
