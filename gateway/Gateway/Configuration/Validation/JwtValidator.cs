using Gateway.Configuration.Yaml;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Configuration.Validation;

/// <summary>
/// `routes[].auth.jwt`. Exactly one key source. HMAC algorithms go with `secret` and only with it, so an RSA or EC
/// public key can never be used as an HMAC secret (the "algorithm confusion" attack, RFC 8725 section 2.1).
/// </summary>
internal static class JwtValidator
{
    private static readonly string[] KeySources = ["keys", "jwks_url", "public_key", "secret"];

    /// <summary>RFC 7518 section 3.1 algorithms that Microsoft.IdentityModel verifies.</summary>
    private static readonly string[] Supported =
        ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>RS256 and ES256 are what identity providers publish in their JWKS by default.</summary>
    private static readonly string[] DefaultPublicKeyAlgorithms = ["RS256", "ES256"];

    /// <summary>RFC 7518 section 3.2: an HMAC key as long as the hash output; HS256 needs 32 bytes.</summary>
    private const int MinSecretBytes = 32;

    public static JwtConfig? Read(ConfigField field, string baseDirectory, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(field, ConfigSections.Jwt, errors) is not { } map)
            return null;

        var sources = KeySources.Select(k => (Key: k, Field: map.Optional(k))).Where(s => s.Field is not null)
            .OrderBy(s => s.Field!.Value.Node.Line).ThenBy(s => s.Field!.Value.Node.Column).ToList();
        if (sources.Count == 0)
            errors.Add(map.Field.Node, map.Path.Key("keys"), "required: give one of `keys` (a JWKS file), `jwks_url`, `public_key` or `secret`");
        foreach (var extra in sources.Skip(1))
            errors.Add(extra.Field!.Value, $"give only one key source; `{sources[0].Key}` is already set");

        var source = sources.Count > 0 ? sources[0] : default;
        IReadOnlyList<SecurityKey> keys = [];
        Uri? jwksUrl = null;
        bool isSecret = source.Key == "secret";
        if (source.Field is { } keyField)
        {
            if (source.Key == "jwks_url")
                jwksUrl = ReadUrl(keyField, errors);
            else if (isSecret)
                keys = ReadSecret(keyField, errors);
            else
                keys = JwtKeyReader.Read(keyField, source.Key == "keys", baseDirectory, errors);
        }

        var algorithms = ReadAlgorithms(map, isSecret, errors);
        string? issuer = map.Optional("issuer") is { } i ? ScalarReader.NonEmptyText(i, errors) : null;
        string? audience = map.Optional("audience") is { } a ? ScalarReader.NonEmptyText(a, errors) : null;
        var claims = map.Optional("required_claims") is { } c ? ReadClaims(c, errors) : new Dictionary<string, string>();
        var tokenFrom = map.Optional("token_from") is { } t ? TokenSourceRules.ReadList(t, errors) : [new TokenSource(TokenLocation.Header, "Authorization")];
        return new JwtConfig(algorithms, keys, jwksUrl, issuer, audience, claims, tokenFrom);
    }

    private static IReadOnlyList<string> ReadAlgorithms(MappingReader map, bool isSecret, ConfigErrorCollector errors)
    {
        if (map.Optional("algorithms") is not { } field)
            return isSecret ? ["HS256"] : DefaultPublicKeyAlgorithms;
        var algorithms = new List<string>();
        foreach (var (item, name) in ScalarReader.TextItems(field, errors))
        {
            if (name.Equals("none", StringComparison.OrdinalIgnoreCase))
                errors.Add(item, "`none` means an unsigned token and is never accepted (RFC 8725 section 3.1)");
            else if (name == "EdDSA")
                errors.Add(item, "`EdDSA` is not supported: the JWT library (Microsoft.IdentityModel 8) does not verify Ed25519; use ES256");
            else if (!Supported.Contains(name, StringComparer.Ordinal))
                errors.Add(item, $"unknown algorithm `{name}`; expected one of {string.Join(", ", Supported)}{Suggestions.DidYouMean(name, Supported)}");
            else if (name.StartsWith("HS", StringComparison.Ordinal) != isSecret)
                errors.Add(item, isSecret
                    ? $"`{name}` needs a public key; with `secret` only HS256, HS384 and HS512 are allowed"
                    : $"`{name}` needs `secret`: HMAC with a public key as the secret is the algorithm confusion attack");
            else if (!algorithms.Contains(name))
                algorithms.Add(name);
        }

        if (algorithms.Count == 0 && field.Node is ConfigSequence { Items.Count: 0 })
            errors.Add(field, "must list at least one algorithm");
        return [.. algorithms];
    }

    private static Uri? ReadUrl(ConfigField field, ConfigErrorCollector errors)
    {
        if (ScalarReader.NonEmptyText(field, errors) is not { } text)
            return null;
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && url.Scheme is "https" or "http")
            return url;
        errors.Add(field, $"expected an absolute https:// URL like https://id.example.com/.well-known/jwks.json, got `{text}`");
        return null;
    }

    private static IReadOnlyList<SecurityKey> ReadSecret(ConfigField field, ConfigErrorCollector errors)
    {
        if (ScalarReader.Text(field, errors) is not { } secret)
            return [];
        var bytes = System.Text.Encoding.UTF8.GetBytes(secret);
        if (bytes.Length >= MinSecretBytes)
            return [new SymmetricSecurityKey(bytes)];
        // The secret itself is never echoed into an error message or a log.
        errors.Add(field, $"must be at least {MinSecretBytes} bytes for HS256 (RFC 7518 section 3.2), got {bytes.Length}");
        return [];
    }

    private static Dictionary<string, string> ReadClaims(ConfigField field, ConfigErrorCollector errors)
    {
        var claims = new Dictionary<string, string>(StringComparer.Ordinal);
        if (field.Node is not ConfigMapping mapping)
        {
            errors.Add(field, $"expected a mapping of claim names to required values, like {{ scope: chat }}, got {field.Node.Describe()}");
            return claims;
        }

        foreach (var (key, value) in mapping.Entries)
        {
            if (ScalarReader.NonEmptyText(new ConfigField(value, field.Path.Key(key.Value)), errors) is { } text)
                claims[key.Value] = text;
        }
        return claims;
    }
}
