using System.Security.Cryptography;
using Gateway.Configuration;
using Microsoft.IdentityModel.Tokens;
using static Gateway.Tests.Configuration.ConfigTestText;

namespace Gateway.Tests.Configuration.Validation;

public sealed class AuthValidatorTests : IDisposable
{
    private const string Rest = Listen + Upstreams;
    private const string Secret = "0123456789abcdef0123456789abcdef";
    private readonly string _directory = Directory.CreateTempSubdirectory("auth-config-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static string Route(string auth) => "routes:\n  - name: chat\n    upstream: chat\n    match: { path: /ws }\n    auth:\n" + auth;

    private string[] ErrorsIn(string yaml) => [.. ConfigLoader.LoadFromText(yaml, FileName, _directory).Errors.Select(e => e.ToString())];

    private GatewayConfig ValidIn(string yaml)
    {
        var result = ConfigLoader.LoadFromText(yaml, FileName, _directory);
        Assert.True(result.Errors.Count == 0, string.Join("\n", result.Errors));
        return result.Config!;
    }

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_directory, name), text);

    [Theory]
    [InlineData("      jwt: { issuer: x }\n", "gw.yaml:6:12: routes[0].auth.jwt.keys: required: give one of `keys` (a JWKS file), `jwks_url`, `public_key` or `secret`")]
    [InlineData("      jwt: { secret: '" + Secret + "', jwks_url: 'https://id.example.com/jwks' }\n",
        "gw.yaml:6:68: routes[0].auth.jwt.jwks_url: give only one key source; `secret` is already set")]
    [InlineData("      jwt: { secret: short }\n", "gw.yaml:6:22: routes[0].auth.jwt.secret: must be at least 32 bytes for HS256 (RFC 7518 section 3.2), got 5")]
    [InlineData("      jwt: { secret: '" + Secret + "', algorithms: [RS256] }\n",
        "gw.yaml:6:71: routes[0].auth.jwt.algorithms[0]: `RS256` needs a public key; with `secret` only HS256, HS384 and HS512 are allowed")]
    [InlineData("      jwt: { jwks_url: 'https://id.example.com/jwks', algorithms: [HS256] }\n",
        "gw.yaml:6:68: routes[0].auth.jwt.algorithms[0]: `HS256` needs `secret`: HMAC with a public key as the secret is the algorithm confusion attack")]
    [InlineData("      jwt: { jwks_url: 'https://id.example.com/jwks', algorithms: [none] }\n",
        "gw.yaml:6:68: routes[0].auth.jwt.algorithms[0]: `none` means an unsigned token and is never accepted (RFC 8725 section 3.1)")]
    [InlineData("      jwt: { jwks_url: 'https://id.example.com/jwks', algorithms: [EdDSA] }\n",
        "gw.yaml:6:68: routes[0].auth.jwt.algorithms[0]: `EdDSA` is not supported: the JWT library (Microsoft.IdentityModel 8) does not verify Ed25519; use ES256")]
    [InlineData("      jwt: { jwks_url: 'https://id.example.com/jwks', algorithms: [RS265] }\n",
        "gw.yaml:6:68: routes[0].auth.jwt.algorithms[0]: unknown algorithm `RS265`; expected one of HS256, HS384, HS512, RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512; did you mean `RS256`?")]
    [InlineData("      jwt: { jwks_url: 'id.example.com/jwks' }\n",
        "gw.yaml:6:24: routes[0].auth.jwt.jwks_url: expected an absolute https:// URL like https://id.example.com/.well-known/jwks.json, got `id.example.com/jwks`")]
    [InlineData("      jwt: { jwks_url: 'https://id/jwks', token_from: [header, 'query:', 'body:x'] }\n",
        "gw.yaml:6:64: routes[0].auth.jwt.token_from[1]: expected `header`, `query:NAME` or `cookie:NAME`, got `query:`",
        "gw.yaml:6:74: routes[0].auth.jwt.token_from[2]: expected `header`, `query:NAME` or `cookie:NAME`, got `body:x`")]
    [InlineData("      jwt: { jwks_url: 'https://id/jwks', required_claims: [scope] }\n",
        "gw.yaml:6:60: routes[0].auth.jwt.required_claims: expected a mapping of claim names to required values, like { scope: chat }, got a list")]
    [InlineData("      jwt: { keys: missing.json }\n", "gw.yaml:6:20: routes[0].auth.jwt.keys: cannot read `missing.json`: *")]
    [InlineData("      api_keys: { keys_file: k.txt }\n", "gw.yaml:6:17: routes[0].auth.api_keys.header: required: give `header` (like X-Api-Key) or `query` (like api_key)",
        "gw.yaml:6:30: routes[0].auth.api_keys.keys_file: cannot read `k.txt`: *")]
    [InlineData("      external: { url: 'ftp://auth/check' }\n",
        "gw.yaml:6:24: routes[0].auth.external.url: expected an absolute http:// or https:// URL like http://127.0.0.1:7000/check, got `ftp://auth/check`")]
    [InlineData("      external: { url: 'http://auth/check', timeout: 2 }\n",
        "gw.yaml:6:54: routes[0].auth.external.timeout: expected a duration like 500ms, 30s, 5m or 1h, got `2`; add a unit, like 2s")]
    [InlineData("      client_certificate: { subjects: [] }\n",
        "gw.yaml:6:39: routes[0].auth.client_certificate.subjects: must list at least one subject pattern, like \"CN=robot-*\" (or \"*\" for any certificate the CA signed)")]
    [InlineData("      {}\n", "gw.yaml:6:7: routes[0].auth: must name at least one method: `jwt`, `api_keys`, `client_certificate` or `external`; remove `auth` to admit everyone")]
    [InlineData("      oauth: {}\n", "gw.yaml:6:7: routes[0].auth.oauth: unknown key `oauth`")]
    public void Invalid_auth_gives_exact_errors(string auth, params string[] expected)
    {
        var errors = ErrorsIn(Route(auth) + Rest);

        Assert.True(expected.Length == errors.Length, string.Join("\n", errors));
        foreach (var (want, got) in expected.Zip(errors))
        {
            Assert.True(ErrorText.Matches(want, got), $"expected {want}\n     got {got}");
        }
    }

    [Fact]
    public void Secret_gives_hs256_and_the_defaults()
    {
        var jwt = ValidIn(Route($"      jwt: {{ secret: '{Secret}' }}\n") + Rest).Routes[0].Auth!.Jwt!;

        Assert.Equal(["HS256"], jwt.Algorithms);
        Assert.IsType<SymmetricSecurityKey>(Assert.Single(jwt.Keys));
        Assert.Equal([new TokenSource(TokenLocation.Header, "Authorization")], jwt.TokenFrom);
        Assert.Null(jwt.Issuer);
    }

    [Fact]
    public void Jwks_file_and_pem_keys_load_at_config_time()
    {
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(rsa.ExportParameters(false)) { KeyId = "k1" });
        Write("jwks.json", $$"""{"keys":[{"kty":"RSA","kid":"k1","n":"{{jwk.N}}","e":"{{jwk.E}}"}]}""");
        Write("ec.pem", ec.ExportSubjectPublicKeyInfoPem());

        var config = ValidIn("routes:\n" +
            "  - { name: a, upstream: chat, match: { path: /a }, auth: { jwt: { keys: jwks.json, issuer: https://id, audience: chat, required_claims: { scope: chat }, token_from: [header, 'query:access_token', 'cookie:session'] } } }\n" +
            "  - { name: b, upstream: chat, match: { path: /b }, auth: { jwt: { public_key: ec.pem, algorithms: [ES256] } } }\n" + Rest);

        var a = config.Routes[0].Auth!.Jwt!;
        Assert.Equal("k1", Assert.Single(a.Keys).KeyId);
        Assert.Equal(["RS256", "ES256"], a.Algorithms);
        Assert.Equal("chat", a.RequiredClaims["scope"]);
        Assert.Equal(["header", "query:access_token", "cookie:session"], a.TokenFrom.Select(t => t.ToString()));
        Assert.IsType<ECDsaSecurityKey>(Assert.Single(config.Routes[1].Auth!.Jwt!.Keys));
    }

    [Fact]
    public void A_private_key_as_public_key_is_refused()
    {
        using var rsa = RSA.Create(2048);
        Write("private.pem", rsa.ExportPkcs8PrivateKeyPem());

        var error = Assert.Single(ErrorsIn(Route("      jwt: { public_key: private.pem }\n") + Rest));

        Assert.Contains("this is a private key; give the public key only", error);
    }

    [Fact]
    public void Keys_file_holds_digests_with_optional_names()
    {
        string digest = Convert.ToHexString(SHA256.HashData("k-1"u8)).ToLowerInvariant();
        Write("keys.txt", $"# robots\n{digest} robot-1\n\n{digest.ToUpperInvariant()[..64]}\n");

        var keys = ValidIn(Route("      api_keys: { header: X-Api-Key, keys_file: keys.txt }\n") + Rest).Routes[0].Auth!.ApiKeys!;

        Assert.Equal("X-Api-Key", keys.Header);
        Assert.Equal(["robot-1", "key-" + digest[..12]], keys.Keys.Select(k => k.Name));
    }

    [Fact]
    public void A_raw_key_in_the_keys_file_is_reported_by_line_without_echoing_it()
    {
        Write("keys.txt", "# keys\nsuper-secret-key\n");

        var error = Assert.Single(ErrorsIn(Route("      api_keys: { query: api_key, keys_file: keys.txt }\n") + Rest));

        Assert.Equal("gw.yaml:6:46: routes[0].auth.api_keys.keys_file: line 2 of `keys.txt` is not a SHA-256 digest (64 hex digits); " +
            "store `printf %s KEY | sha256sum`, never the key itself", error);
        Assert.DoesNotContain("super-secret-key", error);
    }

    [Fact]
    public void Header_and_query_together_are_refused()
    {
        Write("keys.txt", new string('a', 64) + "\n");

        Assert.Equal(["gw.yaml:6:45: routes[0].auth.api_keys.query: give `header` or `query`, not both: a key is read from one place"],
            ErrorsIn(Route("      api_keys: { header: X-Api-Key, query: api_key, keys_file: keys.txt }\n") + Rest));
    }

    [Fact]
    public void External_defaults_to_two_seconds_and_the_credential_headers()
    {
        var external = ValidIn(Route("      external: { url: 'http://127.0.0.1:7000/check' }\n") + Rest).Routes[0].Auth!.External!;

        Assert.Equal(TimeSpan.FromSeconds(2), external.Timeout);
        Assert.Equal(["Authorization", "Cookie"], external.ForwardHeaders);
    }
}
