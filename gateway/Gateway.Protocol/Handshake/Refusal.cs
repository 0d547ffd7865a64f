using System.Globalization;

namespace Gateway.Protocol.Handshake;

/// <summary>
/// A refused upgrade as the client reads it (contract section 3): the HTTP status, extra response headers, and a
/// short reason, which is the one-line plain-text body and the log line's text (so it never holds a token, a key or
/// a secret). Only an upstream's own error answer has a <see cref="Body"/>: it is relayed in place of the reason.
/// Every refusal, from the handshake checks to the upstream connect, is one of these, written one way.
/// </summary>
/// <remarks>Equal when the client would read the same answer: headers compare by content.</remarks>
public sealed record Refusal(int Status, string Reason, IReadOnlyList<KeyValuePair<string, string>> Headers, RelayedBody? Body = null)
{
    public static Refusal BadRequest(string reason) => new(400, reason, []);

    /// <summary>RFC 6455 4.2.2 item 4 / 4.4: an unsupported version is answered with the versions this server speaks.</summary>
    public static Refusal UnsupportedVersion(string reason) =>
        new(426, reason, [new(ServerHandshake.VersionHeader, ServerHandshake.SupportedVersion)]);

    /// <summary>RFC 9110 11.6.1: a 401 MUST carry at least one challenge.</summary>
    public static Refusal Unauthorized(string reason, string challenge) => new(401, reason, [new("WWW-Authenticate", challenge)]);

    public static Refusal Forbidden(string reason) => new(403, reason, []);

    public static Refusal NotFound(string reason) => new(404, reason, []);

    public static Refusal TooManyRequests(string reason, TimeSpan retryAfter) => new(429, reason, [RetryAfter(retryAfter)]);

    public static Refusal Unavailable(string reason, TimeSpan? retryAfter = null) =>
        new(503, reason, retryAfter is { } after ? [RetryAfter(after)] : []);

    /// <summary>A 503 that also ends the connection: the gateway is going away, so the retry should open a new one.</summary>
    public static Refusal ShuttingDown(string reason, TimeSpan retryAfter) =>
        new(503, reason, [RetryAfter(retryAfter), new("Connection", "close")]);

    public static Refusal BadGateway(string reason) => new(502, reason, []);

    public static Refusal GatewayTimeout(string reason) => new(504, reason, []);

    /// <summary>The upstream's own non-101 answer: its status, and its body (if any) in place of the reason.</summary>
    public static Refusal Relayed(int status, ReadOnlyMemory<byte> body, string? contentType) =>
        new(status, $"upstream answered {status}", [],
            body.IsEmpty ? null : new RelayedBody(body, contentType ?? "application/octet-stream"));

    /// <summary>RFC 9110 10.2.3: Retry-After in whole seconds; rounded up so a client that obeys it is not refused again.</summary>
    private static KeyValuePair<string, string> RetryAfter(TimeSpan after) =>
        new("Retry-After", Math.Max(1, (long)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture));

    public bool Equals(Refusal? other) =>
        other is not null && Status == other.Status && Reason == other.Reason && Headers.SequenceEqual(other.Headers) &&
        Equals(Body, other.Body);

    public override int GetHashCode() => HashCode.Combine(Status, Reason, Headers.Count, Body);
}

/// <summary>An upstream's error body, relayed with the content type it came with.</summary>
public sealed record RelayedBody(ReadOnlyMemory<byte> Bytes, string ContentType);
