using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Tests.Transport;
using Gateway.Tls;
using Gateway.Tls.OpenSsl;
using Gateway.Transport;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Tls.OpenSsl;

/// The OpenSSL engine as a client meets it (SslStream as that client): what the handshake agrees to and refuses,
/// what Kestrel is told about it, and bytes both ways through the connection a session takes over, with the
/// socket full (OpenSSL's partial writes and retries) and with many records per read (read-ahead).
public sealed class TlsEngineTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tls-engine-").FullName;

    [Fact]
    public async Task Kestrel_is_told_the_protocol_the_cipher_suite_the_name_and_http11_by_ALPN()
    {
        await using var accepted = await AcceptAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11],
        });

        var handshake = accepted.Features.Get<ITlsHandshakeFeature>()!;
        Assert.Equal(SslProtocols.Tls13, handshake.Protocol);
        Assert.Equal(accepted.Client.NegotiatedCipherSuite, handshake.NegotiatedCipherSuite);
        Assert.Equal("localhost", handshake.HostName);
        Assert.Equal(SslApplicationProtocol.Http11, accepted.Client.NegotiatedApplicationProtocol);
        Assert.True(accepted.Features.Get<ITlsApplicationProtocolFeature>()!.ApplicationProtocol.Span.SequenceEqual("http/1.1"u8));
        Assert.Null(accepted.Features.Get<ITlsConnectionFeature>()!.ClientCertificate);
    }

    [Fact]
    public async Task A_client_that_offers_only_other_application_protocols_is_refused()
    {
        await Assert.ThrowsAnyAsync<Exception>(async () => await AcceptAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ApplicationProtocols = [SslApplicationProtocol.Http2],
        }));
    }

    [Fact]
    public async Task A_listener_at_tls13_refuses_a_tls12_client()
    {
        await Assert.ThrowsAnyAsync<Exception>(async () => await AcceptAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls12,
        }, SslProtocols.Tls13));
    }

    [Fact]
    public async Task A_tls12_client_is_served_by_a_listener_at_tls12()
    {
        await using var accepted = await AcceptAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            EnabledSslProtocols = SslProtocols.Tls12,
        });

        Assert.Equal(SslProtocols.Tls12, accepted.Features.Get<ITlsHandshakeFeature>()!.Protocol);
        await accepted.Client.WriteAsync("ping"u8.ToArray());
        Assert.Equal("ping"u8.ToArray(), await ReadAsync(accepted.Owned.Input, 4));
    }

    [Fact]
    public async Task Megabytes_go_both_ways_in_order_while_the_peer_reads_slowly()
    {
        await using var accepted = await AcceptAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        var payload = new byte[8 << 20];
        new Random(6455).NextBytes(payload);

        // Out: written in 100 KiB pieces and flushed, while the client takes its time (the socket fills, OpenSSL
        // wants to write, and each retry must go on from the same bytes).
        var sending = Task.Run(async () =>
        {
            for (int at = 0; at < payload.Length; at += 100_000)
            {
                await accepted.Owned.Output.WriteAsync(payload.AsMemory(at, Math.Min(100_000, payload.Length - at)));
            }
        });
        var received = new byte[payload.Length];
        int got = 0;
        while (got < received.Length)
        {
            got += await accepted.Client.ReadAsync(received.AsMemory(got, Math.Min(4096, received.Length - got)));
            if (got % (1 << 20) < 4096)
            {
                await Task.Delay(20);
            }
        }

        await sending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(payload.AsSpan().SequenceEqual(received), "the bytes out differ");

        // In: many records per socket read.
        var writing = accepted.Client.WriteAsync(payload).AsTask();
        var readBack = await ReadAsync(accepted.Owned.Input, payload.Length);
        Assert.True(payload.AsSpan().SequenceEqual(readBack), "the bytes in differ");
        await writing;
    }

    [Fact]
    public async Task Disposing_the_connection_ends_the_clients_stream_cleanly()
    {
        var accepted = await AcceptAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        await accepted.Owned.Output.WriteAsync("last words"u8.ToArray());
        await accepted.Owned.DisposeAsync();

        var buffer = new byte[64];
        int read = await accepted.Client.ReadAtLeastAsync(buffer, 10).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("last words"u8.ToArray(), buffer[..read]);
        // close_notify, then the FIN: the end of the stream, not an error.
        Assert.Equal(0, await accepted.Client.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        await accepted.DisposeAsync();
    }

    [Fact]
    public async Task A_corrupt_record_ends_the_connection_and_the_next_one_is_served()
    {
        await using var accepted = await AcceptAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        // An application-data record whose ciphertext is noise: OpenSSL's integrity check fails it.
        var record = new byte[5 + 64];
        new Random(1).NextBytes(record);
        (record[0], record[1], record[2], record[3], record[4]) = (23, 3, 3, 0, 64);
        await accepted.Peer.SendAsync(record);

        var ended = await ReadUntilEndAsync(accepted.Owned.Input);
        Assert.True(ended, "the reader did not end");

        await using var next = await AcceptAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" });
        await next.Client.WriteAsync("still here"u8.ToArray());
        Assert.Equal("still here"u8.ToArray(), await ReadAsync(next.Owned.Input, 10));
    }

    [Fact]
    public async Task A_key_update_that_arrives_while_the_socket_toward_the_client_is_full_leaves_the_session_whole()
    {
        // TLS 1.3: a KeyUpdate that asks for one back obliges the gateway to send one, here while the socket toward
        // the client is full (the client reads nothing while the gateway sends it 32 MiB). OpenSSL 3.0 answers it
        // without making the read wait ("want write" from SSL_read, TlsSession.Read's other path, was not seen
        // here), so what this checks is the outcome: the data after the KeyUpdate is read at once, every byte of
        // the 32 MiB reaches the client in order across the key change, and the session goes on both ways.
        using var client = new OpenSslClient();
        var (peer, owned, _) = await AcceptThroughAsync(peer => Task.Run(() => client.Connect(peer)),
            () => Task.CompletedTask);
        await using var _owned = owned;
        using var _peer = peer;
        var payload = new byte[32 << 20];
        new Random(8446).NextBytes(payload);
        var sending = Task.Run(async () =>
        {
            for (int at = 0; at < payload.Length; at += 1 << 20)
            {
                await owned.Output.WriteAsync(payload.AsMemory(at, 1 << 20));
            }
        });
        await Task.Delay(1000);
        Assert.False(sending.IsCompleted, "the socket toward the client never filled up");

        client.RequestKeyUpdate();
        client.Write("after the update"u8);
        Assert.Equal("after the update"u8.ToArray(), await ReadAsync(owned.Input, 16));
        Assert.Equal(1, client.KeyUpdates.Sent);

        var received = await Task.Run(() => client.ReadExactly(payload.Length)).WaitAsync(TimeSpan.FromSeconds(60));
        await sending.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(payload.AsSpan().SequenceEqual(received), "the bytes out differ");
        Assert.Equal(1, client.KeyUpdates.Received); // the gateway's answer, among the bytes the client read

        await owned.Output.WriteAsync("and on"u8.ToArray());
        Assert.Equal("and on"u8.ToArray(), await Task.Run(() => client.ReadExactly(6)).WaitAsync(TimeSpan.FromSeconds(10)));
        client.Write("and back"u8);
        Assert.Equal("and back"u8.ToArray(), await ReadAsync(owned.Input, 8));
    }

    /// A TLS 1.3 client on OpenSSL over a non-blocking socket, each call retried until the socket lets it through.
    private sealed unsafe class OpenSslClient : IDisposable
    {
        private const int HandshakeContent = 22;
        private const byte KeyUpdateMessage = 24;

        /// KeyUpdates each client sent and received, by its SSL handle (OpenSSL's message callback is a static one).
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<nint, (int Sent, int Received)> s_keyUpdates = new();

        /// OpenSSL's defaults for a client: it checks no certificate, which is what these tests want.
        private readonly SslContextHandle _context = LibSsl.SSL_CTX_new(LibSsl.TLS_client_method());
        private SslHandle? _ssl;
        private Socket? _socket;

        public (int Sent, int Received) KeyUpdates => _ssl is null ? default : s_keyUpdates.GetValueOrDefault(_ssl.DangerousGetHandle());

        public void Connect(Socket socket)
        {
            _socket = socket;
            Assert.False(_context.IsInvalid, "OpenSSL made no client context");
            _ssl = LibSsl.SSL_new(_context);
            LibSsl.SSL_set_msg_callback(_ssl, &OnMessage);
            LibSsl.SSL_set_fd(_ssl, (int)socket.Handle);
            Retry(() => LibSsl.SSL_connect(_ssl));
        }

        public void RequestKeyUpdate()
        {
            if (LibSsl.SSL_key_update(_ssl!, LibSsl.KeyUpdateRequested) != 1)
            {
                throw new InvalidOperationException("OpenSSL refused the KeyUpdate");
            }
        }

        public void Write(ReadOnlySpan<byte> data)
        {
            fixed (byte* bytes = data)
            {
                byte* at = bytes;
                int length = data.Length;
                Retry(() => LibSsl.SSL_write(_ssl!, at, length));
            }
        }

        public byte[] ReadExactly(int count)
        {
            var buffer = new byte[count];
            int got = 0;
            fixed (byte* bytes = buffer)
            {
                byte* start = bytes;
                while (got < count)
                {
                    int offset = got;
                    got += Retry(() => LibSsl.SSL_read(_ssl!, start + offset, Math.Min(65536, count - offset)));
                }
            }

            return buffer;
        }

        [System.Runtime.InteropServices.UnmanagedCallersOnly]
        private static void OnMessage(int writeP, int version, int contentType, byte* message, nuint length, nint ssl, nint arg)
        {
            if (contentType == HandshakeContent && length > 0 && message[0] == KeyUpdateMessage)
            {
                s_keyUpdates.AddOrUpdate(ssl, writeP != 0 ? (1, 0) : (0, 1),
                    (_, counts) => writeP != 0 ? (counts.Sent + 1, counts.Received) : (counts.Sent, counts.Received + 1));
            }
        }

        private int Retry(Func<int> call)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (true)
            {
                LibSsl.ERR_clear_error();
                int result = call();
                if (result > 0)
                {
                    return result;
                }

                int error = LibSsl.SSL_get_error(_ssl!, result);
                var mode = error switch
                {
                    LibSsl.ErrorWantRead => SelectMode.SelectRead,
                    LibSsl.ErrorWantWrite => SelectMode.SelectWrite,
                    _ => throw new IOException($"OpenSSL error {error}"),
                };
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException();
                }

                _socket!.Poll(TimeSpan.FromMilliseconds(100), mode);
            }
        }

        public void Dispose()
        {
            if (_ssl is not null)
            {
                s_keyUpdates.TryRemove(_ssl.DangerousGetHandle(), out _);
                _ssl.Dispose();
            }

            _context.Dispose();
        }
    }

    /// Reads until the stream ends or fails; false if it did neither within 10 s.
    private static async Task<bool> ReadUntilEndAsync(System.IO.Pipelines.PipeReader input)
    {
        try
        {
            while (true)
            {
                var result = await input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return true;
                }
            }
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            return true; // a reset
        }
    }

    private ListenerTls Listener(SslProtocols minVersion) => ListenerTls.Prepare(new TlsConfig(
        [new CertificateConfig(Path.Combine(_directory, "cert.pem"), Path.Combine(_directory, "key.pem"), null, [], SelfSignedIfMissing: true)],
        minVersion), NullLogger.Instance, openSsl: true);

    /// An accepted connection through the TLS middleware with the OpenSSL engine, taken over as a wss:// session
    /// takes it, with the features Kestrel saw and the client's end.
    private async Task<Accepted> AcceptAsync(SslClientAuthenticationOptions client, SslProtocols minVersion = SslProtocols.Tls12)
    {
        client.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        SslStream? stream = null;
        var (peer, owned, features) = await AcceptThroughAsync(
            peer => (stream = new SslStream(new NetworkStream(peer, ownsSocket: true))).AuthenticateAsClientAsync(client),
            async () => await stream!.DisposeAsync(), minVersion);
        return new Accepted(stream!, peer, owned, features);
    }

    /// The server's side of AcceptAsync for any client: `handshake` runs the client's side on the test's socket;
    /// `abort` ends that client when the handshake failed, so that the gateway's side ends too.
    private async Task<(Socket Peer, IOwnedConnection Owned, Microsoft.AspNetCore.Http.Features.IFeatureCollection Features)>
        AcceptThroughAsync(Func<Socket, Task> handshake, Func<Task> abort, SslProtocols minVersion = SslProtocols.Tls12)
    {
        var tls = Listener(minVersion);
        Assert.NotNull(tls.Contexts);
        var (local, peer) = await Loopback.ConnectAsync();
        var connection = new SocketConnection(local, LargeBlockMemoryPool.Instance, startReceiving: false);
        var middleware = new TlsConnectionMiddleware(_ => tls, NullLogger.Instance);
        var taken = new TaskCompletionSource<IOwnedConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handling = middleware.OnConnectionAsync(connection, async context =>
            taken.SetResult(await context.Features.Get<ISessionHandoverFeature>()!.TakeOverAsync()));
        try
        {
            await handshake(peer).WaitAsync(TimeSpan.FromSeconds(10));
            await handling.WaitAsync(TimeSpan.FromSeconds(10));
            var owned = await taken.Task.WaitAsync(TimeSpan.FromSeconds(10));
            var features = connection.Features;
            await connection.DisposeAsync(); // what Kestrel does when the middleware returns
            return (peer, owned, features);
        }
        catch
        {
            await abort();
            await handling.WaitAsync(TimeSpan.FromSeconds(20)); // the handshake failed on the gateway's side too
            await connection.DisposeAsync();
            throw;
        }
    }

    private static async Task<byte[]> ReadAsync(System.IO.Pipelines.PipeReader input, int count)
    {
        var result = await input.ReadAtLeastAsync(count).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        var bytes = System.Buffers.BuffersExtensions.ToArray(result.Buffer.Slice(0, count));
        input.AdvanceTo(result.Buffer.GetPosition(count));
        return bytes;
    }

    private sealed record Accepted(SslStream Client, Socket Peer, IOwnedConnection Owned, Microsoft.AspNetCore.Http.Features.IFeatureCollection Features) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Owned.DisposeAsync();
            await Client.DisposeAsync();
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
