using Microsoft.AspNetCore.Http;

namespace Gateway.Operations;

/// Contract section 3: while draining, a new upgrade is answered 503 with Retry-After (no new session starts).
public static class DrainRefusal
{
    /// A restarted gateway is back in a few seconds (systemd's RestartSec plus startup); clients that honour
    /// Retry-After then reconnect to it, or sooner to another instance behind the same name.
    public const int RetryAfterSeconds = 5;

    public static async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers.Connection = "close";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync("gateway is shutting down; retry later\n");
    }
}
