namespace Gateway.Protocol.Handshake;

public static partial class ClientHandshake
{
    private const int SwitchingProtocols = 101;

    /// <summary>
    /// Validates the upstream's response head (RFC 6455 4.1, client side, items 1-6). Returns null when valid
    /// (<paramref name="subprotocol"/> = the upstream's pick, or null) or a short failure reason, which the
    /// gateway turns into a 502 (contract section 3).
    /// </summary>
    /// <remarks>
    /// An empty Sec-WebSocket-Protocol or Sec-WebSocket-Extensions line names nothing, so it is accepted like an
    /// absent one: the RFC fails the connection only when the header "indicates the use of" something not offered.
    /// </remarks>
    public static string? ValidateResponse(HttpResponseHead head, string key, IReadOnlyList<string> offeredSubprotocols,
        out string? subprotocol)
    {
        ArgumentNullException.ThrowIfNull(head);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(offeredSubprotocols);
        subprotocol = null;

        // Item 1: anything other than 101 is handled per HTTP by the caller; here it can only be a failure.
        if (head.StatusCode != SwitchingProtocols)
            return $"upstream answered {head.StatusCode} instead of 101";

        // Item 2: Upgrade present and its value "websocket" (case-insensitive); any other protocol in it fails.
        var upgrade = HeaderTokens.ParseList(head.GetAll("Upgrade"));
        if (upgrade.Count == 0 || upgrade.Exists(p => !p.Equals("websocket", StringComparison.OrdinalIgnoreCase)))
            return "upstream's 101 lacks Upgrade: websocket";

        // Item 3: Connection contains the token "Upgrade" (case-insensitive).
        if (!HeaderTokens.ContainsToken(head.GetAll("Connection"), "upgrade"))
            return "upstream's 101 lacks Connection: upgrade";

        // Item 4: Sec-WebSocket-Accept is exactly base64(SHA-1(key + GUID)); base64 is case-sensitive.
        var accept = head.GetAll("Sec-WebSocket-Accept");
        if (accept.Count == 0)
            return "upstream's 101 lacks Sec-WebSocket-Accept";
        if (accept.Count > 1 || !string.Equals(accept[0], WebSocketAccept.Compute(key), StringComparison.Ordinal))
            return "upstream's Sec-WebSocket-Accept does not match the key";

        // Item 5: the gateway offers no extension, so any extension named is one it did not ask for.
        if (HeaderTokens.ParseList(head.GetAll("Sec-WebSocket-Extensions")).Count > 0)
            return "upstream's 101 selects an extension that was not offered";

        // Item 6: at most one subprotocol, and one of those offered (compared as is, RFC 6455 4.1 item 10).
        var protocols = HeaderTokens.ParseList(head.GetAll("Sec-WebSocket-Protocol"));
        if (protocols.Count > 1)
            return "upstream's 101 selects more than one subprotocol";
        if (protocols.Count == 1)
        {
            if (offeredSubprotocols.Count == 0)
                return "upstream's 101 selects a subprotocol although none was offered";
            if (!offeredSubprotocols.Contains(protocols[0], StringComparer.Ordinal))
                return "upstream's 101 selects a subprotocol that was not offered";
            subprotocol = protocols[0];
        }
        return null;
    }
}
