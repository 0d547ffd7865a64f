using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Gateway.Transport;

/// One accepted connection as Kestrel sees it. Kestrel reads and writes it through a HandoverPipe; a WebSocket
/// session that takes the connection over (ISessionHandoverFeature) gets the SocketPipe itself, and from then on
/// Kestrel's reads end, its writes are dropped and its close leaves the socket open, so Kestrel finishes the
/// request and frees its per-connection state while the session goes on.
internal sealed class SocketConnection : ConnectionContext, IConnectionIdFeature, IConnectionTransportFeature,
    IConnectionItemsFeature, IMemoryPoolFeature, IConnectionLifetimeFeature, IConnectionEndPointFeature,
    IConnectionSocketFeature, ISessionHandoverFeature, ISocketConnectionFeature
{
    private static long s_lastId;

    private readonly SocketPipe _pipe;
    private readonly HandoverPipe _kestrelView;
    private readonly CancellationTokenSource _closed = new();
    private IDictionary<object, object?>? _items;
    private string? _id;
    private HandshakeDeadline? _deadline;
    private ILogger? _logger;

    /// Where a 408 goes when the handshake deadline expires: the socket, or TLS over it once TLS is up; null while
    /// TLS is still being negotiated (nothing readable can be sent then).
    private PipeWriter? _responseOutput;

    private static readonly ReadOnlyMemory<byte> RequestTimeout =
        "HTTP/1.1 408 Request Timeout\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 33\r\nConnection: close\r\n\r\nno complete request head in time\n"u8.ToArray();

    /// `startReceiving`: false for a listener whose TLS runs on the socket itself (a TLS channel): the receive loop
    /// starts after the handshake, or when the TLS layer reads the pipe (SslStream).
    public SocketConnection(Socket socket, MemoryPool<byte> pool, bool startReceiving = true)
    {
        MemoryPool = pool;
        LocalEndPoint = socket.LocalEndPoint;
        RemoteEndPoint = socket.RemoteEndPoint;
        _pipe = new SocketPipe(socket);
        if (startReceiving)
        {
            _pipe.Start();
        }

        _kestrelView = new HandoverPipe(_pipe);
        Transport = _kestrelView;
        var features = new FeatureCollection();
        features.Set<IConnectionIdFeature>(this);
        features.Set<IConnectionTransportFeature>(this);
        features.Set<IConnectionItemsFeature>(this);
        features.Set<IMemoryPoolFeature>(this);
        features.Set<IConnectionLifetimeFeature>(this);
        features.Set<IConnectionEndPointFeature>(this);
        features.Set<IConnectionSocketFeature>(this);
        features.Set<ISessionHandoverFeature>(this);
        features.Set<ISocketConnectionFeature>(this);
        Features = features;
        // The peer closing or resetting the connection aborts the request on it (Kestrel's RequestAborted).
        _pipe.OnReceiveEnded(static state => ((SocketConnection)state).NoteClosed(), this);
    }

    public override string ConnectionId
    {
        get => _id ??= "g" + Interlocked.Increment(ref s_lastId).ToString("x");
        set => _id = value;
    }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items
    {
        get => _items ??= new ConnectionItems();
        set => _items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException();
    }

    public override EndPoint? LocalEndPoint { get; set; }
    public override EndPoint? RemoteEndPoint { get; set; }
    public MemoryPool<byte> MemoryPool { get; }
    public Socket Socket => _pipe.Socket;

    /// The socket's own pipe, under a TLS layer (which reads and writes it until a session takes over).
    public SocketPipe Pipe => _pipe;

    /// Starts the clock of `listen[].handshake_timeout` (HandshakeDeadline) at the accept. `tls`: a 408 can only be
    /// written once the TLS layer says where (SetResponseOutput); until then an expiry just closes the connection.
    internal void StartHandshakeDeadline(TimeSpan timeout, bool tls, ILogger logger)
    {
        _logger = logger;
        _responseOutput = tls ? null : _pipe.Output;
        _deadline = new HandshakeDeadline(timeout, static state => _ = ((SocketConnection)state).OnHandshakeDeadlineAsync(), this);
        Features.Set<IHandshakeDeadlineFeature>(_deadline);
    }

    /// TLS is up: a 408 now goes out through it.
    public void SetResponseOutput(PipeWriter output) => Volatile.Write(ref _responseOutput, output);

    /// No complete request head in time: a 408 (unless TLS is not up yet, or the connection already served a
    /// request and was only kept alive), then the connection is closed, whatever stage it was in. Kestrel writes
    /// nothing while it waits for a head, so the 408 has the output to itself.
    private async Task OnHandshakeDeadlineAsync()
    {
        if (_kestrelView.IsHandedOver || _deadline is not { } deadline)
        {
            return;
        }

        var output = Volatile.Read(ref _responseOutput);
        var client = RemoteEndPoint?.ToString() ?? "unknown";
        if (output is not null && !deadline.ServedOne)
        {
            Diagnostics.Log.HandshakeTimedOut(_logger!, client, (long)deadline.Length.TotalMilliseconds);
            try
            {
                using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await output.WriteAsync(RequestTimeout, bounded.Token);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
            {
                // The client reset the connection, or does not read: it is closed below either way.
            }
        }
        else
        {
            Diagnostics.Log.HandshakeTimedOutQuietly(_logger!, client, output is null ? "tls" : "keep-alive",
                (long)deadline.Length.TotalMilliseconds);
        }

        Abort(new ConnectionAbortedException("handshake_timeout"));
    }

    async ValueTask<IOwnedConnection> ISessionHandoverFeature.TakeOverAsync() => await TakeOverAsync();

    public async ValueTask<SocketPipe> TakeOverAsync()
    {
        _deadline?.Dispose();
        _kestrelView.HandOver();
        // Kestrel hangs its per-connection state on this object's features; once the socket no longer points
        // here, that state goes as soon as Kestrel is done with the connection, while the session runs on.
        _pipe.OnReceiveEnded(null, null);
        await _pipe.SwitchToReadOnDemandAsync();
        return _pipe;
    }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _deadline?.Dispose();
        if (!_kestrelView.IsHandedOver)
        {
            _pipe.Abort();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        _deadline?.Dispose();
        if (!_kestrelView.IsHandedOver)
        {
            await _pipe.DisposeAsync();
        }

        _closed.Dispose();
    }

    private void NoteClosed()
    {
        try
        {
            if (!_kestrelView.IsHandedOver)
            {
                _closed.Cancel();
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private sealed class ConnectionItems : Dictionary<object, object?>;
}

/// A WebSocket session taking its client connection over from Kestrel after the 101 (see SocketConnection; over
/// TLS, TlsConnection).
public interface ISessionHandoverFeature
{
    /// The connection, which the caller now owns and disposes; Kestrel no longer reads or writes it, and from now
    /// on its socket is read on demand.
    ValueTask<IOwnedConnection> TakeOverAsync();
}

/// A connection of this transport under Kestrel's ConnectionContext, for the layer that puts TLS on it (a feature, so
/// that layer names no concrete transport type): its pipe, where a 408 goes once TLS is up, and the take-over.
public interface ISocketConnectionFeature
{
    SocketPipe Pipe { get; }

    /// TLS is up: a handshake deadline's 408 goes out through `output`.
    void SetResponseOutput(PipeWriter output);

    /// Kestrel lets go of the connection (see ISessionHandoverFeature); from now on its socket is read on demand.
    ValueTask<SocketPipe> TakeOverAsync();
}

/// A client connection that a session owns: read and written as a pipe, closed by disposing it.
public interface IOwnedConnection : IDuplexPipe, IAsyncDisposable
{
    /// Closes the connection now (a session cut at the end of a drain's grace).
    void Abort();
}
