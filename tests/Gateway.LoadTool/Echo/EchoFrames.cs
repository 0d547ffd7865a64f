using System.Buffers.Binary;
using Gateway.Protocol.Masking;

namespace Gateway.LoadTool.Echo;

/// The echo upstream's frame handling, without I/O: masked client frames in, the same frames unmasked out (a Ping
/// is answered with a Pong), streamed chunk by chunk so a 1 MiB frame is never held whole. Output for a chunk is
/// at most the chunk plus one frame header carried over from the previous chunk.
internal sealed class EchoFrames
{
    public const int MaxHeaderLength = 14;
    private const int CloseOpcode = 0x8;
    private const int PingOpcode = 0x9;
    private const int PongOpcode = 0xA;

    private readonly byte[] _header = new byte[MaxHeaderLength];
    private int _headerBytes;
    private bool _inPayload;
    private long _remaining;
    private bool _masked;
    private uint _key;
    private int _maskOffset;
    private int _opcode;

    /// The client's Close has been echoed: the connection ends after this output is sent.
    public bool CloseEchoed { get; private set; }

    /// Transforms `input`, writing into `output` (at least input.Length + MaxHeaderLength); returns bytes written.
    public int Transform(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int read = 0;
        int written = 0;
        while (read < input.Length && !CloseEchoed)
        {
            if (!_inPayload)
            {
                int need = HeaderLength();
                while (_headerBytes < need && read < input.Length)
                {
                    _header[_headerBytes++] = input[read++];
                    need = HeaderLength();
                }

                if (_headerBytes < need)
                {
                    break;
                }

                written += StartFrame(output[written..]);
                if (_remaining == 0)
                {
                    EndFrame();
                    continue;
                }
            }

            int length = (int)Math.Min(_remaining, input.Length - read);
            var source = input.Slice(read, length);
            var destination = output.Slice(written, length);
            if (_masked)
            {
                _maskOffset = Mask.Apply(source, destination, _key, _maskOffset);
            }
            else
            {
                source.CopyTo(destination);
            }

            read += length;
            written += length;
            _remaining -= length;
            if (_remaining == 0)
            {
                EndFrame();
            }
        }

        return written;
    }

    /// RFC 6455 5.2: 2 bytes, then 2 or 8 bytes of extended length, then the 4-byte mask key if masked.
    private int HeaderLength()
    {
        if (_headerBytes < 2)
        {
            return 2;
        }

        int length7 = _header[1] & 0x7F;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        return 2 + extended + ((_header[1] & 0x80) != 0 ? 4 : 0);
    }

    private int StartFrame(Span<byte> output)
    {
        int length7 = _header[1] & 0x7F;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        _remaining = extended switch
        {
            2 => BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)),
            8 => (long)BinaryPrimitives.ReadUInt64BigEndian(_header.AsSpan(2)),
            _ => length7,
        };
        _masked = (_header[1] & 0x80) != 0;
        _key = _masked ? BinaryPrimitives.ReadUInt32LittleEndian(_header.AsSpan(2 + extended)) : 0;
        _maskOffset = 0;
        _opcode = _header[0] & 0x0F;
        _inPayload = true;
        _headerBytes = 0;

        // The same header, unmasked; a Ping comes back as a Pong (RFC 6455 5.5.2).
        int reply = _opcode == PingOpcode ? PongOpcode : _opcode;
        output[0] = (byte)((_header[0] & 0xF0) | reply);
        output[1] = (byte)length7;
        _header.AsSpan(2, extended).CopyTo(output[2..]);
        return 2 + extended;
    }

    private void EndFrame()
    {
        _inPayload = false;
        if (_opcode == CloseOpcode)
        {
            CloseEchoed = true;
        }
    }
}
