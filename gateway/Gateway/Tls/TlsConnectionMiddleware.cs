using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Gateway.Diagnostics;
using Gateway.Transport;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Logging;

namespace Gateway.Tls;

/// TLS on a listener, in place of Kestrel's UseHttps: the handshake runs over the connection's SocketPipe, and the
/// TLS connection it yields can be taken over by a wss:// session (TlsConnection), which Kestrel's own TLS layer
/// does not allow: it keeps its SslStream and disposes it when Kestrel is done with the connection.
internal sealed class TlsConnectionMiddleware(Func<EndPoint?, ListenerTls?> listenerTls, ILogger logger)
{
    /// Kestrel's default: a client that stalls in the handshake does not hold a connection for longer.
    internal static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    public async Task OnConnectionAsync(ConnectionContext context, ConnectionDelegate next)
    {
        if (context is not SocketConnection socket || listenerTls(context.LocalEndPoint) is not { } tls)
        {
            context.Abort(); // not our transport, or the listener went away in a reload
            return;
        }

        var ssl = new SslStream(new SocketPipeStream(socket.Pipe), leaveInnerStreamOpen: true);
        try
        {
            using var timeout = new CancellationTokenSource(HandshakeTimeout);
            // The listener's prebuilt options for the client's SNI name (certificate, chain, versions, client rules).
            await ssl.AuthenticateAsServerAsync(static (_, hello, state, _) =>
                ValueTask.FromResult(((ListenerTls)state!).For(hello.ServerName)), tls, timeout.Token);
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or
            ObjectDisposedException or InvalidOperationException)
        {
            Log.TlsHandshakeFailed(logger, context.RemoteEndPoint?.ToString() ?? "unknown", e.Message);
            await ssl.DisposeAsync();
            return;
        }

        var connection = new TlsConnection(ssl, socket);
        var features = context.Features;
        features.Set<ITlsConnectionFeature>(connection);
        features.Set<ITlsHandshakeFeature>(connection);
        features.Set<ITlsApplicationProtocolFeature>(connection);
        features.Set<ISslStreamFeature>(connection);
        features.Set<ISessionHandoverFeature>(connection);
        var original = context.Transport;
        context.Transport = connection.KestrelView;
        try
        {
            await next(context);
        }
        finally
        {
            context.Transport = original;
            if (!connection.IsHandedOver)
            {
                await connection.DisposeAsync();
            }
        }
    }
}
