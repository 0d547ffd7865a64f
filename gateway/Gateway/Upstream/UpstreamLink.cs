using System.IO.Pipelines;
using Gateway.Relay;
using Gateway.Transport;

namespace Gateway.Upstream;

/// A connected upstream as a pipe, and what to dispose to close it: the socket itself for ws:// (read on demand,
/// written on flush: no loop, no pipe), a pipe over the TLS stream for wss://.
public sealed class UpstreamLink : IAsyncDisposable
{
    private readonly IAsyncDisposable _owner;

    private UpstreamLink(IDuplexPipe pipe, IAsyncDisposable owner)
    {
        Pipe = pipe;
        _owner = owner;
    }

    public IDuplexPipe Pipe { get; }

    public static UpstreamLink Over(System.Net.Sockets.Socket socket)
    {
        var pipe = new SocketPipe(socket, readOnDemand: true).Start();
        return new UpstreamLink(pipe, pipe);
    }

    public static UpstreamLink Over(Stream stream) => new(DuplexPipe.Over(stream), stream);

    public ValueTask DisposeAsync() => _owner.DisposeAsync();
}
