using System.IO.Pipelines;
using Gateway.Transport;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Gateway.Upgrade;

/// The client leg of a session after the 101, read and written directly as a pipe. A PipeReader over Kestrel's
/// opaque upgrade Stream would copy every byte once more and add layers of async calls per read and write.
///
/// The connection is taken over from Kestrel (ws:// and wss:// alike): the session gets the connection's pipe (the
/// SocketPipe, or the TLS layer over it), Kestrel finishes the request, and its per-connection state (about half
/// of what an idle session costs) is freed while the session runs. A server without the hand-over feature (not
/// our transport) keeps the connection, and the relay uses its transport pipe.
internal sealed class ClientPipe : IAsyncDisposable
{
    private readonly Stream? _opaque;
    private readonly IOwnedConnection? _owned;

    private ClientPipe(IDuplexPipe pipe, Stream? opaque, IOwnedConnection? owned)
    {
        Pipe = pipe;
        _opaque = opaque;
        _owned = owned;
    }

    public IDuplexPipe Pipe { get; }

    /// The session owns the socket: it runs on after the request returns, and closes the socket when it ends.
    public bool IsTakenOver => _owned is not null;

    /// Cuts the connection at once (a session cut after a drain's grace).
    public void Abort() => _owned?.Abort();

    /// Sends the 101 (with the headers already set on the response) and returns the upgraded connection.
    public static async Task<ClientPipe> UpgradeAsync(HttpContext context, IHttpUpgradeFeature upgrade)
    {
        var transport = context.Features.Get<IConnectionTransportFeature>()?.Transport
            ?? throw new InvalidOperationException("the server exposes no connection transport");
        // Taking the opaque stream is what switches protocols and writes the 101; the relay does not use it.
        var opaque = await upgrade.UpgradeAsync();
        if (context.Features.Get<ISessionHandoverFeature>() is { } handover)
        {
            // The 101 is already in the pipe's output, ahead of anything the relay writes.
            var owned = await handover.TakeOverAsync();
            return new ClientPipe(owned, opaque: null, owned);
        }

        return new ClientPipe(transport, opaque, owned: null);
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync();
        }

        if (_opaque is not null)
        {
            await _opaque.DisposeAsync();
        }
    }
}
