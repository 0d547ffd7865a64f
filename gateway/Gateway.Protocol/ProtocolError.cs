namespace Gateway.Protocol;

/// <summary>
/// Every protocol violation is one value: a stable code, a short message (valid UTF-8, at most 123 bytes so it can
/// be sent as a close reason, RFC 6455 5.5.1), and the close code the detecting endpoint sends (RFC 6455 7.4.1).
/// Instances are static and immutable, so reporting an error never allocates and errors compare by reference.
/// Which close goes to which side of the gateway is decided elsewhere (the contract's section 4 table); this type
/// only says what an endpoint speaking RFC 6455 would send.
/// </summary>
public sealed class ProtocolError
{
    private const ushort Protocol = 1002;      // RFC 6455 7.4.1: protocol error
    private const ushort InvalidPayload = 1007; // RFC 6455 7.4.1: data inconsistent with the message type
    private const ushort TooBig = 1009;         // RFC 6455 7.4.1: message too big to process
    private const ushort Policy = 1008;         // RFC 6455 7.4.1: a message that violates the endpoint's policy

    private ProtocolError(string code, string message, ushort closeCode)
    {
        Code = code;
        Message = message;
        CloseCode = closeCode;
    }

    /// <summary>Stable, dotted identifier (for logs, metrics and tests), e.g. <c>frame.unmasked</c>.</summary>
    public string Code { get; }

    /// <summary>Short human-readable text, usable as a close reason.</summary>
    public string Message { get; }

    /// <summary>The close code an RFC 6455 endpoint sends when it detects this violation.</summary>
    public ushort CloseCode { get; }

    /// <summary>RFC 6455 5.1: a server MUST close when a client frame is not masked.</summary>
    public static readonly ProtocolError UnmaskedFrame =
        new("frame.unmasked", "client frames must be masked", Protocol);

    /// <summary>RFC 6455 5.1: a client MUST close when a server frame is masked.</summary>
    public static readonly ProtocolError MaskedFrame =
        new("frame.masked", "server frames must not be masked", Protocol);

    /// <summary>RFC 6455 5.2: RSV1-3 MUST be 0 unless an extension defines them; we negotiate none.</summary>
    public static readonly ProtocolError ReservedBits =
        new("frame.reserved_bits", "reserved bits set without a negotiated extension", Protocol);

    /// <summary>RFC 6455 5.2: opcodes 0x3-0x7 and 0xB-0xF are reserved; receiving one MUST fail the connection.</summary>
    public static readonly ProtocolError ReservedOpcode =
        new("frame.reserved_opcode", "reserved opcode", Protocol);

    /// <summary>RFC 6455 5.5: control frames MUST have a payload of 125 bytes or less.</summary>
    public static readonly ProtocolError ControlFrameTooLong =
        new("frame.control_too_long", "control frame payload over 125 bytes", Protocol);

    /// <summary>RFC 6455 5.5: control frames MUST NOT be fragmented (FIN clear).</summary>
    public static readonly ProtocolError ControlFrameFragmented =
        new("frame.control_fragmented", "control frames must not be fragmented", Protocol);

    /// <summary>RFC 6455 5.4: a continuation frame with no fragmented message in progress.</summary>
    public static readonly ProtocolError UnexpectedContinuation =
        new("frame.unexpected_continuation", "continuation frame without a message to continue", Protocol);

    /// <summary>RFC 6455 5.4: a new text/binary frame while a fragmented message awaits its continuation.</summary>
    public static readonly ProtocolError ExpectedContinuation =
        new("frame.expected_continuation", "new data message inside a fragmented message", Protocol);

    /// <summary>
    /// RFC 6455 5.2: the most significant bit of a 64-bit payload length MUST be 0. Non-minimal length encodings are
    /// also a MUST violation in 5.2, but they are harmless, so we are liberal and accept them (RFC 1122 1.2.2).
    /// </summary>
    public static readonly ProtocolError InvalidLength =
        new("frame.invalid_length", "64-bit payload length has its most significant bit set", Protocol);

    /// <summary>A frame's announced payload length exceeds the configured maximum frame size.</summary>
    public static readonly ProtocolError FrameTooLarge =
        new("limit.frame_size", "frame exceeds the maximum frame size", TooBig);

    /// <summary>A data message's total announced length exceeds the configured maximum message size.</summary>
    public static readonly ProtocolError MessageTooLarge =
        new("limit.message_size", "message exceeds the maximum message size", TooBig);

    /// <summary>RFC 6455 8.1: text messages MUST be valid UTF-8, checked as the payload streams through.</summary>
    public static readonly ProtocolError InvalidUtf8 =
        new("utf8.invalid", "text message is not valid UTF-8", InvalidPayload);

    /// <summary>RFC 6455 5.5.1: a Close body, if present, starts with a 2-byte code, so 1 byte is malformed.</summary>
    public static readonly ProtocolError InvalidClosePayload =
        new("close.invalid_payload", "close payload of 1 byte", Protocol);

    /// <summary>RFC 6455 7.4: a close code that must not appear on the wire (1005, 1006, 1015, unassigned ...).</summary>
    public static readonly ProtocolError InvalidCloseCode =
        new("close.invalid_code", "close code not allowed on the wire", Protocol);

    /// <summary>RFC 6455 5.5.1: the Close reason MUST be valid UTF-8 (1007, like text messages, 8.1).</summary>
    public static readonly ProtocolError InvalidCloseReason =
        new("close.invalid_reason", "close reason is not valid UTF-8", InvalidPayload);

    /// <summary>The client sent messages faster than `messages_per_connection` allows (contract section 4: 1008).</summary>
    public static readonly ProtocolError MessageRateExceeded =
        new("limit.message_rate", "message rate exceeded", Policy);

    /// <summary>Every error defined here, for documentation and tests.</summary>
    public static IReadOnlyList<ProtocolError> All { get; } =
    [
        UnmaskedFrame, MaskedFrame, ReservedBits, ReservedOpcode, ControlFrameTooLong, ControlFrameFragmented,
        UnexpectedContinuation, ExpectedContinuation, InvalidLength, FrameTooLarge, MessageTooLarge, InvalidUtf8,
        InvalidClosePayload, InvalidCloseCode, InvalidCloseReason, MessageRateExceeded,
    ];

    public override string ToString() => $"{Code} (close {CloseCode}): {Message}";
}
