using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Transport;

/// A connected TCP socket as a duplex pipe: one loop moves what the socket receives into Input, another sends what
/// is written to Output. Both legs of a plain session use it (the client's from our listener, the upstream's from
/// the connector), with no Stream layer in between.
///
/// Reads wait for data with a zero-byte receive before taking a buffer, so an idle connection holds none; buffers
/// come from the 64 KiB-block pool. The pipes resume their readers and writers inline, on the thread the socket
/// completed on: a relayed frame is received, parsed and sent without a hop to another thread.
public sealed class SocketPipe : IDuplexPipe, IAsyncDisposable
{
    /// Input: Kestrel's default request buffer limit. Output: the relay writes 16 KiB+ pieces of a large frame;
    /// a peer that stops reading holds the writer after this much (the other leg then stops being read).
    private const long PauseThreshold = 1024 * 1024;

    /// How long a disposal waits for Output's last bytes to leave before the socket is closed anyway.
    private static readonly TimeSpan DrainOnDispose = TimeSpan.FromSeconds(5);

    private readonly Socket _socket;
    private readonly Pipe _input;
    private readonly Pipe _output;
    private Task _receiving = Task.CompletedTask;
    private Task _sending = Task.CompletedTask;
    private int _disposed;
    private Action<object>? _receiveEnded;
    private object? _receiveEndedState;

    public SocketPipe(Socket socket, MemoryPool<byte> pool)
    {
        _socket = socket;
        var options = new PipeOptions(pool, PipeScheduler.Inline, PipeScheduler.Inline, PauseThreshold, PauseThreshold / 2,
            minimumSegmentSize: pool.MaxBufferSize, useSynchronizationContext: false);
        _input = new Pipe(options);
        _output = new Pipe(options);
    }

    public PipeReader Input => _input.Reader;
    public PipeWriter Output => _output.Writer;
    public Socket Socket => _socket;

    /// Called once when the receive loop ends (the peer closed or reset the connection, or it was aborted), until
    /// cleared. A callback, not a continuation on the loop's task: clearing it drops the reference to `state`.
    internal void OnReceiveEnded(Action<object>? callback, object? state)
    {
        _receiveEndedState = state;
        _receiveEnded = callback;
    }

    public SocketPipe Start()
    {
        _receiving = ReceiveAsync();
        _sending = SendAsync();
        return this;
    }

    /// Closes the socket now: pending reads end, unsent bytes are dropped.
    public void Abort()
    {
        try
        {
            _socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// Sends what Output still holds (bounded wait), then closes the socket and waits for both loops.
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _output.Writer.Complete();
        try
        {
            await _sending.WaitAsync(DrainOnDispose);
        }
        catch (TimeoutException)
        {
        }

        Abort();
        await _receiving;
        _input.Reader.Complete();
    }

    private async Task ReceiveAsync()
    {
        var writer = _input.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                await _socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None);
                var memory = writer.GetMemory();
                int received = await _socket.ReceiveAsync(memory, SocketFlags.None);
                if (received == 0)
                {
                    break;
                }

                writer.Advance(received);
                var flush = await writer.FlushAsync();
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (SocketException e) when (e.SocketErrorCode is not SocketError.OperationAborted)
        {
            error = new ConnectionResetException(e.Message, e);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Aborted by us: the reader sees the end of the stream.
        }

        await writer.CompleteAsync(error);
        if (Interlocked.Exchange(ref _receiveEnded, null) is { } ended)
        {
            ended(_receiveEndedState!);
        }

        _receiveEndedState = null;
    }

    private async Task SendAsync()
    {
        var reader = _output.Reader;
        Exception? error = null;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync();
                var buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    break;
                }

                foreach (var segment in buffer)
                {
                    var remaining = segment;
                    while (!remaining.IsEmpty)
                    {
                        int sent = await _socket.SendAsync(remaining, SocketFlags.None);
                        remaining = remaining[sent..];
                    }
                }

                reader.AdvanceTo(buffer.End);
                if (result.IsCompleted)
                {
                    // Everything written is out: a FIN tells the peer no more is coming.
                    _socket.Shutdown(SocketShutdown.Send);
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            error = e is SocketException ? new ConnectionResetException(e.Message, e) : null;
        }

        // The writer's next flush returns IsCompleted: the peer takes no more.
        await reader.CompleteAsync(error);
    }
}
