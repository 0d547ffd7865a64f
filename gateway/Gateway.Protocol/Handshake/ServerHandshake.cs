namespace Gateway.Protocol.Handshake;

/// <summary>The server side of the opening handshake: checks what a client sent (RFC 6455 4.2.1).</summary>
public static class ServerHandshake
{
    /// <summary>The only protocol version this gateway speaks (RFC 6455 4.1 item 9, 4.2.1 item 6).</summary>
    public const string SupportedVersion = "13";

    public const string VersionHeader = "Sec-WebSocket-Version";

    /// <summary>
    /// Validates a client's opening handshake (RFC 6455 4.2.1) and returns null when acceptable, else the exact
    /// outcome of contract section 3. Check order: method and protocol, Upgrade/Connection, then version (426),
    /// then key.
    /// </summary>
    /// <remarks>Host (4.2.1 item 2) is not checked here: the HTTP server already refuses HTTP/1.1 without one.</remarks>
    public static Refusal? Validate(string method, string protocol, IReadOnlyList<string?> upgrade,
        IReadOnlyList<string?> connection, IReadOnlyList<string?> key, IReadOnlyList<string?> version)
    {
        // 4.2.1 item 1: "An HTTP/1.1 or higher GET request". Methods are case-sensitive (RFC 9110 9.1).
        if (!string.Equals(method, "GET", StringComparison.Ordinal))
            return Refusal.BadRequest("WebSocket upgrade requires method GET");
        if (!IsHttp11OrLater(protocol))
            return Refusal.BadRequest("WebSocket upgrade requires HTTP/1.1 or later");

        // 4.2.1 items 3 and 4: both are case-insensitive tokens and may sit in a list.
        if (!HeaderTokens.ContainsToken(upgrade, "websocket"))
            return Refusal.BadRequest("Upgrade header must contain websocket");
        if (!HeaderTokens.ContainsToken(connection, "upgrade"))
            return Refusal.BadRequest("Connection header must contain upgrade");

        // 4.2.2 item 4 / 4.4: an unsupported version is answered 426 with the versions this server speaks.
        if (!IsSupportedVersion(version))
            return Refusal.UnsupportedVersion("Sec-WebSocket-Version must be 13");

        return ValidateKey(key);
    }

    /// <summary>
    /// Subprotocols the client offered (Sec-WebSocket-Protocol values, in order, duplicates removed, each must be
    /// a token; an element that is not a token -> rejection 400). If <paramref name="allowed"/> is non-empty, keep
    /// only offered ones present in it (case-sensitive: RFC 6455 4.1 compares subprotocol names as is).
    /// </summary>
    public static Refusal? SelectOfferedSubprotocols(IReadOnlyList<string?> offered,
        IReadOnlyList<string> allowed, out List<string> forwarded)
    {
        ArgumentNullException.ThrowIfNull(allowed);
        forwarded = [];
        foreach (var name in HeaderTokens.ParseList(offered))
        {
            // 4.1 item 10: "elements that comprise this value MUST be non-empty strings ... defined as tokens".
            // The value is not echoed in the reason: it is client input and goes to the log.
            if (!HeaderTokens.IsToken(name))
            {
                forwarded = [];
                return Refusal.BadRequest("Sec-WebSocket-Protocol values must be tokens");
            }
            // 4.1 item 10 also says "unique"; a repeat adds nothing, so it is dropped rather than refused.
            if (forwarded.Contains(name, StringComparer.Ordinal))
                continue;
            if (allowed.Count == 0 || allowed.Contains(name, StringComparer.Ordinal))
                forwarded.Add(name);
        }
        return null;
    }

    private static Refusal? ValidateKey(IReadOnlyList<string?> key)
    {
        string? single = null;
        var count = 0;
        foreach (var line in key)
        {
            if (line is null)
                continue;
            single = line;
            count++;
        }
        // 4.2.1 item 4 / 4.1 item 7: exactly one key; a second line (or a folded "a, b") is not 16 bytes of base64.
        if (count == 0)
            return Refusal.BadRequest("Sec-WebSocket-Key is missing");
        if (count > 1)
            return Refusal.BadRequest("Sec-WebSocket-Key must appear once");
        // Surrounding OWS is not part of a field value (RFC 9110 5.5); whitespace inside is an invalid key.
        if (!WebSocketKey.IsValid(HeaderTokens.TrimOws(single).ToString()))
            return Refusal.BadRequest("Sec-WebSocket-Key must be 16 bytes of base64");
        return null;
    }

    // Exactly one version and it is 13: none, another one, or a list of several all get the 426 (4.2.2 item 4).
    private static bool IsSupportedVersion(IReadOnlyList<string?> version)
    {
        var elements = HeaderTokens.ParseList(version);
        return elements.Count == 1 && elements[0] == SupportedVersion;
    }

    /// <summary>"HTTP/1.1", "HTTP/1.2", "HTTP/2", "HTTP/3" pass; "HTTP/1.0", "HTTP/0.9" and anything else do not.</summary>
    internal static bool IsHttp11OrLater(string? protocol)
    {
        // HTTP-name is case-sensitive (RFC 9112 2.3).
        if (protocol is null || !protocol.StartsWith("HTTP/", StringComparison.Ordinal))
            return false;
        var version = protocol.AsSpan(5);
        var dot = version.IndexOf('.');
        var majorText = dot < 0 ? version : version[..dot];
        var minorText = dot < 0 ? "0" : version[(dot + 1)..];
        if (!IsDigits(majorText) || !IsDigits(minorText))
            return false;
        var major = int.Parse(majorText);
        return major > 1 || (major == 1 && int.Parse(minorText) >= 1);
    }

    private static bool IsDigits(ReadOnlySpan<char> text) =>
        text.Length is > 0 and <= 4 && !text.ContainsAnyExceptInRange('0', '9');
}
