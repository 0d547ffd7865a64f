using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Upgrade;

/// The client leg of a session after the 101: the connection's transport pipe (after TLS, if any), read and written
/// directly. A PipeReader over Kestrel's opaque upgrade Stream would copy every byte once more (transport pipe ->
/// stream -> reader buffer) and add layers of async calls per read and write; after the upgrade Kestrel itself
/// neither reads nor writes the connection, so the relay can own its transport pipe.
internal static class ClientPipe
{
    /// Sends the 101 (with the headers already set on the response) and returns the upgraded connection.
    public static async Task<(IDuplexPipe Pipe, Stream Opaque)> UpgradeAsync(HttpContext context, IHttpUpgradeFeature upgrade)
    {
        var transport = context.Features.Get<IConnectionTransportFeature>()?.Transport
            ?? throw new InvalidOperationException("the server exposes no connection transport");
        // Taking the opaque stream is what switches protocols; it stays open, unused, until the relay ends.
        var opaque = await upgrade.UpgradeAsync();
        return (transport, opaque);
    }
}
