using System.Buffers;
using System.Buffers.Binary;
using System.Runtime.CompilerServices;
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
public sealed partial class FrameDecoder
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
        consumed = buffer.Start;
        examined = buffer.End;

        // The header is contiguous in the first segment almost always; a header split across segments is joined
        // on the stack in a separate method, which keeps the stackalloc (and its stack guard) off the common path.
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        DecodeStatus status = first.Length >= FrameEncoder.MaxHeaderLength || buffer.IsSingleSegment
            ? TryReadHeader(first, out header, out error)
            : TryReadSplitHeader(buffer, out header, out error);
        if (status == DecodeStatus.Done)
        {
            consumed = examined = buffer.GetPosition(header.HeaderLength);
        }

        return status;
    }

    /// <summary>
    /// <see cref="TryReadHeader(in ReadOnlySequence{byte}, out FrameHeader, out SequencePosition, out SequencePosition, out ProtocolError?)"/>
    /// for a header at the start of a span: when Done, the header is <see cref="FrameHeader.HeaderLength"/> bytes long.
    /// </summary>
    public DecodeStatus TryReadHeader(ReadOnlySpan<byte> buffer, out FrameHeader header, out ProtocolError? error)
    {
        DecodeStatus status = ParseNext(buffer, out header, out error);
        if (status == DecodeStatus.Done)
        {
            Commit(header);
        }

        return status;
    }

    /// <summary>
    /// <see cref="TryReadHeader(ReadOnlySpan{byte}, out FrameHeader, out ProtocolError?)"/> for a caller that handles
    /// whole data frames in one go: Done (and the header committed to) only when <paramref name="bytes"/> starts with
    /// a data frame whose payload is all there; NeedMoreData, with nothing changed, for a control frame or a frame not
    /// all there, which the caller then takes its general way. Error as TryReadHeader: a bad header is reported
    /// whether or not its payload has arrived.
    /// </summary>
    public DecodeStatus TryReadWholeDataFrame(ReadOnlySpan<byte> bytes, out FrameHeader header, out ProtocolError? error)
    {
        DecodeStatus status = ParseNext(bytes, out header, out error);
        if (status != DecodeStatus.Done)
        {
            return status;
        }

        if (header.IsControl || header.PayloadLength > bytes.Length - header.HeaderLength)
        {
            header = default;
            return DecodeStatus.NeedMoreData;
        }

        Commit(header);
        return DecodeStatus.Done;
    }

    /// <summary>Parses the next header without committing to it; an error is kept (sticky).</summary>
    private DecodeStatus ParseNext(ReadOnlySpan<byte> bytes, out FrameHeader header, out ProtocolError? error)
    {
        header = default;
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

        DecodeStatus status = Parse(bytes, out header, out error);
        if (status == DecodeStatus.Error)
        {
            _failure = error;
            header = default;
        }

        return status;
    }

    /// <summary>
    /// The wire length (header and payload) of the data frame at the start of <paramref name="bytes"/> when all of it
    /// is there; 0 for a control frame or a frame not all there. Reads only the length fields and validates nothing:
    /// it tells a caller whether a whole frame can be handled in one go before <see cref="TryReadHeader(ReadOnlySpan{byte}, out FrameHeader, out ProtocolError?)"/>
    /// commits to it.
    /// </summary>
    public static int WholeDataFrameLength(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < FrameFormat.MinHeaderLength || (bytes[0] & FrameFormat.ControlOpcodeBit) != 0)
        {
            return 0;
        }

        int lengthField = bytes[1] & FrameFormat.LengthBits;
        int extendedBytes = FrameFormat.ExtendedLengthBytes(lengthField);
        int headerLength = FrameFormat.MinHeaderLength + extendedBytes +
            ((bytes[1] & FrameFormat.MaskBit) != 0 ? FrameFormat.MaskKeyLength : 0);
        if (bytes.Length < headerLength)
        {
            return 0;
        }

        ulong payloadLength = extendedBytes switch
        {
            0 => (ulong)lengthField,
            2 => BinaryPrimitives.ReadUInt16BigEndian(bytes[FrameFormat.MinHeaderLength..]),
            _ => BinaryPrimitives.ReadUInt64BigEndian(bytes[FrameFormat.MinHeaderLength..]),
        };
        return payloadLength <= (ulong)(bytes.Length - headerLength) ? headerLength + (int)payloadLength : 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private DecodeStatus TryReadSplitHeader(in ReadOnlySequence<byte> buffer, out FrameHeader header, out ProtocolError? error)
    {
        Span<byte> joined = stackalloc byte[FrameEncoder.MaxHeaderLength];
        int available = (int)Math.Min(buffer.Length, FrameEncoder.MaxHeaderLength);
        buffer.Slice(0, available).CopyTo(joined);
        return TryReadHeader(joined[..available], out header, out error);
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
