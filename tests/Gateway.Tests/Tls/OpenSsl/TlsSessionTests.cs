using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Tests.Transport;
using Gateway.Tls;
using Gateway.Tls.OpenSsl;
using Gateway.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Tls.OpenSsl;

/// OpenSSL's rules as TlsSession keeps them: after a fatal error (SSL_ERROR_SSL, SSL_ERROR_SYSCALL) no SSL_shutdown
/// and no further I/O, the thread's error queue drained into the reason; close_notify once on a healthy session;
/// the SSL freed once, also when the session is dropped in its handshake.
public sealed class TlsSessionTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tls-session-").FullName;
    private ListenerTls _tls = null!;
    private Socket _peer = null!;
    private SocketConnection _connection = null!;
    private TlsSession _session = null!;

    public async Task InitializeAsync()
    {
        _tls = ListenerTls.Prepare(new TlsConfig(
            [new CertificateConfig(Path.Combine(_directory, "cert.pem"), Path.Combine(_directory, "key.pem"), null, [], SelfSignedIfMissing: true)],
            SslProtocols.Tls12), NullLogger.Instance, openSsl: true);
        var (local, peer) = await Loopback.ConnectAsync();
        _peer = peer;
        _connection = new SocketConnection(local, LargeBlockMemoryPool.Instance, startReceiving: false);
        _session = TlsSession.Create(_connection.Socket, _connection.Pipe.Readiness, _tls.Contexts!);
    }

    [Fact]
    public async Task A_session_whose_read_failed_on_a_corrupt_record_reads_no_more_and_sends_no_close_notify()
    {
        await HandshakeAsync();
        // An application-data record whose ciphertext is noise: OpenSSL's integrity check fails it (SSL_ERROR_SSL).
        var record = new byte[5 + 64];
        new Random(1).NextBytes(record);
        (record[0], record[1], record[2], record[3], record[4]) = (23, 3, 3, 0, 64);
        await _peer.SendAsync(record);

        var status = ReadUntilNotWouldBlock();
        Assert.Equal(SocketError.ConnectionReset, status);
        Assert.True(_session.HasFailed);
        Assert.Contains("SSL routines", _session.FailureReason); // OpenSSL's words, from the queue
        Assert.Equal(0ul, LibSsl.ERR_peek_error()); // nothing left for the next connection on this thread

        Assert.Equal(0, _session.Read(new byte[16], out status, out _));
        Assert.Equal(SocketError.ConnectionReset, status); // the same failure, without asking OpenSSL again
        Assert.Equal(0, _session.Write("more"u8, out status));
        Assert.Equal(SocketError.ConnectionReset, status);
        Assert.Equal(ShutdownOutcome.SkippedAfterFatalError, _session.Shutdown());
    }

    [Fact]
    public async Task A_handshake_that_fails_says_why_and_leaves_no_error_behind_and_no_shutdown()
    {
        await _peer.SendAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());
        Assert.True(_connection.Socket.Poll(TimeSpan.FromSeconds(10), SelectMode.SelectRead));

        // The bytes are there: SSL_accept fails on this thread, before the handshake's first wait.
        var accepting = _session.AcceptAsync(CancellationToken.None);
        Assert.True(accepting.IsCompleted);
        Assert.Equal(0ul, LibSsl.ERR_peek_error());
        var failure = await Assert.ThrowsAsync<AuthenticationException>(async () => await accepting);
        Assert.Contains("SSL routines", failure.Message);
        Assert.True(_session.HasFailed);
        Assert.Equal(ShutdownOutcome.SkippedAfterFatalError, _session.Shutdown());
    }

    [Fact]
    public async Task A_healthy_session_sends_close_notify_once_and_the_client_reads_the_end()
    {
        using var client = await HandshakeAsync();

        Assert.Equal(ShutdownOutcome.Sent, _session.Shutdown()); // 0: ours is out, the client's not awaited
        Assert.Equal(ShutdownOutcome.AlreadySent, _session.Shutdown());
        Assert.Equal(0, await client.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.False(_session.HasFailed);

        _session.Dispose();
        Assert.Equal(ShutdownOutcome.Closed, _session.Shutdown());
    }

    [Fact]
    public async Task A_session_dropped_in_its_handshake_is_freed_once_and_its_handshake_ends()
    {
        var marker = SslFreeProbe.MarkSsl(_session.Handle.DangerousGetHandle());
        var accepting = _session.AcceptAsync(CancellationToken.None).AsTask(); // waits for the ClientHello
        Assert.Equal(ShutdownOutcome.SkippedInHandshake, _session.Shutdown());

        _session.Dispose();
        _session.Dispose();
        Assert.Equal(1, SslFreeProbe.Frees(marker));

        await _peer.SendAsync(new byte[] { 22, 3, 1, 0, 1, 1 }); // wakes the handshake, which finds the session freed
        await Assert.ThrowsAsync<AuthenticationException>(() => accepting.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(ShutdownOutcome.Closed, _session.Shutdown());
    }

    private async Task<SslStream> HandshakeAsync()
    {
        var client = new SslStream(new NetworkStream(_peer, ownsSocket: false));
        var connecting = client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        await _session.AcceptAsync(CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await connecting.WaitAsync(TimeSpan.FromSeconds(10));
        return client;
    }

    /// Reads on this thread (so that its error queue is the one OpenSSL used) until something other than
    /// "would block" comes, for up to 10 s.
    private SocketError ReadUntilNotWouldBlock()
    {
        var buffer = new byte[256];
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            _session.Read(buffer, out var status, out _);
            if (status != SocketError.WouldBlock || DateTime.UtcNow > deadline)
            {
                return status;
            }

            _connection.Socket.Poll(TimeSpan.FromMilliseconds(100), SelectMode.SelectRead);
        }
    }

    public async Task DisposeAsync()
    {
        _session.Dispose();
        await _connection.DisposeAsync();
        _peer.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
