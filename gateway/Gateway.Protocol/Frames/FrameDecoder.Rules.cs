using System.Buffers.Binary;

namespace Gateway.Protocol.Frames;

/// <summary>Header parsing and the RFC 6455 header rules, in the order the bytes arrive.</summary>
public sealed partial class FrameDecoder
{
    private DecodeStatus Parse(ReadOnlySpan<byte> bytes, out FrameHeader header, out ProtocolError? error)
    {
        header = default;
        error = null;
        if (bytes.IsEmpty)
        {
            return DecodeStatus.NeedMoreData;
        }

        byte first = bytes[0];
        bool fin = (first & FrameFormat.FinBit) != 0;
        byte rsv = (byte)((first & FrameFormat.RsvBits) >> FrameFormat.RsvShift);
        int opcode = first & FrameFormat.OpcodeBits;
        bool isControl = (opcode & FrameFormat.ControlOpcodeBit) != 0;
        error = CheckFirstByte(fin, rsv, opcode, isControl);
        if (error is not null)
        {
            return DecodeStatus.Error;
        }

        if (bytes.Length < FrameFormat.MinHeaderLength)
        {
            return DecodeStatus.NeedMoreData;
        }

        byte second = bytes[1];
        bool masked = (second & FrameFormat.MaskBit) != 0;
        if (masked != _expectMasked)
        {
            // RFC 6455 5.1: server MUST close on an unmasked frame, client MUST close on a masked one.
            error = _expectMasked ? ProtocolError.UnmaskedFrame : ProtocolError.MaskedFrame;
            return DecodeStatus.Error;
        }

        int lengthField = second & FrameFormat.LengthBits;
        int extendedBytes = FrameFormat.ExtendedLengthBytes(lengthField);
        int headerLength = FrameFormat.MinHeaderLength + extendedBytes + (masked ? FrameFormat.MaskKeyLength : 0);
        if (bytes.Length < headerLength)
        {
            return DecodeStatus.NeedMoreData;
        }

        ReadOnlySpan<byte> extended = bytes.Slice(FrameFormat.MinHeaderLength);
        long payloadLength;
        if (extendedBytes == 0)
        {
            payloadLength = lengthField;
        }
        else if (extendedBytes == 2)
        {
            payloadLength = BinaryPrimitives.ReadUInt16BigEndian(extended);
        }
        else
        {
            ulong wide = BinaryPrimitives.ReadUInt64BigEndian(extended);
            if (wide > long.MaxValue)
            {
                error = ProtocolError.InvalidLength; // RFC 6455 5.2: the most significant bit MUST be 0
                return DecodeStatus.Error;
            }

            payloadLength = (long)wide;
        }

        error = CheckLength(opcode, isControl, payloadLength);
        if (error is not null)
        {
            return DecodeStatus.Error;
        }

        uint maskKey = masked ? BinaryPrimitives.ReadUInt32LittleEndian(extended.Slice(extendedBytes)) : 0;
        header = new FrameHeader(fin, rsv, (Opcode)opcode, masked, maskKey, payloadLength, headerLength);
        return DecodeStatus.Done;
    }

    private ProtocolError? CheckFirstByte(bool fin, byte rsv, int opcode, bool isControl)
    {
        if (rsv != 0)
        {
            return ProtocolError.ReservedBits; // RFC 6455 5.2: no extension negotiated, so RSV MUST be 0
        }

        if (!FrameFormat.IsDefined(opcode))
        {
            return ProtocolError.ReservedOpcode; // RFC 6455 5.2: unknown opcode MUST fail the connection
        }

        if (isControl)
        {
            return fin ? null : ProtocolError.ControlFrameFragmented; // RFC 6455 5.5: MUST NOT be fragmented
        }

        // RFC 6455 5.4: fragments of one message are contiguous; only control frames may be interleaved.
        if (opcode == (int)Opcode.Continuation)
        {
            return _inFragmentedMessage ? null : ProtocolError.UnexpectedContinuation;
        }

        return _inFragmentedMessage ? ProtocolError.ExpectedContinuation : null;
    }

    private ProtocolError? CheckLength(int opcode, bool isControl, long payloadLength)
    {
        if (isControl && payloadLength > FrameFormat.MaxControlPayloadLength)
        {
            return ProtocolError.ControlFrameTooLong; // RFC 6455 5.5
        }

        if (payloadLength > Limits.MaxFrameSize)
        {
            return ProtocolError.FrameTooLarge;
        }

        if (!isControl)
        {
            long soFar = opcode == (int)Opcode.Continuation ? _messageLength : 0;
            if (payloadLength > Limits.MaxMessageSize - soFar) // subtraction: the sum could overflow
            {
                return ProtocolError.MessageTooLarge;
            }
        }

        return null;
    }
}
