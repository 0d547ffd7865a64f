using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration.Yaml;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Configuration.Validation;

/// <summary>Verification keys read at load time: a JWKS file (RFC 7517 section 5), or one PEM public key or certificate.</summary>
internal static class JwtKeyReader
{
    public static IReadOnlyList<SecurityKey> Read(ConfigField field, bool isJwks, string baseDirectory, ConfigErrorCollector errors)
    {
        if (ScalarReader.NonEmptyText(field, errors) is not { } text)
            return [];
        bool inline = !isJwks && text.StartsWith("-----BEGIN", StringComparison.Ordinal);
        string content;
        try
        {
            content = inline ? text : File.ReadAllText(Path.GetFullPath(text, baseDirectory));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(field, $"cannot read `{text}`: {e.Message}");
            return [];
        }

        try
        {
            var keys = isJwks ? new JsonWebKeySet(content).GetSigningKeys() : [FromPem(content)];
            if (keys.Count > 0)
                return [.. keys];
            errors.Add(field, $"`{text}` holds no signing key (keys with \"use\": \"enc\" are skipped)");
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException or FormatException or InvalidOperationException)
        {
            errors.Add(field, isJwks
                ? $"`{text}` is not a JWKS (RFC 7517): {e.Message}"
                : $"expected a PEM public key or certificate (-----BEGIN PUBLIC KEY----- or -----BEGIN CERTIFICATE-----) in `{(inline ? "(inline)" : text)}`: {e.Message}");
        }
        return [];
    }

    private static SecurityKey FromPem(string pem)
    {
        if (pem.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
            return new X509SecurityKey(X509Certificate2.CreateFromPem(pem));
        if (pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
            throw new ArgumentException("this is a private key; give the public key only");
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa);
        }
        catch (Exception e) when (e is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
        }

        var ecdsa = ECDsa.Create();
        ecdsa.ImportFromPem(pem);
        return new ECDsaSecurityKey(ecdsa);
    }
}
