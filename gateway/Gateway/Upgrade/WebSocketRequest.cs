using Microsoft.AspNetCore.Http;

namespace Gateway.Upgrade;

internal static class WebSocketRequest
{
    /// Requests meant as a WebSocket upgrade are ours to validate (400/426); everything else on a route is plain
    /// HTTP for YARP. Any sign of WebSocket intent counts, so a malformed upgrade is refused, not proxied.
    public static bool IsAttempt(HttpRequest request)
    {
        var headers = request.Headers;
        if (headers.ContainsKey("Sec-WebSocket-Key") || headers.ContainsKey("Sec-WebSocket-Version"))
        {
            return true;
        }

        foreach (var value in headers.Upgrade)
        {
            if (value is not null && value.Contains("websocket", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
