using Gateway.Configuration;

namespace Gateway.Policies.Auth;

/// Query parameters that carry credentials on a route (`token_from: query:NAME`, `api_keys.query`) are taken out of
/// the URL sent upstream, whatever the auth outcome: a token is for the gateway, and upstream access logs keep URLs.
public static class CredentialQuery
{
    /// `query` as received ("?a=1&access_token=x"), without the credential parameters; the rest is left byte for byte.
    public static string Strip(string query, AuthConfig? auth)
    {
        var names = Names(auth);
        if (names.Count == 0 || query.Length <= 1)
        {
            return query;
        }

        var kept = new List<string>();
        foreach (var pair in query[1..].Split('&'))
        {
            int equals = pair.IndexOf('=');
            string name = Uri.UnescapeDataString((equals < 0 ? pair : pair[..equals]).Replace('+', ' '));
            if (!names.Contains(name))
            {
                kept.Add(pair);
            }
        }

        return kept.Count == 0 ? "" : "?" + string.Join('&', kept);
    }

    private static HashSet<string> Names(AuthConfig? auth)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in auth?.Jwt?.TokenFrom ?? [])
        {
            if (source.Location == TokenLocation.Query)
            {
                names.Add(source.Name);
            }
        }

        if (auth?.ApiKeys?.Query is { } query)
        {
            names.Add(query);
        }

        return names;
    }
}
