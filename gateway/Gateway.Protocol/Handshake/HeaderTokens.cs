namespace Gateway.Protocol.Handshake;

/// <summary>
/// RFC 7230 token lists as used by Connection, Upgrade, Sec-WebSocket-Protocol and Sec-WebSocket-Extensions:
/// comma-separated, optional whitespace, empty elements ignored, possibly over several header lines.
/// </summary>
/// <remarks>
/// Quoted strings are not understood: none of the headers the handshake reads may contain one in an element it
/// compares (extension parameters may, but the gateway only checks whether any extension is named at all).
/// </remarks>
public static class HeaderTokens
{
    /// <summary>tchar per RFC 7230 3.2.6 (RFC 9110 5.6.2): a non-empty run of visible ASCII except delimiters.</summary>
    public static bool IsToken(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
            return false;
        foreach (var c in value)
        {
            if (!IsTokenChar(c))
                return false;
        }
        return true;
    }

    /// <summary>One tchar of RFC 7230 3.2.6.</summary>
    public static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.'
            or '^' or '_' or '`' or '|' or '~';

    /// <summary>Splits all lines into trimmed, non-empty elements in order.</summary>
    public static List<string> ParseList(IReadOnlyList<string?> headerValues)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        var elements = new List<string>();
        for (var i = 0; i < headerValues.Count; i++)
        {
            var rest = headerValues[i].AsSpan();
            while (NextElement(ref rest, out var element))
                elements.Add(element.ToString());
        }
        return elements;
    }

    /// <summary>
    /// Case-insensitive: does any element equal <paramref name="token"/> (e.g. Connection contains "upgrade" in
    /// "keep-alive, Upgrade").
    /// </summary>
    public static bool ContainsToken(IReadOnlyList<string?> headerValues, string token)
    {
        ArgumentNullException.ThrowIfNull(headerValues);
        ArgumentNullException.ThrowIfNull(token);
        for (var i = 0; i < headerValues.Count; i++)
        {
            var rest = headerValues[i].AsSpan();
            while (NextElement(ref rest, out var element))
            {
                if (element.Equals(token, StringComparison.OrdinalIgnoreCase))
                    return true;
            }
        }
        return false;
    }

    /// <summary>Takes the next non-empty, OWS-trimmed element off the front of a list (RFC 7230 7, "#rule").</summary>
    private static bool NextElement(ref ReadOnlySpan<char> rest, out ReadOnlySpan<char> element)
    {
        while (!rest.IsEmpty)
        {
            var comma = rest.IndexOf(',');
            var candidate = comma < 0 ? rest : rest[..comma];
            rest = comma < 0 ? ReadOnlySpan<char>.Empty : rest[(comma + 1)..];
            element = TrimOws(candidate);
            if (!element.IsEmpty)
                return true;
        }
        element = default;
        return false;
    }

    /// <summary>Removes optional whitespace (SP / HTAB, RFC 7230 3.2.3) from both ends.</summary>
    public static ReadOnlySpan<char> TrimOws(ReadOnlySpan<char> value) => value.Trim(" \t");
}
