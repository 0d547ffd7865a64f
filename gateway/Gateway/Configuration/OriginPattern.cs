namespace Gateway.Configuration;

/// <summary>
/// A serialized origin (RFC 6454 section 6.2: scheme "://" host [":" port]) after normalization: scheme and host
/// lower-cased, the scheme's default port made explicit. <see cref="Wildcard"/>: the host was `*.` + Host, which
/// matches one or more labels in front of Host and never Host itself.
/// </summary>
public sealed record OriginPattern(string Scheme, string Host, int Port, bool Wildcard)
{
    /// <summary>Parses `https://chat.example.com`, `http://localhost:3000`, `https://*.example.com`; null if not an origin.</summary>
    public static OriginPattern? Parse(ReadOnlySpan<char> text, bool allowWildcard)
    {
        int schemeEnd = text.IndexOf("://");
        if (schemeEnd <= 0)
        {
            return null;
        }

        var scheme = text[..schemeEnd].ToString().ToLowerInvariant();
        var rest = text[(schemeEnd + 3)..];
        if (rest.Length == 0 || rest.IndexOfAny("/?#@ \t") >= 0 || !scheme.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
        {
            return null;
        }

        int? port = null;
        int colon = rest.LastIndexOf(':');
        int bracket = rest.LastIndexOf(']');
        if (colon > bracket)
        {
            if (!int.TryParse(rest[(colon + 1)..], System.Globalization.NumberStyles.None, null, out int parsed) || parsed is < 1 or > 65535)
            {
                return null;
            }

            port = parsed;
            rest = rest[..colon];
        }

        bool wildcard = rest.StartsWith("*.");
        if (wildcard && !allowWildcard)
        {
            return null;
        }

        var host = (wildcard ? rest[2..] : rest).ToString().ToLowerInvariant();
        if (host.Length == 0 || host.Contains('*') || host.StartsWith('.') || host.EndsWith('.'))
        {
            return null;
        }

        int effectivePort = port ?? DefaultPort(scheme);
        return effectivePort == 0 ? null : new OriginPattern(scheme, host, effectivePort, wildcard);
    }

    /// <summary>RFC 6454 section 4: an origin's port is the scheme's default when the URI gives none.</summary>
    public static int DefaultPort(string scheme) => scheme switch
    {
        "https" or "wss" => 443,
        "http" or "ws" => 80,
        _ => 0,
    };

    public bool Matches(OriginPattern origin) =>
        origin.Scheme == Scheme && origin.Port == Port && (Wildcard
            ? origin.Host.Length > Host.Length + 1 && origin.Host.EndsWith(Host, StringComparison.Ordinal) && origin.Host[^(Host.Length + 1)] == '.'
            : origin.Host == Host);

    public override string ToString() =>
        $"{Scheme}://{(Wildcard ? "*." : "")}{Host}{(Port == DefaultPort(Scheme) ? "" : ":" + Port)}";
}
