namespace Gateway.Policies.Auth;

/// WWW-Authenticate challenges (RFC 9110 11.6.1). Bearer is RFC 6750 section 3; the others name the method the
/// route accepts, with the route as realm, so a client can tell what to send.
internal static class Challenges
{
    public static string Bearer(string route) => $"Bearer realm=\"{route}\"";

    /// RFC 6750 3.1: error="invalid_token" with a description when the token was presented but is not acceptable.
    public static string InvalidToken(string route, string description) =>
        $"Bearer realm=\"{route}\", error=\"invalid_token\", error_description=\"{description}\"";

    public static string ApiKey(string route, string? header, string? query) =>
        header is not null ? $"ApiKey realm=\"{route}\", header=\"{header}\"" : $"ApiKey realm=\"{route}\", query=\"{query}\"";

    public static string ClientCertificate(string route) => $"ClientCertificate realm=\"{route}\"";

    public static string External(string route) => $"External realm=\"{route}\"";
}
