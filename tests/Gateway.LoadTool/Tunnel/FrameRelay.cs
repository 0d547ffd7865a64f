using System.Buffers.Binary;
using Gateway.Protocol.Frames;
using Gateway.Protocol.Masking;

namespace Gateway.LoadTool.Tunnel;

/// One direction of the epoll tunnel in frame mode (`epoll-tunnel --frames`): the least work a proxy that looks at
/// every frame has to add to a blind copy. After the HTTP head (passed through as it came), every frame header is
/// decoded and checked by the gateway's own decoder, text is validated as UTF-8, and frames from the client are
/// remasked with a fresh key, all in place in the read block: the frames go out as they came, header lengths and
/// fragmentation unchanged, a frame's payload streamed as it arrives. No limits beyond the decoder's, no pings
/// answered, no close handshake: a violation just closes the connection. It tells how much of the gateway's cost per
/// message is the frame work itself and how much is the rest of its relay.
internal sealed class FrameRelay
{
    private static readonly byte[] EndOfHead = "\r\n\r\n"u8.ToArray();

    private readonly FrameDecoder _decoder;
    private readonly bool _remask;
    private bool _inHead = true;
    private int _headMatched;
    private long _remaining;
    private bool _inPayload;
    private uint _inKey;
    private uint _outKey;
    private int _offset;

    /// `fromClient`: frames are masked on the way in and remasked on the way out.
    public FrameRelay(bool fromClient)
    {
        _remask = fromClient;
        _decoder = new FrameDecoder(fromClient ? Role.Server : Role.Client, FrameLimits.Default);
    }

    /// Checks and transforms the bytes at the start of `data` in place; returns how many of them may go out (the
    /// rest, a header not all there, stays for the next read), or -1 for a violation.
    public int Process(Span<byte> data)
    {
        int done = 0;
        if (_inHead)
        {
            // The head is short and read once: a byte at a time is fine here.
            while (done < data.Length && _headMatched < EndOfHead.Length)
            {
                _headMatched = data[done] == EndOfHead[_headMatched] ? _headMatched + 1 : data[done] == EndOfHead[0] ? 1 : 0;
                done++;
            }

            if (_headMatched < EndOfHead.Length)
            {
                return done;
            }

            _inHead = false;
        }

        while (done < data.Length)
        {
            if (!_inPayload)
            {
                var status = _decoder.TryReadHeader(data[done..], out var header, out _);
                if (status == DecodeStatus.NeedMoreData)
                {
                    break;
                }

                if (status == DecodeStatus.Error)
                {
                    return -1;
                }

                if (header.Masked)
                {
                    _inKey = header.MaskKey;
                    _outKey = _remask ? MaskKeys.Next() : header.MaskKey;
                    BinaryPrimitives.WriteUInt32LittleEndian(data[(done + header.HeaderLength - sizeof(uint))..], _outKey);
                }
                else
                {
                    _inKey = _outKey = 0;
                }

                done += header.HeaderLength;
                _remaining = header.PayloadLength;
                _offset = 0;
                _inPayload = true;
            }

            int available = (int)Math.Min(_remaining, data.Length - done);
            var chunk = data.Slice(done, available);
            bool endOfFrame = available == _remaining;
            if (_decoder.InTextMessage)
            {
                if (_inKey != 0)
                {
                    Mask.Apply(chunk, _inKey, _offset);
                }

                if (_decoder.ValidatePayload(chunk, endOfFrame) is not null)
                {
                    return -1;
                }

                if (_outKey != 0)
                {
                    Mask.Apply(chunk, _outKey, _offset);
                }
            }
            else if ((_inKey ^ _outKey) != 0)
            {
                Mask.Apply(chunk, _inKey ^ _outKey, _offset); // unmask and remask in one pass
            }

            _offset = (_offset + available) & 3;
            _remaining -= available;
            done += available;
            if (endOfFrame)
            {
                _inPayload = false;
            }
        }

        return done;
    }
}
