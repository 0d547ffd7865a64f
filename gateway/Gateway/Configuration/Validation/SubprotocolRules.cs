using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>`routes[].subprotocols`: the allow-list of Sec-WebSocket-Protocol values.</summary>
internal static class SubprotocolRules
{
    /// <summary>RFC 7230 section 3.2.6 tchar, besides letters and digits.</summary>
    private const string TokenSymbols = "!#$%&'*+-.^_`|~";

    /// <summary>RFC 6455 section 4.1: each subprotocol value MUST be a token (RFC 7230 section 3.2.6).</summary>
    public static bool IsToken(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || TokenSymbols.Contains(c));

    public static IReadOnlyList<string> ReadList(ConfigField field, ConfigErrorCollector errors)
    {
        if (field.Node is ConfigSequence { Items.Count: 0 })
        {
            // An empty allow-list reads as "none allowed" to some and "no restriction" to others; make it explicit.
            errors.Add(field, "must list at least one subprotocol; remove the key to allow whatever the client offers");
            return [];
        }
        var subprotocols = new List<string>();
        foreach (var (item, value) in ScalarReader.TextItems(field, errors))
        {
            if (!IsToken(value))
                errors.Add(item, $"`{value}` is not a valid subprotocol: use letters, digits and {TokenSymbols} (no spaces or commas)");
            else if (subprotocols.Contains(value, StringComparer.Ordinal))
                errors.Add(item, $"`{value}` is listed twice");
            else
                subprotocols.Add(value);
        }
        return [.. subprotocols];
    }
}
