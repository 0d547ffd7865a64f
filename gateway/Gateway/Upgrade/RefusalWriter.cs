using System.Text;
using Gateway.Protocol.Handshake;
using Microsoft.AspNetCore.Http;

namespace Gateway.Upgrade;

/// Writes every refused upgrade the same way (contract section 3), whoever refused it: the status, the refusal's
/// headers, then the reason as a one-line text/plain body, or the upstream's own error body where one is relayed.
public static class RefusalWriter
{
    public static async Task WriteAsync(HttpResponse response, Refusal refusal)
    {
        response.StatusCode = refusal.Status;
        foreach (var (name, value) in refusal.Headers)
        {
            response.Headers.Append(name, value);
        }

        if (refusal.Body is { } relayed)
        {
            response.ContentType = relayed.ContentType;
            await response.Body.WriteAsync(relayed.Bytes);
            return;
        }

        response.ContentType = "text/plain; charset=utf-8";
        await response.Body.WriteAsync(Encoding.UTF8.GetBytes(refusal.Reason + "\n"));
    }
}
