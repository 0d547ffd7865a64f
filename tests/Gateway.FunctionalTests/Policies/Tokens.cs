using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.FunctionalTests.Policies;

/// JWTs for tests, good and bad, made with the same library the gateway verifies with, or by hand where no library
/// would make them (`alg: none`, HS256 keyed with a public key).
internal static class Tokens
{
    public const string Secret = "a-test-secret-of-at-least-32-bytes!!";
    public const string Issuer = "https://id.test";
    public const string Audience = "chat";

    public static string Hs256(string subject = "alice", string? issuer = Issuer, string? audience = Audience,
        DateTime? notBefore = null, DateTime? expires = null, string scope = "chat")
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("scope", scope)]),
            Issuer = issuer,
            Audience = audience,
            NotBefore = notBefore ?? DateTime.UtcNow.AddMinutes(-1),
            Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
            IssuedAt = (notBefore ?? DateTime.UtcNow).AddMinutes(-1),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(Secret)), SecurityAlgorithms.HmacSha256),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    public static string Signed(SecurityKey key, string algorithm, string subject = "bob")
    {
        var descriptor = new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity([new Claim("sub", subject)]),
            Issuer = Issuer,
            Audience = Audience,
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(key, algorithm),
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }

    /// The payload changed after signing (the subject becomes "admin"): the signature no longer matches.
    public static string Tampered()
    {
        var parts = Hs256().Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"alice\"", "\"admin\"");
        return $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
    }

    /// RFC 7519 6.1 unsecured JWT: `alg: none`, empty signature.
    public static string Unsigned()
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        long exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var payload = Base64UrlEncoder.Encode($$"""{"sub":"mallory","iss":"{{Issuer}}","aud":"{{Audience}}","exp":{{exp}},"scope":"chat"}""");
        return $"{header}.{payload}.";
    }

    /// The algorithm confusion attack (RFC 8725 2.1): HS256 keyed with the text of the server's RSA public key.
    public static string HmacWithPublicKey(string publicKeyPem)
    {
        var header = Base64UrlEncoder.Encode("""{"alg":"HS256","typ":"JWT"}""");
        long exp = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
        var payload = Base64UrlEncoder.Encode($$"""{"sub":"mallory","iss":"{{Issuer}}","aud":"{{Audience}}","exp":{{exp}}}""");
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(publicKeyPem), Encoding.ASCII.GetBytes($"{header}.{payload}"));
        return $"{header}.{payload}.{Base64UrlEncoder.Encode(signature)}";
    }

    public static string JwksOf(params (RSA Key, string Kid)[] keys) =>
        "{\"keys\":[" + string.Join(",", keys.Select(k =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(k.Key.ExportParameters(false)));
            return $$"""{"kty":"RSA","use":"sig","alg":"RS256","kid":"{{k.Kid}}","n":"{{jwk.N}}","e":"{{jwk.E}}"}""";
        })) + "]}";
}
