using System.Buffers;
using System.Buffers.Binary;
using Gateway.Protocol.Text;

namespace Gateway.Protocol.Frames;

/// <summary>
/// Stateful decoder for ONE direction of ONE leg, in the shape of Kestrel's HTTP parser: it reads a header from a
/// <see cref="ReadOnlySequence{T}"/>, reports consumed/examined positions and asks for more data instead of waiting.
/// It validates each header against the role, the reserved bits (no extension is ever negotiated), the known
/// opcodes, the control frame rules, the fragmentation state and the size limits, all from the header alone: no
/// payload byte is read and nothing is sized by an announced length. It never copies payloads and never allocates.
/// The caller streams the payload itself and passes text payloads through <see cref="ValidatePayload"/>.
/// </summary>
/// <remarks>
/// Checks run in wire order (first byte, second byte, extended length), and the first byte is checked as soon as
/// it arrives, so a bad frame fails at the same check however the bytes are split, and as early as possible.
/// Errors are sticky: once one is reported, every later call reports it again until <see cref="Reset"/>.
/// </remarks>
public sealed class FrameDecoder
{
    private readonly bool _expectMasked;
    private ProtocolError? _failure;
    private bool _inFragmentedMessage;  // the last data frame had FIN clear: a continuation must follow
    private long _messageLength;        // payload bytes announced so far by the current data message's headers
    private bool _inTextMessage;
    private bool _textFrameOpen;        // a text message frame's header was read; its endOfFrame is still due
    private bool _frameIsFinal;
    private bool _frameIsControl;
    private Utf8Validator _utf8;

    public FrameDecoder(Role role, FrameLimits limits)
    {
        if (role is not (Role.Server or Role.Client))
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, "unknown role");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(limits.MaxFrameSize, nameof(limits));
        ArgumentOutOfRangeException.ThrowIfNegative(limits.MaxMessageSize, nameof(limits));
        Role = role;
        Limits = limits;
        _expectMasked = role == Role.Server; // RFC 6455 5.1: only client-to-server frames are masked
    }

    public Role Role { get; }

    public FrameLimits Limits { get; }

    /// <summary>
    /// True from the header of a Text frame until <see cref="ValidatePayload"/> has seen the end of the message's
    /// final frame: the caller must then pass the unmasked payload of each data frame through ValidatePayload.
    /// </summary>
    public bool InTextMessage => _inTextMessage;

    /// <summary>
    /// Parses and validates the header at the start of <paramref name="buffer"/>. Done: <paramref name="header"/>
    /// is set and <paramref name="consumed"/> = <paramref name="examined"/> = the position after the header.
    /// NeedMoreData: consumed = buffer.Start, examined = buffer.End. Error: <paramref name="error"/> is set,
    /// positions as for NeedMoreData. A data frame's header updates the fragmentation state and counts its payload
    /// length toward the message size.
    /// </summary>
    public DecodeStatus TryReadHeader(in ReadOnlySequence<byte> buffer, out FrameHeader header,
        out SequencePosition consumed, out SequencePosition examined, out ProtocolError? error)
    {
        header = default;
        consumed = buffer.Start;
        examined = buffer.End;
        error = _failure;
        if (error is not null)
        {
            return DecodeStatus.Error;
        }

        if (_textFrameOpen)
        {
            throw new InvalidOperationException(
                "ValidatePayload(endOfFrame: true) was not called for the previous text frame");
        }

        // The header is contiguous in the first segment almost always; only a header split across segments is
        // copied (at most 14 bytes, on the stack).
        scoped ReadOnlySpan<byte> bytes = buffer.FirstSpan;
        Span<byte> joined = stackalloc byte[FrameEncoder.MaxHeaderLength];
        if (bytes.Length < FrameEncoder.MaxHeaderLength && !buffer.IsSingleSegment)
        {
            int available = (int)Math.Min(buffer.Length, FrameEncoder.MaxHeaderLength);
            buffer.Slice(0, available).CopyTo(joined);
            bytes = joined[..available];
        }

        DecodeStatus status = Parse(bytes, out header, out error);
        if (status == DecodeStatus.Error)
        {
            _failure = error;
            header = default;
        }
        else if (status == DecodeStatus.Done)
        {
            Commit(header);
            consumed = examined = buffer.GetPosition(header.HeaderLength);
        }

        return status;
    }

    /// <summary>
    /// Incremental UTF-8 validation (RFC 6455 8.1) of the payload of the frame whose header was read last, chunk by
    /// chunk, across chunk and frame boundaries; fails at the chunk holding the first invalid byte. Call it for
    /// every byte of every data frame payload, in order, with <paramref name="endOfFrame"/> true exactly once per
    /// frame (possibly with an empty chunk); at the end of a FIN frame it also rejects a truncated code point.
    /// Returns null when fine, and always null for binary messages and for control frames (a Close reason is
    /// checked by <see cref="Closing.ClosePayload.Parse"/>).
    /// </summary>
    public ProtocolError? ValidatePayload(ReadOnlySpan<byte> unmaskedChunk, bool endOfFrame)
    {
        if (_frameIsControl || !_inTextMessage)
        {
            return null;
        }

        if (_failure is not null)
        {
            return _failure;
        }

        if (!_textFrameOpen)
        {
            throw new InvalidOperationException("no text frame is open: its end was already reported");
        }

        bool endOfMessage = endOfFrame && _frameIsFinal;
        if (!_utf8.Validate(unmaskedChunk, endOfMessage))
        {
            _failure = ProtocolError.InvalidUtf8;
            return _failure;
        }

        if (endOfFrame)
        {
            _textFrameOpen = false;
            if (_frameIsFinal)
            {
                _inTextMessage = false;
                _utf8.Reset();
            }
        }

        return null;
    }

    /// <summary>Forgets all state, including a reported error.</summary>
    public void Reset()
    {
        _failure = null;
        _inFragmentedMessage = false;
        _messageLength = 0;
        _inTextMessage = false;
        _textFrameOpen = false;
        _frameIsFinal = false;
        _frameIsControl = false;
        _utf8.Reset();
    }

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

    private void Commit(in FrameHeader header)
    {
        _frameIsControl = header.IsControl;
        if (_frameIsControl)
        {
            return; // control frames may sit between fragments and leave the message state alone (RFC 6455 5.4)
        }

        if (header.Opcode != Opcode.Continuation)
        {
            _messageLength = 0;
            _inTextMessage = header.Opcode == Opcode.Text;
            _utf8.Reset();
        }

        _messageLength += header.PayloadLength;
        _inFragmentedMessage = !header.Fin;
        _frameIsFinal = header.Fin;
        _textFrameOpen = _inTextMessage;
    }
}
