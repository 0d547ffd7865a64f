using System.Net.Sockets;
using System.Security.Authentication;
using Gateway.Transport;

namespace Gateway.Tls.OpenSsl;

/// TLS on one accepted socket, run by OpenSSL on the descriptor itself (SSL_set_fd), on the socket's epoll loop:
/// "want read" and "want write" are waits on the socket's readiness, as EAGAIN is for plain reads and writes. The
/// socket's reader and writer call Read and Write in place of recv and send (SocketReader, SocketWriter), so a wss://
/// frame is decrypted, relayed and encrypted with no stream or pipe in between.
///
/// OpenSSL allows one call at a time on a connection, and the two pumps of a session read and write the client leg
/// from two threads: every call holds the session's lock, clears this thread's error queue first (the queue is the
/// thread's, and SSL_get_error reads it), and holds the socket's descriptor open (a closed and reused descriptor
/// number is never read or written). The SSL is its SslHandle's: freed once, by Dispose (or the finalizer of a
/// session nobody disposed), never under a call in progress.
///
/// SSL_ERROR_SSL and SSL_ERROR_SYSCALL are fatal (SSL_get_error(3)): the error queue is drained into the session's
/// FailureReason on the thread that failed, no later call reaches OpenSSL (each fails as the first did), and
/// SSL_shutdown is never called (SSL_shutdown(3): "must not be called if a previous fatal error has occurred").
internal sealed class TlsSession : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Socket _socket;
    private readonly SocketReadiness _readiness;

    /// Keeps the listener's contexts, and so their servername callback's handle, alive while this connection lives.
    private readonly ServerContexts _contexts;
    private readonly SslHandle _ssl;
    private bool _established;
    private bool _shutdownSent;

    /// The fatal SSL_get_error verdict (SSL_ERROR_SSL or SSL_ERROR_SYSCALL), 0 while there is none, and what the
    /// error queue held then ("" for nothing: a SYSCALL failure of the socket itself).
    private int _fatalError;
    private string _fatalErrors = "";

    /// A read that had to write (a KeyUpdate's answer) and found the socket full: the next writable event wakes reads.
    private bool _readWaitsForWrite;

    private TlsSession(Socket socket, SocketReadiness readiness, ServerContexts contexts, SslHandle ssl)
    {
        _socket = socket;
        _readiness = readiness;
        _contexts = contexts;
        _ssl = ssl;
    }

    public static TlsSession Create(Socket socket, SocketReadiness readiness, ServerContexts contexts)
    {
        SocketCalls.MakeNonBlocking(socket); // OpenSSL's reads and writes cannot pass MSG_DONTWAIT
        var ssl = LibSsl.SSL_new(contexts.Default); // takes its own reference to the context
        if (ssl.IsInvalid)
        {
            ssl.Dispose();
            throw new AuthenticationException(LibSsl.DrainErrors("SSL_new failed"));
        }

        var session = new TlsSession(socket, readiness, contexts, ssl);
        if (session.Call(Operation.SetDescriptor, out _) != 1)
        {
            string reason = LibSsl.DrainErrors("SSL_set_fd failed");
            session.Dispose();
            throw new AuthenticationException(reason);
        }

        return session;
    }

    /// The server's side of the handshake, until it completes, fails (AuthenticationException, with OpenSSL's
    /// reason) or `cancellationToken` ends it.
    public async ValueTask AcceptAsync(CancellationToken cancellationToken)
    {
        using var wake = cancellationToken.UnsafeRegister(static state =>
        {
            var readiness = (SocketReadiness)state!;
            readiness.WakeReader();
            readiness.WakeWriter();
        }, _readiness);
        bool writeReset = false;
        while (true)
        {
            _readiness.ResetRead();
            int result = Call(Operation.Accept, out int error);
            if (result == 1)
            {
                lock (_lock)
                {
                    _established = true;
                }

                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (error == LibSsl.ErrorWantRead)
            {
                await _readiness.WaitReadableAsync();
            }
            else if (error == LibSsl.ErrorWantWrite)
            {
                // As SocketWriter: reset, try once more, and only then wait, so that no writable event is missed.
                if (writeReset)
                {
                    await _readiness.WaitWritableAsync();
                }
                else
                {
                    _readiness.ResetWrite();
                }

                writeReset = !writeReset;
            }
            else
            {
                throw new AuthenticationException(ErrorText(error));
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        // The client's first request may have come with its last handshake message, into OpenSSL's buffer: no
        // socket event will tell of it, so the first read must not wait for one.
        _readiness.MarkReadable();
    }

    /// recv's contract: the bytes decrypted into `buffer` (as many records as fit, so a batch of small frames is
    /// relayed with one write), 0 at the end of the stream, WouldBlock when nothing is there yet. `drained`: no more
    /// is buffered anywhere, so the next read waits for the socket (a read that stopped short for any other reason
    /// must not wait).
    public unsafe int Read(Span<byte> buffer, out SocketError status, out bool drained)
    {
        int total = 0;
        status = SocketError.Success;
        drained = false;
        fixed (byte* start = buffer)
        {
            while (total < buffer.Length)
            {
                int result = Call(Operation.Read, out int error, start + total, buffer.Length - total);
                if (result > 0)
                {
                    total += result;
                    _readWaitsForWrite = false;
                    continue;
                }

                if (error == LibSsl.ErrorWantRead)
                {
                    _readWaitsForWrite = false;
                    drained = true;
                    status = total > 0 ? SocketError.Success : SocketError.WouldBlock;
                }
                else if (error == LibSsl.ErrorWantWrite)
                {
                    // The first time, arm the wake-up and try again at once (the socket may have drained since); the
                    // second, wait: the wake-up was armed before that try, so its writable event cannot be missed.
                    _readiness.WakeReaderWhenWritable();
                    drained = _readWaitsForWrite;
                    _readWaitsForWrite = true;
                    status = total > 0 ? SocketError.Success : SocketError.WouldBlock;
                }
                else if (total == 0)
                {
                    // close_notify ends the stream; anything else resets it (the peer, or OpenSSL on a bad record).
                    status = error is LibSsl.ErrorZeroReturn or LibSsl.ErrorNone ? SocketError.Success : SocketError.ConnectionReset;
                }

                break; // the end or an error after some bytes: those go first, the next read finds the rest
            }
        }

        return total;
    }

    /// send's contract: the bytes OpenSSL took (as whole records), WouldBlock when the socket is full.
    public unsafe int Write(ReadOnlySpan<byte> data, out SocketError status)
    {
        status = SocketError.Success;
        if (data.IsEmpty)
        {
            return 0; // SSL_write of nothing reports an error, not zero bytes
        }

        fixed (byte* bytes = data)
        {
            int result = Call(Operation.Write, out int error, bytes, data.Length);
            if (result > 0)
            {
                status = SocketError.Success;
                return result;
            }

            // "Want read" here would be a renegotiation, which the contexts refuse: a failure like any other.
            status = error == LibSsl.ErrorWantWrite ? SocketError.WouldBlock : SocketError.ConnectionReset;
            return 0;
        }
    }

    /// Writes `buffers` in order, a record or more each, until one is not taken whole; the bytes taken.
    public int WriteGather(ReadOnlySpan<ReadOnlyMemory<byte>> buffers, out SocketError status)
    {
        int total = 0;
        status = SocketError.Success;
        foreach (var buffer in buffers)
        {
            int written = Write(buffer.Span, out status);
            total += written;
            if (written < buffer.Length)
            {
                break;
            }
        }

        return total > 0 ? total : 0;
    }

    /// Sends close_notify once, after the last bytes (SocketWriter, before its FIN). The peer's close_notify is not
    /// waited for (SSL_shutdown(3) allows a one-way shutdown before closing the socket); a full socket skips it,
    /// as does a session that failed or never finished its handshake (SSL_shutdown in a handshake is an error).
    public ShutdownOutcome Shutdown()
    {
        lock (_lock)
        {
            if (_ssl.IsClosed)
            {
                return ShutdownOutcome.Closed;
            }

            if (_fatalError != 0)
            {
                return ShutdownOutcome.SkippedAfterFatalError;
            }

            if (!_established)
            {
                return ShutdownOutcome.SkippedInHandshake;
            }

            if (_shutdownSent)
            {
                return ShutdownOutcome.AlreadySent;
            }

            _shutdownSent = true;
        }

        int result = Call(Operation.Shutdown, out int error);
        return result switch
        {
            1 => ShutdownOutcome.Complete, // the peer's close_notify had come already
            0 => ShutdownOutcome.Sent,
            _ => error is LibSsl.ErrorWantWrite or LibSsl.ErrorWantRead ? ShutdownOutcome.WouldBlock : ShutdownOutcome.Failed,
        };
    }

    /// Frees OpenSSL's state (once; a second call does nothing); every later call fails as on a closed socket.
    public void Dispose()
    {
        lock (_lock)
        {
            _ssl.Dispose();
        }

        GC.KeepAlive(_contexts);
    }

    /// The negotiated protocol version, cipher suite, SNI name and ALPN protocol (Kestrel's TLS features).
    public TlsFeatures DescribeHandshake()
    {
        lock (_lock)
        {
            return _ssl.IsClosed ? throw new ObjectDisposedException(nameof(TlsSession)) : TlsFeatures.Of(_ssl);
        }
    }

    /// Whether a call failed fatally (SSL_ERROR_SSL or SSL_ERROR_SYSCALL), and OpenSSL's words for it.
    internal bool HasFailed
    {
        get
        {
            lock (_lock)
            {
                return _fatalError != 0;
            }
        }
    }

    internal string? FailureReason
    {
        get
        {
            lock (_lock)
            {
                return _fatalError == 0 ? null
                    : _fatalErrors.Length > 0 ? _fatalErrors
                    : _fatalError == LibSsl.ErrorSyscall ? "the connection failed (SSL_ERROR_SYSCALL)" : "TLS error (SSL_ERROR_SSL)";
            }
        }
    }

    /// For tests: the connection's SSL.
    internal SslHandle Handle => _ssl;

    private enum Operation
    {
        SetDescriptor,
        Accept,
        Read,
        Write,
        Shutdown,
    }

    /// One OpenSSL call under the lock, with the descriptor held open; returns its result and SSL_get_error's
    /// verdict on it. A freed session or a closed socket gives -1 and SSL_ERROR_SYSCALL.
    private unsafe int Call(Operation operation, out int error) => Call(operation, out error, null, 0);

    private unsafe int Call(Operation operation, out int error, byte* buffer, int count)
    {
        var handle = _socket.SafeHandle;
        bool added = false;
        lock (_lock)
        {
            try
            {
                if (_ssl.IsClosed)
                {
                    error = LibSsl.ErrorSyscall;
                    return -1;
                }

                if (_fatalError != 0)
                {
                    error = _fatalError; // no I/O after a fatal error: it fails again, as the first time
                    return -1;
                }

                handle.DangerousAddRef(ref added);
                LibSsl.ERR_clear_error();
                int result = operation switch
                {
                    Operation.Read => LibSsl.SSL_read(_ssl, buffer, count),
                    Operation.Write => LibSsl.SSL_write(_ssl, buffer, count),
                    Operation.Accept => LibSsl.SSL_accept(_ssl),
                    Operation.Shutdown => LibSsl.SSL_shutdown(_ssl),
                    _ => LibSsl.SSL_set_fd(_ssl, (int)handle.DangerousGetHandle()),
                };

                // SSL_set_fd's 0 is its failure, its queue read by Create; SSL_shutdown's 0 is "close_notify sent,
                // the peer's not yet come", not an error; only a result below it goes to SSL_get_error.
                error = result > 0 || operation == Operation.SetDescriptor || (operation == Operation.Shutdown && result == 0)
                    ? LibSsl.ErrorNone
                    : LibSsl.SSL_get_error(_ssl, result);
                if (error is LibSsl.ErrorSsl or LibSsl.ErrorSyscall)
                {
                    _fatalError = error;
                    _fatalErrors = LibSsl.DrainErrors("");
                }

                return result;
            }
            catch (ObjectDisposedException)
            {
                error = LibSsl.ErrorSyscall;
                return -1;
            }
            finally
            {
                if (added)
                {
                    handle.DangerousRelease();
                }
            }
        }
    }

    private string ErrorText(int error) => error switch
    {
        LibSsl.ErrorSyscall => _fatalErrors.Length > 0 ? _fatalErrors : "the connection ended during the handshake",
        LibSsl.ErrorZeroReturn => "the client closed the connection during the handshake",
        _ => FailureReason ?? "TLS error " + error,
    };
}

/// What TlsSession.Shutdown did (SSL_shutdown(3)'s results).
internal enum ShutdownOutcome
{
    /// 0: our close_notify is out; the peer's has not come (and is not waited for).
    Sent,

    /// 1: both close_notify alerts are done.
    Complete,

    /// Below 0, want write (or read): the socket is full, and the alert is not sent.
    WouldBlock,

    /// Below 0, any other error.
    Failed,

    AlreadySent,

    /// Not called: a call had failed fatally.
    SkippedAfterFatalError,

    /// Not called: the handshake had not completed.
    SkippedInHandshake,

    /// Not called: the session is freed.
    Closed,
}
