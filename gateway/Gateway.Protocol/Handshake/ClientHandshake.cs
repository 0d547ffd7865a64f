using System.Buffers;
using System.Text;

namespace Gateway.Protocol.Handshake;

/// <summary>
/// The client side of the opening handshake, which the gateway plays towards the upstream (RFC 6455 4.1): the
/// upgrade request, written byte by byte into a buffer (no HttpClient), and the check of the upstream's answer.
/// </summary>
public static partial class ClientHandshake
{
    // Headers the request writes itself or that would change its framing (a body on a GET upgrade is a smuggling
    // vector); forwarding any of them from configuration would contradict what the gateway negotiates.
    private static readonly string[] ReservedHeaders =
    [
        "Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Extensions", "Sec-WebSocket-Accept", "Content-Length", "Transfer-Encoding",
    ];

    /// <summary>
    /// True for a header name <see cref="WriteRequest"/> refuses as an extra header, so configuration can reject
    /// it up front (e.g. forwarding Sec-WebSocket-Extensions, which would negotiate an extension the relay does
    /// not implement).
    /// </summary>
    public static bool IsReservedHeader(string name) =>
        ReservedHeaders.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// GET {pathAndQuery} HTTP/1.1, Host, Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Key,
    /// Sec-WebSocket-Version: 13, Sec-WebSocket-Protocol (comma-joined, only if any), then each extra header.
    /// Never writes Sec-WebSocket-Extensions (no extension is negotiated). Everything is checked before the first
    /// byte is written, so a refused request leaves <paramref name="output"/> untouched.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A name is not a token or is reserved, a value contains a control character other than HTAB or non-ASCII,
    /// the key is not a valid key, or <paramref name="pathAndQuery"/> does not start with '/' or contains
    /// whitespace, control characters, '#' or non-ASCII.
    /// </exception>
    public static void WriteRequest(IBufferWriter<byte> output, string pathAndQuery, string host, string key,
        IReadOnlyList<string> subprotocols, IEnumerable<KeyValuePair<string, string>> extraHeaders)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(subprotocols);
        ArgumentNullException.ThrowIfNull(extraHeaders);
        // Enumerated twice (measure, then write): a lazy sequence is materialised so both passes agree.
        var extras = extraHeaders as IReadOnlyCollection<KeyValuePair<string, string>> ?? extraHeaders.ToList();
        ValidateRequest(pathAndQuery, host, key, subprotocols, extras);

        var measure = new AsciiWriter(Span<byte>.Empty, countOnly: true);
        Emit(ref measure, pathAndQuery, host, key, subprotocols, extras);
        var destination = output.GetSpan(measure.Length)[..measure.Length];
        var write = new AsciiWriter(destination, countOnly: false);
        Emit(ref write, pathAndQuery, host, key, subprotocols, extras);
        output.Advance(measure.Length);
    }

    private static void Emit(ref AsciiWriter w, string pathAndQuery, string host, string key,
        IReadOnlyList<string> subprotocols, IReadOnlyCollection<KeyValuePair<string, string>> extras)
    {
        // RFC 6455 4.1 items 1-9, in the order the RFC lists them.
        w.Append("GET ");
        w.Append(pathAndQuery);
        w.Append(" HTTP/1.1\r\n");
        w.Header("Host", host);
        w.Header("Upgrade", "websocket");
        w.Header("Connection", "Upgrade");
        w.Header("Sec-WebSocket-Key", key);
        w.Header(ServerHandshake.VersionHeader, ServerHandshake.SupportedVersion);
        if (subprotocols.Count > 0)
        {
            w.Append("Sec-WebSocket-Protocol: ");
            for (var i = 0; i < subprotocols.Count; i++)
            {
                if (i > 0)
                    w.Append(", ");
                w.Append(subprotocols[i]);
            }
            w.Append("\r\n");
        }
        foreach (var header in extras)
            w.Header(header.Key, header.Value);
        w.Append("\r\n");
    }

    private static void ValidateRequest(string pathAndQuery, string host, string key,
        IReadOnlyList<string> subprotocols, IReadOnlyCollection<KeyValuePair<string, string>> extraHeaders)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        ArgumentNullException.ThrowIfNull(host);
        // origin-form = absolute-path [ "?" query ] (RFC 9112 3.2.1): visible ASCII only, and no fragment
        // (RFC 6455 3: fragment identifiers MUST NOT be used in WebSocket URIs).
        if (!pathAndQuery.StartsWith('/') || pathAndQuery.AsSpan().ContainsAnyExceptInRange('!', '~')
            || pathAndQuery.Contains('#'))
        {
            throw new ArgumentException("The request target must start with '/' and be visible ASCII without '#'.",
                nameof(pathAndQuery));
        }
        if (host.Length == 0 || host.AsSpan().ContainsAnyExceptInRange('!', '~'))
            throw new ArgumentException("The Host value must be non-empty visible ASCII.", nameof(host));
        if (!WebSocketKey.IsValid(key))
            throw new ArgumentException("The key must be 16 bytes of base64.", nameof(key));
        foreach (var subprotocol in subprotocols)
        {
            // RFC 6455 4.1 item 10: each subprotocol is a token (a comma or CRLF would forge others).
            if (!HeaderTokens.IsToken(subprotocol))
                throw new ArgumentException("Every subprotocol must be a token.", nameof(subprotocols));
        }
        foreach (var (name, value) in extraHeaders)
        {
            if (!HeaderTokens.IsToken(name))
                throw new ArgumentException("An extra header's name is not a token.", nameof(extraHeaders));
            if (IsReservedHeader(name))
            {
                throw new ArgumentException($"The header {name} is written by the handshake itself.",
                    nameof(extraHeaders));
            }
            // The value is not quoted in the message: it may be a credential.
            if (!IsFieldValue(value))
            {
                throw new ArgumentException(
                    $"The value of {name} contains a control character (CR, LF, NUL, ...) or non-ASCII.",
                    nameof(extraHeaders));
            }
        }
    }

    // field-value = *( VCHAR / SP / HTAB ) here (RFC 9110 5.5, without obs-text): CR, LF and NUL would inject
    // headers, other controls are invalid, and non-ASCII has no agreed encoding.
    private static bool IsFieldValue(string? value)
    {
        if (value is null)
            return false;
        foreach (var c in value)
        {
            if (c is not ('\t' or (>= ' ' and <= '~')))
                return false;
        }
        return true;
    }

    /// <summary>Writes ASCII text into a span, or only counts it, so one routine both measures and writes.</summary>
    private ref struct AsciiWriter(Span<byte> destination, bool countOnly)
    {
        private readonly Span<byte> _destination = destination;

        public int Length { get; private set; }

        public void Append(ReadOnlySpan<char> text)
        {
            if (!countOnly)
                Encoding.ASCII.GetBytes(text, _destination[Length..]);
            Length += text.Length;
        }

        public void Header(string name, string value)
        {
            Append(name);
            Append(": ");
            Append(value);
            Append("\r\n");
        }
    }
}
