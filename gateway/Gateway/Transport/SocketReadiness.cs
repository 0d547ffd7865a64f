using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Gateway.Transport;

/// What the gateway knows about whether one non-blocking socket can be read or written, kept by its
/// SocketEventLoop, and a wait for each. The protocol, for either direction: Reset, then the non-blocking call; when
/// that finds nothing to do (EAGAIN, or a read shorter than its buffer: the socket is drained), Wait. An event that
/// arrives after the Reset makes the Wait return at once, so none is lost, and a wait on a socket known to be ready
/// costs nothing. Waits end early, spuriously, when woken (a cancellation): callers retry the call.
///
/// Closing is terminal: once disposed, every wait (pending or new) fails with ObjectDisposedException and
/// TryArmRead refuses, so no caller can take a closed readiness for a ready socket and retry its call for ever
/// on a descriptor that is still open (a spin that one client holding its socket after a 400 could cause).
internal sealed class SocketReadiness : IDisposable, IValueTaskSource
{
    private const short ReadToken = 0;
    private const short WriteToken = 1;

    private readonly Socket _socket;
    private readonly SocketEventLoop _loop;
    private Waiter _read;
    private Waiter _write;
    private int _closed;

    /// A TLS read has to write first (TlsSession): the next writable event wakes the reader too.
    private volatile bool _wakeReaderWhenWritable;

    /// IPeerLossNotice: called once when the socket reports a hang-up or an error.
    private Action<object>? _onLost;
    private object? _onLostState;
    private int _lost;

    private SocketReadiness(Socket socket, bool ready)
    {
        _socket = socket;
        _loop = SocketEventLoop.Next();
        _read = new Waiter(ready);
        _write = new Waiter(ready);
    }

    internal SocketEventLoop Loop => _loop;

    /// The loop's slot and registration number for this socket (SocketEventLoop).
    internal int Slot { get; set; }
    internal uint Registration { get; set; }

    /// Registers a socket with a loop (its calls are non-blocking ones: SocketCalls). `ready`: assume it can be
    /// read and written until a call finds otherwise (a connected socket); false waits for the first event (a
    /// connect in progress). Dispose this before the Socket: the removal goes by descriptor number.
    public static SocketReadiness Register(Socket socket, bool ready = true)
    {
        var readiness = new SocketReadiness(socket, ready);
        if (!WithDescriptor(socket, readiness, static (readiness, fd) => readiness._loop.Add(readiness, fd)))
        {
            throw new ObjectDisposedException(nameof(Socket));
        }

        return readiness;
    }

    /// Connects a new socket without blocking a thread or entering .NET's socket engine (whose epoll set would
    /// otherwise report the socket's events too, for nothing, for its whole life). .NET's Socket does not know it
    /// is connected (Connected, RemoteEndPoint): the transport's own calls need no such state.
    public static async ValueTask ConnectAsync(Socket socket, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        if (SocketCalls.StartConnect(socket, endPoint))
        {
            return;
        }

        using var readiness = Register(socket, ready: false);
        using var wake = cancellationToken.UnsafeRegister(static state => ((SocketReadiness)state!).WakeWriter(), readiness);
        // A connect in progress reports nothing until it succeeds (writable) or fails (error and hang-up).
        await readiness.WaitWritableAsync();
        cancellationToken.ThrowIfCancellationRequested();
        var error = (SocketError)(int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Error)!;
        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }
    }

    public void ResetRead() => _read.Reset();
    public void ResetWrite() => _write.Reset();

    /// A read filled its whole buffer: more may be waiting, and edge-triggered readiness will not say so again.
    public void MarkReadable() => _read.Signal();

    /// Whether a read may find data: no read since the last event found the socket drained.
    public bool MayRead => _read.IsReady;

    public ValueTask WaitReadableAsync() => IsClosed ? Closed() : WaitAsync(ref _read, ReadToken);
    public ValueTask WaitWritableAsync() => IsClosed ? Closed() : WaitAsync(ref _write, WriteToken);

    /// Disposed (the connection is being closed): nothing may read or write the socket any more.
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    private static ValueTask Closed() => ValueTask.FromException(new ObjectDisposedException(nameof(SocketReadiness)));

    /// WaitReadableAsync as a callback (no awaiter): false if the socket may already be read, or is closed.
    public bool TryArmRead(Action<object?> callback, object state) => !IsClosed && _read.TryArm(callback, state);

    public void WakeReader() => _read.Signal();

    /// For a read that could not go on until the socket takes writes (OpenSSL answering a KeyUpdate): armed before
    /// that read's last try, so its event is not missed.
    public void WakeReaderWhenWritable() => _wakeReaderWhenWritable = true;

    public void WakeWriter() => _write.Signal();

    /// `callback(state)` once, on the thread pool, when the socket reports a hang-up or an error (at once if it has).
    public void OnPeerLost(Action<object> callback, object state)
    {
        _onLostState = state;
        Volatile.Write(ref _onLost, callback);
        if (Volatile.Read(ref _lost) != 0)
        {
            NotifyLost();
        }
    }

    private void NotifyLost()
    {
        if (Interlocked.Exchange(ref _onLost, null) is { } callback)
        {
            var state = _onLostState!;
            _onLostState = null;
            // Never on the loop thread: the owner's reaction (ending a session) is not the loop's work.
            ThreadPool.UnsafeQueueUserWorkItem(callback, state, preferLocal: false);
        }
    }

    /// From the loop thread.
    internal void OnEvents(uint events)
    {
        // An end of stream or an error stays readable for good, and no new event says so: a read that returns the
        // last bytes before a FIN, shorter than its buffer, must not be taken for a drained socket.
        if ((events & (Epoll.ReadHangUp | Epoll.HangUp | Epoll.Error)) != 0)
        {
            _read.SignalForGood();
        }
        else if ((events & Epoll.In) != 0)
        {
            _read.Signal();
        }

        if ((events & (Epoll.HangUp | Epoll.Error)) != 0)
        {
            _write.SignalForGood();
            Volatile.Write(ref _lost, 1);
            NotifyLost();
        }
        else if ((events & Epoll.Out) != 0)
        {
            _write.Signal();
        }

        if ((events & (Epoll.Out | Epoll.HangUp | Epoll.Error)) != 0 && _wakeReaderWhenWritable)
        {
            _wakeReaderWhenWritable = false;
            _read.Signal();
        }
    }

    /// Unregisters the socket and wakes both waits, which then fail (ObjectDisposedException). A socket already
    /// closed left the epoll set with its descriptor; its number may belong to another socket by now. The waits'
    /// continuations go to the thread pool, never inline: Dispose may run on Kestrel's heartbeat (a timeout's
    /// abort) or on a loop thread, which must not run a connection's code.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _closed, 1) == 1)
        {
            return;
        }

        if (!WithDescriptor(_socket, this, static (readiness, fd) => readiness._loop.Remove(readiness, fd)))
        {
            _loop.Remove(this, fd: -1);
        }

        _read.Signal(inline: false);
        _write.Signal(inline: false);
    }

    /// What ran on an event of this socket threw (SocketEventLoop): the socket counts as lost and closed, so its
    /// owner closes the connection, and the loop goes on with the others.
    internal void Fail()
    {
        Volatile.Write(ref _lost, 1);
        NotifyLost();
        Dispose();
    }

    /// Runs `action` with the socket's descriptor held open (its number cannot be closed and reused meanwhile);
    /// false if the socket was already closed.
    private static bool WithDescriptor(Socket socket, SocketReadiness readiness, Action<SocketReadiness, int> action)
    {
        var handle = socket.SafeHandle;
        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            action(readiness, (int)handle.DangerousGetHandle());
            return true;
        }
        catch (ObjectDisposedException) when (!added)
        {
            return false;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) =>
        Volatile.Read(ref Of(token).State) == Waiter.Waiting ? ValueTaskSourceStatus.Pending
        : IsClosed ? ValueTaskSourceStatus.Faulted : ValueTaskSourceStatus.Succeeded;

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => Of(token).OnCompleted(continuation, state);

    void IValueTaskSource.GetResult(short token) => ObjectDisposedException.ThrowIf(IsClosed, this);

    /// A wait's token says which direction it is on.
    private ref Waiter Of(short token) => ref token == ReadToken ? ref _read : ref _write;

    private ValueTask WaitAsync(ref Waiter waiter, short token) => waiter.TryBegin() ? new ValueTask(this, token) : default;

    /// One direction: NotReady, Ready (an event since the last Reset), or Waiting (a wait is pending). A struct in
    /// the readiness object, which is the source of both directions' waits: no objects of its own per socket.
    /// Continuations run on the signaling thread (the loop's) when inline completions are on, else on the thread
    /// pool; the execution context is not flowed (the awaits here come from async methods, which flow their own).
    private struct Waiter(bool ready)
    {
        public const int NotReady = 0;
        public const int Ready = 1;
        public const int Waiting = 2;

        /// Stands for "already completed" in Continuation: an OnCompleted that comes later runs its callback itself.
        private static readonly Action<object?> Completed = static _ => { };

        public int State = ready ? Ready : NotReady;
        private volatile bool _forGood;
        private Action<object?>? _continuation;
        private object? _continuationState;

        /// A full fence: the call that follows must not be ordered before it. Checked after the reset: SignalForGood
        /// sets the flag before it signals, so one of the two sees the other.
        public void Reset()
        {
            Interlocked.Exchange(ref State, NotReady);
            if (_forGood)
            {
                Signal();
            }
        }

        public readonly bool IsReady => Volatile.Read(in State) == Ready;

        /// Starts a wait whose continuation comes later (OnCompleted); false if ready already.
        public bool TryBegin()
        {
            if (Volatile.Read(ref State) == Ready)
            {
                return false;
            }

            _continuation = null;
            return Interlocked.CompareExchange(ref State, Waiting, NotReady) == NotReady;
        }

        /// Starts a wait with its callback known now: published before the state says Waiting, so no race.
        public bool TryArm(Action<object?> callback, object state)
        {
            if (Volatile.Read(ref State) == Ready)
            {
                return false;
            }

            _continuationState = state;
            _continuation = callback;
            return Interlocked.CompareExchange(ref State, Waiting, NotReady) == NotReady;
        }

        public void OnCompleted(Action<object?> continuation, object? state)
        {
            _continuationState = state;
            if (Interlocked.CompareExchange(ref _continuation, continuation, null) is not null)
            {
                // The signal came first: it found no continuation to run.
                ThreadPool.UnsafeQueueUserWorkItem(continuation, state, preferLocal: false);
            }
        }

        public void Signal(bool inline = true)
        {
            // Already Ready: nobody waits (a wait starts only from NotReady), and the caller's next call sees
            // whatever this event reports.
            if (Volatile.Read(ref State) != Ready && Interlocked.Exchange(ref State, Ready) == Waiting)
            {
                var continuation = Interlocked.Exchange(ref _continuation, Completed);
                if (continuation is not null)
                {
                    var state = _continuationState;
                    _continuationState = null;
                    Run(continuation, state, inline);
                }
            }
        }

        public void SignalForGood()
        {
            _forGood = true;
            Signal();
        }

        private static void Run(Action<object?> continuation, object? state, bool inline)
        {
            if (inline && SocketEventLoop.InlineCompletions)
            {
                continuation(state);
            }
            else
            {
                ThreadPool.UnsafeQueueUserWorkItem(continuation, state, preferLocal: false);
            }
        }
    }
}
