using Gateway.Configuration;
using Microsoft.AspNetCore.Http;

namespace Gateway.Policies.Auth;

/// Finds a bearer token where `token_from` allows: `Authorization: Bearer` (RFC 6750 2.1), a query parameter
/// (2.3, for browsers, which cannot set headers on a WebSocket), or a cookie. The first place that has one wins.
internal static class TokenReader
{
    private const string BearerPrefix = "Bearer ";

    public static string? Find(HttpRequest request, IReadOnlyList<TokenSource> sources)
    {
        foreach (var source in sources)
        {
            string? token = source.Location switch
            {
                TokenLocation.Header => FromAuthorization(request.Headers.Authorization.ToString()),
                TokenLocation.Query => request.Query[source.Name].ToString(),
                _ => request.Cookies[source.Name],
            };
            if (!string.IsNullOrEmpty(token))
            {
                return token;
            }
        }

        return null;
    }

    /// RFC 7235 2.1: the scheme name is case-insensitive.
    private static string? FromAuthorization(string value) =>
        value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? value[BearerPrefix.Length..].Trim() : null;
}
