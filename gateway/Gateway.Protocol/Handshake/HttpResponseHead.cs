namespace Gateway.Protocol.Handshake;

/// <summary>An HTTP/1.1 response status line + headers (RFC 9112), as read from the upstream.</summary>
public sealed class HttpResponseHead
{
    private static readonly IReadOnlyList<string?> None = [];

    /// <param name="statusCode">The three-digit status code.</param>
    /// <param name="reasonPhrase">The reason phrase, possibly empty.</param>
    /// <param name="headers">Header fields in order, names as received, values without surrounding whitespace.</param>
    public HttpResponseHead(int statusCode, string reasonPhrase, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(statusCode, 100);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(statusCode, 999);
        ArgumentNullException.ThrowIfNull(reasonPhrase);
        ArgumentNullException.ThrowIfNull(headers);
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase;
        Headers = headers;
        ContentLength = ParseContentLength(GetAll("Content-Length"));
        IsChunked = EndsWithChunked(GetAll("Transfer-Encoding"));
    }

    public int StatusCode { get; }

    public string ReasonPhrase { get; }

    /// <summary>In order, names as received, values trimmed.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; }

    /// <summary>Parsed Content-Length, null if absent or invalid.</summary>
    public long? ContentLength { get; }

    /// <summary>Transfer-Encoding's last coding is chunked (RFC 9112 6.3 item 4: then the body is chunked).</summary>
    public bool IsChunked { get; }

    /// <summary>The first value of a header, by case-insensitive name (RFC 9110 5.1); null if absent.</summary>
    public string? Get(string name)
    {
        foreach (var header in Headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
                return header.Value;
        }
        return null;
    }

    /// <summary>Every value of a header in order, by case-insensitive name; empty if absent.</summary>
    public IReadOnlyList<string?> GetAll(string name)
    {
        List<string?>? values = null;
        foreach (var header in Headers)
        {
            if (string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase))
                (values ??= []).Add(header.Value);
        }
        return values ?? None;
    }

    /// <summary>
    /// RFC 9110 8.6: digits only; a list of identical values ("42, 42", or repeated lines) counts as one, any
    /// disagreement makes the length invalid (null), which the reader must treat as unrecoverable framing.
    /// </summary>
    private static long? ParseContentLength(IReadOnlyList<string?> values)
    {
        long? length = null;
        foreach (var element in HeaderTokens.ParseList(values))
        {
            if (element.AsSpan().ContainsAnyExceptInRange('0', '9') || !long.TryParse(element, out var parsed))
                return null;
            if (length is { } previous && previous != parsed)
                return null;
            length = parsed;
        }
        return length;
    }

    private static bool EndsWithChunked(IReadOnlyList<string?> values)
    {
        var codings = HeaderTokens.ParseList(values);
        return codings.Count > 0 && string.Equals(codings[^1], "chunked", StringComparison.OrdinalIgnoreCase);
    }
}
