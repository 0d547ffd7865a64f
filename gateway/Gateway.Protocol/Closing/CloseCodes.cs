namespace Gateway.Protocol.Closing;

/// <summary>Close status codes, RFC 6455 7.4.1 and the IANA "WebSocket Close Code Number Registry".</summary>
public static class CloseCodes
{
    public const ushort NormalClosure = 1000;
    public const ushort GoingAway = 1001;
    public const ushort ProtocolError = 1002;
    public const ushort UnsupportedData = 1003;
    public const ushort NoStatusReceived = 1005;  // never on the wire: "the Close had no code"
    public const ushort AbnormalClosure = 1006;   // never on the wire: "the connection dropped without a Close"
    public const ushort InvalidPayloadData = 1007;
    public const ushort PolicyViolation = 1008;
    public const ushort MessageTooBig = 1009;
    public const ushort MandatoryExtension = 1010;
    public const ushort InternalError = 1011;
    public const ushort ServiceRestart = 1012;    // IANA registry
    public const ushort TryAgainLater = 1013;     // IANA registry
    public const ushort BadGateway = 1014;        // IANA registry
    public const ushort TlsHandshake = 1015;      // never on the wire: "the TLS handshake failed"

    private const ushort FirstPrivateCode = 3000; // RFC 6455 7.4.2: 3000-3999 registered, 4000-4999 private
    private const ushort LastPrivateCode = 4999;

    /// <summary>
    /// Whether <paramref name="code"/> may appear in a Close frame: 1000-1003 and 1007-1014 (1004 is reserved,
    /// 1005/1006/1015 are reserved for reporting, RFC 6455 7.4.1; 1016-2999 are unassigned protocol codes), and the
    /// application range 3000-4999 (RFC 6455 7.4.2). Anything else received in a Close is a protocol error.
    /// </summary>
    public static bool IsValidOnWire(ushort code) => code switch
    {
        >= NormalClosure and <= UnsupportedData => true,
        >= InvalidPayloadData and <= BadGateway => true,
        >= FirstPrivateCode and <= LastPrivateCode => true,
        _ => false,
    };
}
