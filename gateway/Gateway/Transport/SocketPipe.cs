using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Transport;

/// A connected TCP socket as a duplex pipe, with no Stream layer in between. Both legs of a plain session use it:
/// the client's from our listener, the upstream's from the connector. What is written to Output is sent when
/// flushed, from the blocks it was written into (SocketWriter). Input is either a receive loop into a pipe (a
/// connection Kestrel handles) or the socket read on demand (SocketReader: the upstream, and a client connection
/// once a session has taken it over).
///
/// Reads wait for readiness (SocketReadiness, on one of our epoll loops) before taking a buffer, so an idle
/// connection holds none; buffers come from the 32 KiB-block pool. Readers resume inline, on the thread the socket completed on: a relayed frame
/// is received, parsed and sent without a hop to another thread.
public sealed class SocketPipe : IOwnedConnection, IPeerLossNotice
{
    /// Input: Kestrel's default request buffer limit; the receive loop waits for the reader beyond it.
    private const long PauseThreshold = 1024 * 1024;

    /// How long a disposal waits for Output's last bytes to leave before the socket is closed anyway.
    private static readonly TimeSpan DrainOnDispose = TimeSpan.FromSeconds(5);

    /// One PipeOptions for every connection: idle sessions hold enough objects as it is.
    private static readonly PipeOptions InputOptions = new(LargeBlockMemoryPool.Instance, PipeScheduler.Inline,
        PipeScheduler.Inline, PauseThreshold, PauseThreshold / 2, minimumSegmentSize: LargeBlockMemoryPool.BlockSize,
        useSynchronizationContext: false);

    private readonly Socket _socket;
    private readonly SocketReadiness _readiness;
    private readonly SocketWriter _output;

    /// What reads and writes go to: the socket (SocketChannel), or TLS over it once WrapChannel has installed it.
    private IByteChannel _channel;
    private Pipe? _input;
    private PipeReader _reader;

    /// Stops the receive loop at its wait for data (SwitchToReadOnDemandAsync).
    private volatile bool _loopStop;
    private Task _receiving = Task.CompletedTask;
    private int _disposed;
    private Action<object>? _receiveEnded;
    private object? _receiveEndedState;
    private int _started;

    /// `readOnDemand`: no receive loop; the socket is read when Input is (SocketReader). For connections only the
    /// gateway reads; Kestrel's need the loop, which notices a client leaving while its request is handled.
    public SocketPipe(Socket socket, bool readOnDemand = false)
    {
        _socket = socket;
        // Reads and writes are tried at once and wait (SocketReadiness) only when the socket is not ready.
        _channel = new SocketChannel(socket);
        _readiness = _channel.Readiness;
        if (readOnDemand)
        {
            _reader = new SocketReader(_channel, LargeBlockMemoryPool.Instance);
        }
        else
        {
            _input = new Pipe(InputOptions);
            _reader = _input.Reader;
        }

        _output = new SocketWriter(_channel, LargeBlockMemoryPool.Instance);
    }

    public PipeReader Input => _reader;
    public PipeWriter Output => _output;
    public Socket Socket => _socket;

    /// Called once when the receive loop ends (the peer closed or reset the connection, or it was aborted), until
    /// cleared. A callback, not a continuation on the loop's task: clearing it drops the reference to `state`.
    internal void OnReceiveEnded(Action<object>? callback, object? state)
    {
        _receiveEndedState = state;
        _receiveEnded = callback;
    }

    /// Whether the receive loop has started: until it has, nothing has read the socket.
    internal bool IsStarted => Volatile.Read(ref _started) != 0;

    internal SocketReadiness Readiness => _readiness;

    public void OnPeerLost(Action<object> callback, object state) => _readiness.OnPeerLost(callback, state);

    /// The channel the pipe reads and writes.
    internal IByteChannel Channel => _channel;

    /// Reads and writes go through `over`, a channel over the current one (TLS over the socket, its handshake done),
    /// from now on; called before anything reads or writes the pipe. Closing the pipe closes it.
    internal void WrapChannel(IByteChannel over)
    {
        _channel = over;
        _output.Channel = over;
        if (_reader is SocketReader)
        {
            _reader = new SocketReader(over, LargeBlockMemoryPool.Instance); // read on demand, and nothing read yet
        }
    }

    public SocketPipe Start()
    {
        if (_input is null || Interlocked.Exchange(ref _started, 1) != 0)
        {
            return this; // read on demand: nothing runs until Input is read; or started already
        }

        // The loop runs for the connection's life: it must not capture (and keep alive) the ExecutionContext of
        // whatever request started it, and its continuations then need no context to restore.
        if (ExecutionContext.IsFlowSuppressed())
        {
            _receiving = ReceiveAsync();
        }
        else
        {
            using (ExecutionContext.SuppressFlow())
            {
                _receiving = ReceiveAsync();
            }
        }

        return this;
    }

    /// Closes the socket now: pending reads end, unsent bytes are dropped. The readiness goes first: from then on
    /// no wait waits and no loop calls the socket again, whichever thread it is on.
    public void Abort() => _channel.Close();

    /// Sends what Output still holds (bounded wait), then closes the socket and waits for both loops.
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        try
        {
            await _output.CompleteAsync().AsTask().WaitAsync(DrainOnDispose);
        }
        catch (TimeoutException)
        {
        }

        Abort();
        await _receiving;
        _reader.Complete();
    }

    /// Ends the receive loop and reads the socket on demand from now on (SocketReader), keeping any bytes the loop
    /// had received and nobody read. For a session taking a connection over: the loop and its pipe were Kestrel's
    /// way to notice a client leaving mid-request; the relay reads the socket itself.
    internal async ValueTask SwitchToReadOnDemandAsync()
    {
        if (_input is not { } input)
        {
            return;
        }

        _loopStop = true;
        _readiness.WakeReader();
        input.Writer.CancelPendingFlush(); // a loop held by a full pipe lets go too
        await _receiving;
        var reader = new SocketReader(_channel, LargeBlockMemoryPool.Instance);
        try
        {
            if (input.Reader.TryRead(out var rest))
            {
                reader.Seed(rest.Buffer);
                input.Reader.AdvanceTo(rest.Buffer.End);
            }
        }
        catch (IOException)
        {
            // The connection was reset: the socket reader finds that out for itself.
        }

        input.Reader.Complete();
        _reader = reader;
        _input = null;
        _receiving = Task.CompletedTask; // the loop's state machine goes with it
    }

    private async Task ReceiveAsync()
    {
        var writer = _input!.Writer;
        Exception? error = null;
        try
        {
            while (true)
            {
                // Wait for data without a buffer, then take one and read what is there without another wait.
                await _readiness.WaitReadableAsync(); // fails once the connection is closed (ObjectDisposedException)
                if (_loopStop)
                {
                    break;
                }

                _readiness.ResetRead();
                var memory = writer.GetMemory();
                int received = _channel.Read(memory.Span, out var status, out bool drained);
                if (!drained)
                {
                    _readiness.MarkReadable(); // e.g. the buffer was full: there may be more
                }

                if (status == SocketError.WouldBlock)
                {
                    continue; // woken with nothing to read after all
                }

                if (status != SocketError.Success)
                {
                    throw new SocketException((int)status);
                }

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
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Aborted by us, or stopped for a switch to reading on demand: the reader sees the end of the stream.
        }

        await writer.CompleteAsync(error);
        if (Interlocked.Exchange(ref _receiveEnded, null) is { } ended)
        {
            ended(_receiveEndedState!);
        }

        _receiveEndedState = null;
    }
}
