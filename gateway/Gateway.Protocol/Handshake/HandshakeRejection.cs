namespace Gateway.Protocol.Handshake;

/// <summary>
/// A refused upgrade: the HTTP status of contract section 3, a short plain-text reason for the body and the log,
/// and an optional extra response header (426 carries <c>Sec-WebSocket-Version: 13</c>).
/// </summary>
public sealed record HandshakeRejection(int Status, string Reason, string? HeaderName = null, string? HeaderValue = null);
