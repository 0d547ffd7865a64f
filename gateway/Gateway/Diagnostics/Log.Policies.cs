using Microsoft.Extensions.Logging;

namespace Gateway.Diagnostics;

/// Log lines of the upgrade policies (event ids 4001-4099). Refusals themselves are logged once, as UpgradeRefused;
/// these are about the services policies depend on. Never a token, a key, a secret or a query string.
public static partial class Log
{
    [LoggerMessage(4001, LogLevel.Information, "JWKS fetched: url={Url} keys={Keys}")]
    public static partial void JwksFetched(ILogger logger, string url, int keys);

    [LoggerMessage(4002, LogLevel.Warning, "JWKS fetch failed, keeping the keys held: url={Url} error=\"{Error}\"")]
    public static partial void JwksFetchFailed(ILogger logger, string url, string error);

    [LoggerMessage(4003, LogLevel.Warning, "External auth failed, refusing with 503: url={Url} error=\"{Error}\"")]
    public static partial void ExternalAuthFailed(ILogger logger, string url, string error);
}
