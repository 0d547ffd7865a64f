using System.Buffers;
using Gateway.Protocol;
using Gateway.Protocol.Closing;
using Gateway.Protocol.Frames;
using Gateway.Protocol.Masking;

namespace Gateway.Fuzz.Targets;

/// <summary>What a header the decoder accepted, and a payload it let through, must be.</summary>
internal sealed partial class FrameStreamReader
{
    /// <summary>Checks an accepted header against its raw bytes; false when the stream ends here.</summary>
    private bool OnHeader(in FrameHeader header, ReadOnlySpan<byte> raw)
    {
        byte first = raw[0], second = raw[1];
        int lengthField = second & 0x7F;
        int extended = lengthField switch { 126 => 2, 127 => 8, _ => 0 };
        bool masked = (second & 0x80) != 0;
        int opcode = first & 0x0F;
        bool control = (opcode & 0x08) != 0;
        long length = extended switch
        {
            0 => lengthField,
            2 => System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(raw[2..]),
            _ => (long)System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(raw[2..]),
        };

        Invariant.Same(2 + extended + (masked ? 4 : 0), header.HeaderLength, "header length");
        Invariant.Same((first & 0x80) != 0, header.Fin, "FIN");
        Invariant.Same(opcode, (int)header.Opcode, "opcode");
        Invariant.Check((first & 0x70) == 0 && header.Rsv == 0, "RSV bits accepted (RFC 6455 5.2)");
        Invariant.Check(opcode is <= 2 or (>= 8 and <= 10), "reserved opcode accepted (RFC 6455 5.2)");
        Invariant.Same(masked, header.Masked, "MASK");
        Invariant.Same(_role == Role.Server, masked, "masking for the role (RFC 6455 5.1)");
        Invariant.Same(masked ? ReadMaskKey(raw) : 0u, header.MaskKey, "mask key");
        Invariant.Same(length, header.PayloadLength, "payload length");
        Invariant.Check(length >= 0 && length <= _limits.MaxFrameSize, "frame over max_frame_size accepted");
        Invariant.Check(!control || (header.Fin && length <= MaxControlPayload), "bad control frame accepted (5.5)");
        CheckRoundTrip(header, raw);

        if (!control)
        {
            bool continuation = opcode == 0;
            Invariant.Same(_inFragmentedMessage, continuation, "continuation against the fragmentation state (5.4)");
            _messageLength = continuation ? _messageLength + length : length;
            Invariant.Check(_messageLength <= _limits.MaxMessageSize, "message over max_message_size accepted");
            if (!continuation)
            {
                _inTextMessage = opcode == 1;
                _utf8.Reset();
            }

            _inFragmentedMessage = !header.Fin;
            Invariant.Same(_inTextMessage, _decoder.InTextMessage, "InTextMessage after a data header");
        }

        _log.Append(_frames++).Append(": ").Append(header.ToString()).Append('\n');
        _frame = header;
        _inPayload = true;
        _payloadSeen = 0;
        _maskOffset = 0;
        return length != 0 || Deliver(ReadOnlySpan<byte>.Empty, endOfFrame: true);
    }

    /// <summary>A header in the shortest length form comes out of the encoder byte for byte as it came in.</summary>
    private static void CheckRoundTrip(in FrameHeader header, ReadOnlySpan<byte> raw)
    {
        if (FrameEncoder.GetHeaderLength(header.PayloadLength, header.Masked) != raw.Length)
        {
            return; // a longer form than needed: accepted on purpose (ProtocolError.InvalidLength's remark)
        }

        Span<byte> written = stackalloc byte[MaxHeaderLength];
        int count = FrameEncoder.WriteHeader(written, header.Fin, header.Opcode, header.PayloadLength, header.Masked,
            header.MaskKey);
        Invariant.Check(written[..count].SequenceEqual(raw), "re-encoded header differs from the wire");
    }

    /// <summary>Unmasks the next piece of payload and passes it on; false when the stream ends here.</summary>
    private bool OnPayload(ReadOnlySpan<byte> wire)
    {
        if (wire.IsEmpty)
        {
            return true;
        }

        byte[] plain = ArrayPool<byte>.Shared.Rent(wire.Length);
        try
        {
            Span<byte> piece = plain.AsSpan(0, wire.Length);
            wire.CopyTo(piece);
            if (_frame.Masked)
            {
                _maskOffset = Mask.Apply(piece, _frame.MaskKey, _maskOffset);
            }

            _payloadSeen += piece.Length;
            Invariant.Check(_payloadSeen <= _frame.PayloadLength, "read past the payload");
            return Deliver(piece, endOfFrame: _payloadSeen == _frame.PayloadLength);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(plain);
        }
    }

    private bool Deliver(ReadOnlySpan<byte> plain, bool endOfFrame)
    {
        if (_frame.IsControl)
        {
            plain.CopyTo(_control.AsSpan((int)_payloadSeen - plain.Length));
        }

        ProtocolError? error = _decoder.ValidatePayload(plain, endOfFrame);
        if (_inTextMessage && !_frame.IsControl)
        {
            bool valid = _utf8.Accept(plain, endOfFrame && _frame.Fin);
            Invariant.Same(valid, error is null, "UTF-8 verdict against the runtime's transcoder (RFC 6455 8.1)");
        }
        else
        {
            Invariant.Check(error is null, $"ValidatePayload failed outside a text message: {error}");
        }

        if (error is not null)
        {
            Invariant.Check(ReferenceEquals(error, ProtocolError.InvalidUtf8), $"ValidatePayload: {error}");
            _log.Append($"error {error.Code} in frame {_frames - 1}");
            return false;
        }

        if (endOfFrame)
        {
            _inPayload = false;
            if (_frame.Opcode == Opcode.Close)
            {
                ReadClose(_control.AsSpan(0, (int)_frame.PayloadLength));
            }
            else if (!_frame.IsControl && _frame.Fin)
            {
                _inTextMessage = false;
                Invariant.Check(!_decoder.InTextMessage, "InTextMessage after the end of a message");
            }
        }

        return true;
    }

    private void ReadClose(ReadOnlySpan<byte> payload)
    {
        ProtocolError? error = ClosePayload.Parse(payload, out ushort code, out ReadOnlySpan<byte> reason);
        ClosePayloadTarget.CheckParse(payload, error, code, reason);
        _log.Append($"  close {code} {error?.Code ?? "ok"} reason {reason.Length}\n");
    }
}
