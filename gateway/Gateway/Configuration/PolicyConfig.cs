using System.Security.Cryptography.X509Certificates;
using Microsoft.IdentityModel.Tokens;

namespace Gateway.Configuration;

/// <summary>How a route checks the Origin header (contract section 2, `origins` and `allow_missing_origin`).</summary>
public enum OriginMode { List, Any, SameOrigin }

/// <summary>
/// `origins`: a list of <see cref="Patterns"/>, `any`, or `same-origin`. <see cref="AllowNull"/>: the list names
/// the opaque origin `null` (sandboxed frames, file:// pages). <see cref="AllowMissing"/>: `allow_missing_origin`.
/// </summary>
public sealed record OriginsConfig(OriginMode Mode, IReadOnlyList<OriginPattern> Patterns, bool AllowNull, bool AllowMissing);

/// <summary>`auth`: any one listed method that succeeds admits the client.</summary>
public sealed record AuthConfig(JwtConfig? Jwt, ApiKeysConfig? ApiKeys, ClientCertificateAuthConfig? ClientCertificate,
    ExternalAuthConfig? External);

/// <summary>Where a JWT may come from: `header` (Authorization: Bearer), `query:NAME`, `cookie:NAME`.</summary>
public enum TokenLocation { Header, Query, Cookie }

public sealed record TokenSource(TokenLocation Location, string Name)
{
    public override string ToString() => Location == TokenLocation.Header ? "header" : $"{Location.ToString().ToLowerInvariant()}:{Name}";
}

/// <summary>
/// `auth.jwt`. <see cref="Keys"/> are the keys read at load time (from `keys`, `public_key` or `secret`);
/// <see cref="JwksUrl"/> is fetched at run time instead. Claims in <see cref="RequiredClaims"/> must carry the value.
/// </summary>
public sealed record JwtConfig(IReadOnlyList<string> Algorithms, IReadOnlyList<SecurityKey> Keys, Uri? JwksUrl,
    string? Issuer, string? Audience, IReadOnlyDictionary<string, string> RequiredClaims, IReadOnlyList<TokenSource> TokenFrom)
{
    /// <summary>30 s: enough for servers whose clocks NTP keeps in step; the library's own 5 min default is generous.</summary>
    public static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
}

/// <summary>One line of `keys_file`: the SHA-256 digest of a key and the name it is known by (the subject upstream).</summary>
public sealed record ApiKeyDigest(byte[] Digest, string Name);

/// <summary>`auth.api_keys`: the key is read from <see cref="Header"/> or from the query parameter <see cref="Query"/>.</summary>
public sealed record ApiKeysConfig(string? Header, string? Query, IReadOnlyList<ApiKeyDigest> Keys);

/// <summary>`auth.client_certificate`: subject patterns (`*` matches any run of characters) of admitted certificates.</summary>
public sealed record ClientCertificateAuthConfig(IReadOnlyList<string> Subjects);

/// <summary>`auth.external`: like nginx auth_request and Traefik forwardAuth.</summary>
public sealed record ExternalAuthConfig(Uri Url, TimeSpan Timeout, IReadOnlyList<string> ForwardHeaders)
{
    /// <summary>2 s (contract section 2): a client waiting for its 101 should not wait on a slow auth service longer.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(2);
}

/// <summary>
/// `forward`: <see cref="Headers"/> are the client headers copied into the upstream handshake (null: the default set,
/// Origin, Cookie and User-Agent); <see cref="IdentityHeaders"/> adds X-Auth-* from the verified identity.
/// </summary>
public sealed record ForwardConfig(IReadOnlyList<string>? Headers, bool IdentityHeaders)
{
    public static ForwardConfig Default { get; } = new(null, false);
}

/// <summary>Kestrel's client certificate modes, by the contract's names.</summary>
public enum ClientCertificateRequirement { None, Allow, Require }

/// <summary>`listen[].tls.client_certificates`: presented certificates must chain to <see cref="Ca"/>.</summary>
public sealed record ClientCertificatesConfig(ClientCertificateRequirement Mode, string? CaPath, X509Certificate2Collection Ca);
