using System.IO.Pipelines;

namespace Gateway.Upstream;

/// An upstream that answered 101: the pipe to relay over (holding any bytes that followed the 101), the
/// subprotocol it picked, and the destination, for logs.
public sealed class UpstreamConnection : IAsyncDisposable
{
    private readonly Stream _stream;

    public UpstreamConnection(Stream stream, IDuplexPipe pipe, Uri destination, string? subprotocol)
    {
        _stream = stream;
        Pipe = pipe;
        Destination = destination;
        Subprotocol = subprotocol;
    }

    public IDuplexPipe Pipe { get; }
    public Uri Destination { get; }
    public string? Subprotocol { get; }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
