using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.LoadTool.Tunnel;

/// The least a .NET proxy can do, as a comparison target (`dotnet-tunnel` in compare.sh): each accepted
/// connection is connected to the upstream and bytes are copied both ways without a look at them (the request head
/// and the 101 included), as nginx and HAProxy do after the 101; on the TLS listener through SslStream over a
/// NetworkStream, with the certificate context built once. No Kestrel, no HTTP or frame parsing, no limits, no
/// logs. What it costs per TLS message and per new TLS session is a floor for any proxy built on SslStream, the
/// gateway included. Its ws:// figures are .NET's own sockets (the gateway has its own epoll loops), and it holds
/// two buffers per session, so its RSS per idle session is not measured. Run it with
/// DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 (compare.sh does), as the gateway sets for itself.
public static class DotnetTunnel
{
    private const int BufferBytes = 16 * 1024;

    public static Task RunAsync(IPEndPoint listen, IPEndPoint tlsListen, IPEndPoint upstream, string certPath, string keyPath,
        CancellationToken cancellationToken) =>
        Task.WhenAll(ListenAsync(listen, upstream, null, cancellationToken),
            ListenAsync(tlsListen, upstream, TlsOptions(certPath, keyPath), cancellationToken));

    private static SslServerAuthenticationOptions TlsOptions(string certPath, string keyPath)
    {
        using var pem = X509Certificate2.CreateFromPemFile(certPath, keyPath);
        // Re-imported so the private key outlives the PEM import (ephemeral keys), as the gateway loads its own.
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = SslStreamCertificateContext.Create(certificate, null, offline: true),
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        };
    }

    private static async Task ListenAsync(IPEndPoint listen, IPEndPoint upstream, SslServerAuthenticationOptions? tls,
        CancellationToken cancellationToken)
    {
        using var listener = new Socket(listen.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(listen);
        listener.Listen(4096);
        Console.WriteLine($"tunnel listening on {(tls is null ? "ws" : "wss")}://{listen} to ws://{upstream}");
        while (!cancellationToken.IsCancellationRequested)
        {
            var client = await listener.AcceptAsync(cancellationToken);
            client.NoDelay = true;
            _ = ServeAsync(client, upstream, tls);
        }
    }

    private static async Task ServeAsync(Socket client, IPEndPoint upstreamAddress, SslServerAuthenticationOptions? tls)
    {
        Stream stream = new NetworkStream(client, ownsSocket: true);
        var upstream = new Socket(upstreamAddress.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (tls is not null)
            {
                var ssl = new SslStream(stream);
                stream = ssl;
                await ssl.AuthenticateAsServerAsync(tls);
            }

            await upstream.ConnectAsync(upstreamAddress);
            // Whichever direction ends first ends the other: both ends are disposed, which ends the other's read.
            var toUpstream = CopyToUpstreamAsync(stream, upstream);
            var toClient = CopyToClientAsync(upstream, stream);
            await Task.WhenAny(toUpstream, toClient);
            upstream.Dispose();
            await stream.DisposeAsync();
            await Task.WhenAll(toUpstream, toClient);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException
                                      or System.Security.Authentication.AuthenticationException)
        {
        }
        finally
        {
            upstream.Dispose();
            await stream.DisposeAsync();
        }
    }

    private static async Task CopyToUpstreamAsync(Stream client, Socket upstream)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            int read;
            while ((read = await client.ReadAsync(buffer)) > 0)
            {
                for (int sent = 0; sent < read;)
                {
                    sent += await upstream.SendAsync(buffer.AsMemory(sent, read - sent));
                }
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task CopyToClientAsync(Socket upstream, Stream client)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            int read;
            while ((read = await upstream.ReceiveAsync(buffer)) > 0)
            {
                await client.WriteAsync(buffer.AsMemory(0, read));
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
