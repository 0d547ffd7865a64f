using Gateway.Configuration;
using Gateway.Protocol.Handshake;
using Microsoft.Extensions.Primitives;

namespace Gateway.Policies.Origin;

/// Step (5) of a session: the Origin header (RFC 6454 section 7; RFC 6455 10.2: servers that accept browser clients
/// check it, which is the only defence against cross-site WebSocket hijacking since browsers send cookies along).
/// Origins compare after normalizing case and default ports; a missing Origin passes only where the route says so.
public sealed class OriginPolicy(OriginsConfig config)
{
    /// RFC 6454 section 7.1: the serialization of an opaque origin.
    private const string NullOrigin = "null";

    /// Null when the Origin is admitted, else the 403 to answer.
    public Refusal? Check(StringValues origins, string? host, bool isHttps)
    {
        if (origins.Count == 0)
        {
            return config.AllowMissing ? null : Refusal.Forbidden("Origin header required");
        }

        // RFC 6454 section 7.3: a user agent MUST NOT send more than one Origin header field.
        if (origins.Count > 1 || origins[0] is not { Length: > 0 } value || value.Contains(','))
        {
            return Refusal.Forbidden("more than one Origin");
        }

        if (value == NullOrigin)
        {
            return config.AllowNull ? null : Refusal.Forbidden("Origin null not allowed");
        }

        var origin = OriginPattern.Parse(value, allowWildcard: false);
        if (origin is null)
        {
            return Refusal.Forbidden("Origin is not a valid origin");
        }

        bool allowed = config.Mode switch
        {
            OriginMode.Any => true,
            OriginMode.SameOrigin => IsSameOrigin(origin, host, isHttps),
            _ => Matches(origin),
        };
        return allowed ? null : Refusal.Forbidden("Origin not allowed");
    }

    private bool Matches(OriginPattern origin)
    {
        foreach (var pattern in config.Patterns)
        {
            if (pattern.Matches(origin))
            {
                return true;
            }
        }

        return false;
    }

    /// The Origin's host and port equal the request's Host. A Host without a port stands for the default port of
    /// the Origin's scheme, so a page at https://example.com matches Host example.com also behind a TLS terminator.
    private static bool IsSameOrigin(OriginPattern origin, string? host, bool isHttps)
    {
        if (string.IsNullOrEmpty(host) || OriginPattern.Parse((isHttps ? "https://" : "http://") + host, allowWildcard: false) is not { } requested)
        {
            return false;
        }

        bool hostHasPort = host.LastIndexOf(':') > host.LastIndexOf(']');
        int expectedPort = hostHasPort ? requested.Port : OriginPattern.DefaultPort(origin.Scheme);
        return requested.Host == origin.Host && origin.Port == expectedPort;
    }
}
