using System.Buffers;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Hosting;
using Gateway.Tests.Transport;
using Gateway.Tls;
using Gateway.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Tests.Tls;

/// Our TLS layer under Kestrel: a wss:// session takes the connection over as a ws:// one does, so it must go on
/// working after Kestrel is done with the connection, without keeping Kestrel's per-connection state alive. Each
/// test runs with both engines: SslStream, and OpenSSL on the socket (`openSsl`).
public sealed class TlsConnectionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tls-connection-").FullName;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_connection_taken_over_keeps_its_TLS_after_Kestrel_is_done_and_nothing_leads_back_to_it(bool openSsl)
    {
        var (local, peer) = await Loopback.ConnectAsync();
        var client = new SslStream(new NetworkStream(peer, ownsSocket: true));
        var (owned, connection) = await HandleAsync(local, client, openSsl, async context =>
        {
            var kestrelView = context.Transport;
            var request = await kestrelView.Input.ReadAsync();
            Assert.Equal("request", System.Text.Encoding.ASCII.GetString(request.Buffer.ToArray()));
            kestrelView.Input.AdvanceTo(request.Buffer.End);
            await kestrelView.Output.WriteAsync("101"u8.ToArray());
            Assert.True(context.Features.Get<ITlsConnectionFeature>() is not null, "Kestrel needs it for https");

            var taken = await context.Features.Get<ISessionHandoverFeature>()!.TakeOverAsync();
            // Kestrel winding down: its reads end, its writes and completions go nowhere.
            Assert.True((await kestrelView.Input.ReadAsync()).IsCompleted);
            await kestrelView.Output.WriteAsync("kestrel's late bytes"u8.ToArray());
            kestrelView.Input.Complete();
            kestrelView.Output.Complete();
            return taken;
        });
        await using var _ = client;
        await using var __ = owned;

        // Polled: a socket thread may still hold it on its stack for a moment after the take-over.
        for (int i = 0; i < 50 && connection.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            if (connection.IsAlive)
            {
                await Task.Delay(100);
            }
        }

        Assert.False(connection.IsAlive, "the connection (and what Kestrel hung on it) is still reachable");

        await owned.Output.WriteAsync("session"u8.ToArray());
        Assert.Equal("101session", await ReadAsync(client, 10));
        await client.WriteAsync("from client"u8.ToArray());
        var read = await owned.Input.ReadAtLeastAsync(11).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("from client", System.Text.Encoding.ASCII.GetString(read.Buffer.ToArray()));
        owned.Input.AdvanceTo(read.Buffer.End);

        // Disposing the owned connection closes the socket: the client reads the end.
        await owned.DisposeAsync();
        Assert.Equal(0, await client.ReadAsync(new byte[16]).AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_that_does_not_speak_TLS_is_closed_without_reaching_Kestrel(bool openSsl)
    {
        var (reached, rest) = await RefusedAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(), openSsl, handshakeTimeout: null);

        Assert.False(reached);
        Assert.DoesNotContain((byte)'H', rest); // no HTTP answer, at most a TLS alert
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_that_stalls_in_the_handshake_is_dropped_at_the_timeout(bool openSsl)
    {
        // The start of a ClientHello, and then nothing.
        var (reached, rest) = await RefusedAsync([22, 3, 1, 0, 200], openSsl, TimeSpan.FromMilliseconds(300));

        Assert.False(reached);
        Assert.Empty(rest);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Malformed_handshakes_are_refused_without_reaching_Kestrel(bool openSsl)
    {
        var random = new Random(8446);
        for (int i = 0; i < 30; i++)
        {
            var hello = new byte[random.Next(1, 700)];
            random.NextBytes(hello);
            if (i % 2 == 0)
            {
                // A handshake record's header with noise after it: OpenSSL parses into it.
                (hello[0], hello[1], hello[2]) = (22, 3, (byte)random.Next(0, 5));
            }

            var (reached, _) = await RefusedAsync(hello, openSsl, TimeSpan.FromMilliseconds(100));
            Assert.False(reached, $"handshake {i} reached Kestrel");
        }
    }

    /// Runs the middleware on a connection whose client sends `sent` and no more; whether Kestrel was reached, and
    /// what the client read until the gateway closed the connection.
    private async Task<(bool Reached, byte[] Read)> RefusedAsync(byte[] sent, bool openSsl, TimeSpan? handshakeTimeout)
    {
        var (local, peer) = await Loopback.ConnectAsync();
        using var _ = peer;
        var connection = new SocketConnection(local, LargeBlockMemoryPool.Instance, startReceiving: !openSsl);
        bool reached = false;
        var middleware = new TlsConnectionMiddleware(_ => ListenerTls(openSsl), NullLogger.Instance, handshakeTimeout);
        await peer.SendAsync(sent);

        await middleware.OnConnectionAsync(connection, _ =>
        {
            reached = true;
            return Task.CompletedTask;
        }).WaitAsync(TimeSpan.FromSeconds(10));
        await connection.DisposeAsync();
        return (reached, await Loopback.ReadToEndAsync(peer).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    /// Runs the middleware on an accepted socket with `kestrel` standing for Kestrel, returns what it took over and
    /// a weak reference to the connection Kestrel saw (what Kestrel would hang its state on).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<(IOwnedConnection Owned, WeakReference Connection)> HandleAsync(Socket local, SslStream client,
        bool openSsl, Func<ConnectionContext, Task<IOwnedConnection>> kestrel)
    {
        // As the transport accepts it: a listener whose TLS OpenSSL runs does not read before the handshake.
        var connection = new SocketConnection(local, LargeBlockMemoryPool.Instance, startReceiving: !openSsl);
        connection.Features.Set(new object()); // stands for the state Kestrel adds
        var middleware = new TlsConnectionMiddleware(_ => ListenerTls(openSsl), NullLogger.Instance);
        IOwnedConnection? owned = null;
        var handling = middleware.OnConnectionAsync(connection, async context => owned = await kestrel(context));
        await client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            EnabledSslProtocols = SslProtocols.Tls13,
        });
        await client.WriteAsync("request"u8.ToArray());
        await handling.WaitAsync(TimeSpan.FromSeconds(10));
        await connection.DisposeAsync(); // what Kestrel does when the connection middleware returns
        return (owned!, new WeakReference(connection));
    }

    private ListenerTls ListenerTls(bool openSsl) => Gateway.Tls.ListenerTls.Prepare(new TlsConfig(
        [new CertificateConfig(Path.Combine(_directory, "cert.pem"), Path.Combine(_directory, "key.pem"), null, [], SelfSignedIfMissing: true)],
        SslProtocols.Tls12), NullLogger.Instance, openSsl);

    private static async Task<string> ReadAsync(SslStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return System.Text.Encoding.ASCII.GetString(buffer);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
