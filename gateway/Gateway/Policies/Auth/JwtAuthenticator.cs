using System.Security.Claims;
using Gateway.Configuration;
using Gateway.Protocol.Handshake;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Policies.Auth;

/// `auth.jwt` with Microsoft.IdentityModel: signature by one of the configured algorithms only (so `alg: none`, an
/// algorithm not listed, and HS256 signed with a public key all fail, RFC 8725 sections 2.1 and 3.1), issuer,
/// audience, lifetime with a small clock skew, then `required_claims` (a valid token lacking one is 403, not 401).
public sealed class JwtAuthenticator : IAuthMethod
{
    public const string MethodName = "jwt";
    public const string IssuerHeader = "X-Auth-Issuer";

    private readonly string _route;
    private readonly JwtConfig _config;
    private readonly JwksSource? _jwks;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private KeyedParameters? _cached;

    public JwtAuthenticator(string route, JwtConfig config, AuthServices services)
    {
        _route = route;
        _config = config;
        _jwks = config.JwksUrl is { } url ? new JwksSource(url, services) : null;
        Challenge = Challenges.Bearer(route);
    }

    public string Challenge { get; }

    public async ValueTask<AuthResult> AuthenticateAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var token = TokenReader.Find(context.Request, _config.TokenFrom);
        return token is null ? AuthResult.Missing("bearer token required", Challenge) : await ValidateAsync(token, cancellationToken);
    }

    public async ValueTask<AuthResult> ValidateAsync(string token, CancellationToken cancellationToken)
    {
        JsonWebToken parsed;
        try
        {
            parsed = _handler.ReadJsonWebToken(token);
        }
        catch (ArgumentException)
        {
            return Invalid("malformed token");
        }

        IReadOnlyList<SecurityKey> keys = _config.Keys;
        if (_jwks is not null)
        {
            var fetched = await _jwks.GetKeysAsync(string.IsNullOrEmpty(parsed.Kid) ? null : parsed.Kid, cancellationToken);
            if (fetched is null)
            {
                return AuthResult.Refuse(Refusal.Unavailable("signing keys unavailable"));
            }

            keys = fetched;
        }

        var result = await _handler.ValidateTokenAsync(parsed, ParametersFor(keys));
        if (!result.IsValid)
        {
            return Invalid(Describe(result.Exception, parsed.Kid, keys));
        }

        foreach (var (claim, required) in _config.RequiredClaims)
        {
            if (!HasClaimValue(result.ClaimsIdentity, claim, required))
            {
                return AuthResult.Refuse(Refusal.Forbidden($"token lacks the required claim {claim}"));
            }
        }

        var subject = result.ClaimsIdentity.FindFirst("sub")?.Value ?? "";
        var issuer = result.ClaimsIdentity.FindFirst("iss")?.Value;
        return AuthResult.Admit(new Identity(MethodName, subject, issuer is null ? [] : [new(IssuerHeader, issuer)]));
    }

    /// One set of validation parameters per key set: built again only when a JWKS refresh brought new keys.
    private TokenValidationParameters ParametersFor(IReadOnlyList<SecurityKey> keys)
    {
        var cached = Volatile.Read(ref _cached);
        if (cached is not null && ReferenceEquals(cached.Keys, keys))
        {
            return cached.Parameters;
        }

        var parameters = new TokenValidationParameters
        {
            IssuerSigningKeys = keys,
            ValidAlgorithms = _config.Algorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = JwtConfig.ClockSkew,
            ValidateIssuer = _config.Issuer is not null,
            ValidIssuer = _config.Issuer,
            ValidateAudience = _config.Audience is not null,
            ValidAudience = _config.Audience,
            // The JWKS or PEM key is trusted because the operator configured it; there is no certificate chain to check.
            ValidateIssuerSigningKey = false,
        };
        Volatile.Write(ref _cached, new KeyedParameters(keys, parameters));
        return parameters;
    }

    private sealed record KeyedParameters(IReadOnlyList<SecurityKey> Keys, TokenValidationParameters Parameters);

    private AuthResult Invalid(string description) =>
        AuthResult.Refuse(Refusal.Unauthorized("invalid token: " + description, Challenges.InvalidToken(_route, description)));

    /// Short, fixed descriptions: the library's messages can quote the token's contents.
    private static string Describe(Exception? e, string? kid, IReadOnlyList<SecurityKey> keys) => e switch
    {
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenNoExpirationException => "token has no expiry",
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenInvalidAlgorithmException => "algorithm not allowed",
        // Without a kid every key is tried, and a signature none of them verifies is a bad signature.
        SecurityTokenSignatureKeyNotFoundException when !string.IsNullOrEmpty(kid) && !keys.Any(k => k.KeyId == kid) => "unknown signing key",
        SecurityTokenSignatureKeyNotFoundException => "bad signature",
        SecurityTokenInvalidSignatureException => "bad signature",
        SecurityTokenMalformedException or ArgumentException => "malformed token",
        _ => "token rejected",
    };

    /// The claim has the value, or holds it as one of its array items or space-separated words (RFC 8693 4.2 `scope`).
    private static bool HasClaimValue(ClaimsIdentity identity, string name, string required)
    {
        foreach (var claim in identity.FindAll(name))
        {
            if (claim.Value == required || claim.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(required))
            {
                return true;
            }
        }

        return false;
    }
}
