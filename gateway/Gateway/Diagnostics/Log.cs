using Microsoft.Extensions.Logging;

namespace Gateway.Diagnostics;

/// Every log line of the gateway, with event ids from one place. No tokens, keys or query strings in any of them.
public static partial class Log
{
    [LoggerMessage(1001, LogLevel.Information, "Listening on {Address} ({Serves})")]
    public static partial void Listening(ILogger logger, string address, string serves);

    [LoggerMessage(1002, LogLevel.Warning, "Generated a self-signed development certificate {CertPath} for {Names}: browsers will not trust it; use real certificates in production")]
    public static partial void DevelopmentCertificateGenerated(ILogger logger, string certPath, string names);

    [LoggerMessage(1003, LogLevel.Information, "Demo echo upstream on ws://{Address}")]
    public static partial void DemoEchoStarted(ILogger logger, string address);

    [LoggerMessage(1004, LogLevel.Error, "Configuration error: {Error}")]
    public static partial void ConfigError(ILogger logger, string error);

    [LoggerMessage(1005, LogLevel.Information,
        "Configuration reloaded ({Trigger}): routes added={Added} removed={Removed} changed={Changed}; listeners added={ListenersAdded} removed={ListenersRemoved}; sessions closed with 1012: {Closed}")]
    public static partial void Reloaded(ILogger logger, string trigger, string added, string removed, string changed,
        string listenersAdded, string listenersRemoved, int closed);

    [LoggerMessage(1006, LogLevel.Error, "Configuration reload ({Trigger}) rejected with {Count} error(s); the running configuration is kept")]
    public static partial void ReloadRejected(ILogger logger, string trigger, int count);

    [LoggerMessage(1007, LogLevel.Warning, "{Key} changed: it takes effect at the next restart")]
    public static partial void ReloadNeedsRestart(ILogger logger, string key);

    [LoggerMessage(1008, LogLevel.Information, "Draining: {Sessions} session(s) get 1001 over {SpreadMs} ms; waiting up to {GraceMs} ms for their closes")]
    public static partial void Draining(ILogger logger, int sessions, long spreadMs, long graceMs);

    [LoggerMessage(1009, LogLevel.Information, "Drained in {ElapsedMs} ms; {Remaining} session(s) still open are cut")]
    public static partial void Drained(ILogger logger, long elapsedMs, int remaining);

    [LoggerMessage(1010, LogLevel.Information, "Admin endpoints on http://{Address} (/healthz /readyz /metrics)")]
    public static partial void AdminListening(ILogger logger, string address);

    [LoggerMessage(1011, LogLevel.Warning, "systemd notification to {Socket} failed: {Error}")]
    public static partial void NotifyFailed(ILogger logger, string socket, string error);

    [LoggerMessage(1012, LogLevel.Information, "No longer listening on {Address}")]
    public static partial void ListenerRemoved(ILogger logger, string address);

    [LoggerMessage(1013, LogLevel.Error, "Configuration reload ({Trigger}) failed while applying; listeners may be partly updated")]
    public static partial void ReloadApplyFailed(ILogger logger, string trigger, Exception exception);

    [LoggerMessage(1014, LogLevel.Warning, "Configuration reload ({Trigger}): after {WaitMs} ms Kestrel's listeners are not yet as configured ({Difference}); it goes on binding in the background")]
    public static partial void ListenersUnsettled(ILogger logger, string trigger, long waitMs, string difference);

    [LoggerMessage(2001, LogLevel.Information, "Upgrade refused: route={Route} client={Client} status={Status} reason=\"{Reason}\"")]
    public static partial void UpgradeRefused(ILogger logger, string route, string client, int status, string reason);

    [LoggerMessage(2002, LogLevel.Warning, "Upstream failed: route={Route} client={Client} status={Status} reason=\"{Reason}\"")]
    public static partial void UpstreamFailed(ILogger logger, string route, string client, int status, string reason);

    /// The access log (contract section 5): one line per finished session. Only the client's address, never its
    /// request line, so no query-string credential or token can appear; reasons are the closes' own short texts.
    /// Debug: scanners and clients that give up or distrust the certificate make many of these.
    [LoggerMessage(2003, LogLevel.Debug, "TLS handshake failed: client={Client} reason=\"{Reason}\"")]
    public static partial void TlsHandshakeFailed(ILogger logger, string client, string reason);

    [LoggerMessage(2004, LogLevel.Information, "Request head timeout: client={Client} status=408 reason=\"no complete request head within {TimeoutMs} ms of the accept\"")]
    public static partial void HandshakeTimedOut(ILogger logger, string client, long timeoutMs);

    /// Debug: a TLS handshake that never finished, or a kept-alive connection gone quiet, closed without a response.
    [LoggerMessage(2005, LogLevel.Debug, "Request head timeout: client={Client} stage={Stage} closed after {TimeoutMs} ms")]
    public static partial void HandshakeTimedOutQuietly(ILogger logger, string client, string stage, long timeoutMs);

    [LoggerMessage(2006, LogLevel.Information, "Request refused: client={Client} status={Status} reason=\"{Reason}\"")]
    public static partial void RequestRefused(ILogger logger, string client, int status, string reason);

    [LoggerMessage(2007, LogLevel.Error, "Socket loop {Loop}: {What} failed; the loop goes on")]
    public static partial void SocketLoopFault(ILogger logger, int loop, string what, Exception exception);

    [LoggerMessage(3001, LogLevel.Information,
        "Session: route={Route} client={Client} upstream={Upstream} subprotocol={Subprotocol} duration_ms={DurationMs} " +
        "messages_in={MessagesIn} bytes_in={BytesIn} messages_out={MessagesOut} bytes_out={BytesOut} " +
        "close_code={CloseCode} closed_by={ClosedBy} ended_by={EndedBy} side={Side} close_client={CloseToClient} close_upstream={CloseToUpstream}")]
    public static partial void SessionEnded(ILogger logger, string route, string client, string upstream, string subprotocol,
        long durationMs, long messagesIn, long bytesIn, long messagesOut, long bytesOut, int closeCode, string closedBy,
        string endedBy, string side, string closeToClient, string closeToUpstream);

    [LoggerMessage(3002, LogLevel.Error, "Session failed: route={Route} client={Client}")]
    public static partial void SessionFailed(ILogger logger, string route, string client, Exception exception);
}
