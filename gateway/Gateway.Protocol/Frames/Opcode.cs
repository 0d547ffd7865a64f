namespace Gateway.Protocol.Frames;

/// <summary>
/// The opcodes RFC 6455 5.2 defines. A decoded header keeps the raw 4-bit value, so a reserved opcode may show up
/// here as an undefined enum value; the decoder rejects it before reporting the header.
/// </summary>
public enum Opcode : byte
{
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xA,
}
