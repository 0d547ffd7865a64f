using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>Header names in `forward.headers` and `auth.external.forward_headers`.</summary>
internal static class HeaderNameRules
{
    /// <summary>
    /// Headers the gateway writes itself in the upstream handshake (RFC 6455 4.1, RFC 7230 6.1 hop-by-hop, RFC 7239),
    /// so copying the client's would duplicate or contradict them.
    /// </summary>
    private static readonly string[] Reserved =
    [
        "Host", "Connection", "Upgrade", "Content-Length", "Transfer-Encoding", "TE", "Trailer", "Keep-Alive",
        "Proxy-Authorization", "Proxy-Connection", "Forwarded",
    ];

    private static readonly string[] ReservedPrefixes = ["Sec-WebSocket-", "X-Forwarded-", IdentityPrefix];

    /// <summary>Identity headers come from the verified identity only: a client's copies are always dropped.</summary>
    public const string IdentityPrefix = "X-Auth-";

    /// <summary>Null when `name` may be copied from the client, else why not.</summary>
    public static string? WhyNotCopyable(string name)
    {
        if (!SubprotocolRules.IsToken(name))
            return $"`{name}` is not a valid header name";
        if (Reserved.Contains(name, StringComparer.OrdinalIgnoreCase))
            return $"`{name}` is written by the gateway itself and cannot be copied from the client";
        var prefix = ReservedPrefixes.FirstOrDefault(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase));
        return prefix is null ? null : prefix == IdentityPrefix
            ? $"`{name}`: {IdentityPrefix}* headers come from the verified identity (`identity_headers: true`), never from the client"
            : $"`{name}`: {prefix}* headers are written by the gateway itself and cannot be copied from the client";
    }

    /// <summary>A list of distinct header names; `check` may refuse some.</summary>
    public static IReadOnlyList<string> ReadList(ConfigField field, Func<string, string?> check, ConfigErrorCollector errors)
    {
        var names = new List<string>();
        foreach (var (item, name) in ScalarReader.TextItems(field, errors))
        {
            if (check(name) is { } why)
                errors.Add(item, why);
            else if (names.Contains(name, StringComparer.OrdinalIgnoreCase))
                errors.Add(item, $"`{name}` is listed twice");
            else
                names.Add(name);
        }
        return [.. names];
    }
}
