using System.IO.Pipelines;

namespace Gateway.Upstream;

/// An upstream that answered 101: the pipe to relay over (holding any bytes that followed the 101), the
/// subprotocol it picked, and the destination, for logs.
public sealed class UpstreamConnection(UpstreamLink link, Uri destination, string? subprotocol) : IAsyncDisposable
{
    public IDuplexPipe Pipe => link.Pipe;
    public Uri Destination { get; } = destination;
    public string? Subprotocol { get; } = subprotocol;

    public ValueTask DisposeAsync() => link.DisposeAsync();
}
