using Microsoft.Extensions.Logging;

namespace Gateway.Policies.Auth;

/// What auth methods share: one HttpClient (connection pooling for JWKS and external auth calls) and a logger.
public sealed class AuthServices(HttpClient http, ILogger logger)
{
    public HttpClient Http { get; } = http;

    public ILogger Logger { get; } = logger;

    /// No redirects (an auth service's 302 to a login page is an error here, not something to follow) and no
    /// cookies kept between clients.
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        // Each call runs under its own Polly timeout; this only stops HttpClient's 100 s default from applying.
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
