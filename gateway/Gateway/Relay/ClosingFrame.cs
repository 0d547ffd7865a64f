using System.Text;
using Gateway.Protocol.Closing;

namespace Gateway.Relay;

/// The payload of a Close frame as it goes on the wire: empty (no status, 1005) or a code and a UTF-8 reason.
/// Made once per session end, so it may allocate.
public sealed class ClosingFrame
{
    private readonly byte[] _payload;

    private ClosingFrame(byte[] payload, ushort code)
    {
        _payload = payload;
        Code = code;
    }

    /// The status code, or 1005 (NoStatusReceived) when the payload is empty.
    public ushort Code { get; }

    public ReadOnlySpan<byte> Payload => _payload;

    public string Reason => _payload.Length > 2 ? Encoding.UTF8.GetString(_payload, 2, _payload.Length - 2) : "";

    public static ClosingFrame Empty { get; } = new([], CloseCodes.NoStatusReceived);

    /// A Close the gateway originates; the reason is cut at a UTF-8 boundary to fit in a control frame.
    public static ClosingFrame Create(ushort code, string reason)
    {
        Span<byte> buffer = stackalloc byte[2 + ClosePayload.MaxReasonBytes];
        int length = ClosePayload.Write(buffer, code, reason);
        return new ClosingFrame(buffer[..length].ToArray(), code);
    }

    /// A peer's Close, already validated by ClosePayload.Parse, relayed byte for byte.
    public static ClosingFrame FromPayload(ReadOnlySpan<byte> payload, ushort code) =>
        payload.IsEmpty ? Empty : new ClosingFrame(payload.ToArray(), code);

    public override string ToString() => _payload.Length == 0 ? "(no status)" : $"{Code} \"{Reason}\"";
}
