using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>`token_from`: `header` (Authorization: Bearer, RFC 6750 2.1), `query:NAME` (2.3) or `cookie:NAME`.</summary>
internal static class TokenSourceRules
{
    private const string Usage = "expected `header`, `query:NAME` or `cookie:NAME`";

    public static IReadOnlyList<TokenSource> ReadList(ConfigField field, ConfigErrorCollector errors)
    {
        var sources = new List<TokenSource>();
        foreach (var (item, text) in ScalarReader.TextItems(field, errors))
        {
            var source = Parse(text);
            if (source is null)
                errors.Add(item, $"{Usage}, got `{text}`");
            else if (sources.Contains(source))
                errors.Add(item, $"`{text}` is listed twice");
            else
                sources.Add(source);
        }

        if (sources.Count == 0 && field.Node is ConfigSequence { Items.Count: 0 })
            errors.Add(field, "must list at least one place to read the token from");
        return [.. sources];
    }

    private static TokenSource? Parse(string text)
    {
        if (text == "header")
            return new TokenSource(TokenLocation.Header, "Authorization");
        int colon = text.IndexOf(':');
        if (colon <= 0 || colon == text.Length - 1 || !SubprotocolRules.IsToken(text[(colon + 1)..]))
            return null;
        return text[..colon] switch
        {
            "query" => new TokenSource(TokenLocation.Query, text[(colon + 1)..]),
            "cookie" => new TokenSource(TokenLocation.Cookie, text[(colon + 1)..]),
            _ => null,
        };
    }
}
