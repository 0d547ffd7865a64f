using Microsoft.Extensions.Logging;

namespace Gateway.Diagnostics;

/// Every log line of the gateway, with event ids from one place. No tokens, keys or query strings in any of them.
public static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Listening on {Address} ({Scheme})")]
    public static partial void Listening(ILogger logger, string address, string scheme);

    [LoggerMessage(1002, LogLevel.Warning, "Generated a self-signed development certificate {CertPath} for {Names}: browsers will not trust it; use real certificates in production")]
    public static partial void DevelopmentCertificateGenerated(ILogger logger, string certPath, string names);

    [LoggerMessage(1003, LogLevel.Information, "Demo echo upstream on ws://{Address}")]
    public static partial void DemoEchoStarted(ILogger logger, string address);

    [LoggerMessage(1004, LogLevel.Error, "Configuration error: {Error}")]
    public static partial void ConfigError(ILogger logger, string error);

    [LoggerMessage(2001, LogLevel.Information, "Upgrade refused: route={Route} client={Client} status={Status} reason=\"{Reason}\"")]
    public static partial void UpgradeRefused(ILogger logger, string route, string client, int status, string reason);

    [LoggerMessage(2002, LogLevel.Warning, "Upstream failed: route={Route} client={Client} status={Status} reason=\"{Reason}\"")]
    public static partial void UpstreamFailed(ILogger logger, string route, string client, int status, string reason);

    [LoggerMessage(3001, LogLevel.Information,
        "Session: route={Route} client={Client} upstream={Upstream} subprotocol={Subprotocol} duration_ms={DurationMs} " +
        "messages_in={MessagesIn} bytes_in={BytesIn} messages_out={MessagesOut} bytes_out={BytesOut} " +
        "ended_by={EndedBy} side={Side} close_client={CloseToClient} close_upstream={CloseToUpstream}")]
    public static partial void SessionEnded(ILogger logger, string route, string client, string upstream, string subprotocol,
        long durationMs, long messagesIn, long bytesIn, long messagesOut, long bytesOut, string endedBy, string side,
        string closeToClient, string closeToUpstream);

    [LoggerMessage(3002, LogLevel.Error, "Session failed: route={Route} client={Client}")]
    public static partial void SessionFailed(ILogger logger, string route, string client, Exception exception);
}
