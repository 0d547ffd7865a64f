using Gateway.Diagnostics;
using Gateway.Transport;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Gateway.Hosting;

/// First in the request pipeline, for every request: stops the connection's handshake clock (a complete head is
/// here), refuses a request target Kestrel let through that no upstream should see, and starts the clock again for
/// the next request on a kept-alive connection (Transport/HandshakeDeadline).
internal static class RequestHeadChecks
{
    public static async Task RunAsync(HttpContext context, RequestDelegate next, ILogger logger)
    {
        var deadline = context.Features.Get<IHandshakeDeadlineFeature>();
        deadline?.RequestHeadReceived();
        if (TargetProblem(context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path) is { } problem)
        {
            Log.RequestRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", StatusCodes.Status400BadRequest, problem);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers.Connection = "close";
            await context.Response.WriteAsync(problem + "\n");
            return;
        }

        await next(context);
        // A session that took the connection over disposed the clock already; this then does nothing.
        deadline?.AwaitNextRequest();
    }

    /// Contract section 3: a request target with control characters, or in neither origin-form ("/path?query"),
    /// absolute-form ("http://host/path") nor asterisk-form (RFC 9112 3.2), is a 400. Kestrel passes raw control bytes in the target
    /// (a tab, a DEL), which would reach the upstream's request line and logs as they came.
    internal static string? TargetProblem(string target)
    {
        foreach (char c in target)
        {
            if (c < 0x20 || c == 0x7F)
            {
                return "the request target contains control characters";
            }
        }

        if (target.StartsWith('/') || target == "*") // "*": asterisk-form, OPTIONS * (RFC 9112 3.2.4)
        {
            return null;
        }

        int colon = target.IndexOf("://", StringComparison.Ordinal);
        bool absolute = colon > 0 && char.IsAsciiLetter(target[0]) &&
            target.AsSpan(0, colon).IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") < 0;
        return absolute ? null : "the request target is neither a path (origin-form) nor an absolute URL";
    }
}
