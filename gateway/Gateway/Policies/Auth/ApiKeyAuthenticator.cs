using System.Security.Cryptography;
using System.Text;
using Gateway.Configuration;
using Gateway.Protocol.Handshake;
using Microsoft.AspNetCore.Http;

namespace Gateway.Policies.Auth;

/// `auth.api_keys`: the key from the configured header or query parameter (and only from there), hashed with SHA-256
/// and compared with every digest of `keys_file` in constant time, so neither the comparison nor which line matched
/// shows in the timing. The key's name (or its digest's first hex digits) is the subject.
public sealed class ApiKeyAuthenticator(string route, ApiKeysConfig config) : IAuthMethod
{
    public const string MethodName = "api_key";

    /// Longer keys than this are not keys; refuse before hashing a megabyte.
    private const int MaxKeyBytes = 1024;

    public string Challenge { get; } = Challenges.ApiKey(route, config.Header, config.Query);

    public ValueTask<AuthResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        string? key = config.Header is { } header ? request.Headers[header].ToString() : request.Query[config.Query!].ToString();
        return ValueTask.FromResult(Check(key));
    }

    public AuthResult Check(string? key)
    {
        if (string.IsNullOrEmpty(key))
        {
            return AuthResult.Missing("API key required", Challenge);
        }

        if (Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
        {
            return AuthResult.Refuse(Refusal.Unauthorized("invalid API key", Challenge));
        }

        Span<byte> utf8 = stackalloc byte[MaxKeyBytes];
        int length = Encoding.UTF8.GetBytes(key, utf8);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], digest);
        ApiKeyDigest? found = null;
        foreach (var candidate in config.Keys)
        {
            // Every digest is compared, whichever matches, so the time taken does not tell where in the file it is.
            if (CryptographicOperations.FixedTimeEquals(candidate.Digest, digest))
            {
                found = candidate;
            }
        }

        return found is null
            ? AuthResult.Refuse(Refusal.Unauthorized("invalid API key", Challenge))
            : AuthResult.Admit(new Identity(MethodName, found.Name, []));
    }
}
