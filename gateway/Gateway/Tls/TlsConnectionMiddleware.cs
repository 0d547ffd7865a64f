using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using Gateway.Diagnostics;
using Gateway.Tls.OpenSsl;
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
internal sealed class TlsConnectionMiddleware(Func<EndPoint?, ListenerTls?> listenerTls, ILogger logger, TimeSpan? handshakeTimeout = null)
{
    /// Kestrel's default: a client that stalls in the handshake does not hold a connection for longer.
    internal static readonly TimeSpan DefaultHandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly TimeSpan _handshakeTimeout = handshakeTimeout ?? DefaultHandshakeTimeout;

    public async Task OnConnectionAsync(ConnectionContext context, ConnectionDelegate next)
    {
        if (context.Features.Get<ISocketConnectionFeature>() is not { } socket || listenerTls(context.LocalEndPoint) is not { } tls)
        {
            context.Abort(); // not our transport, or the listener went away in a reload
            return;
        }

        // The OpenSSL engine needs the socket unread; a connection accepted before a reload made the listener an
        // OpenSSL one has its receive loop running already, and stays with SslStream.
        if (tls.Contexts is { } contexts && !socket.Pipe.IsStarted)
        {
            await OnOpenSslConnectionAsync(context, socket, contexts, next);
            return;
        }

        socket.Pipe.Start(); // SslStream reads the socket through the pipe's receive loop
        var ssl = new SslStream(new SocketPipeStream(socket.Pipe), leaveInnerStreamOpen: true);
        try
        {
            using var timeout = new CancellationTokenSource(_handshakeTimeout);
            // The listener's prebuilt options for the client's SNI name (certificate, chain, versions, client rules).
            await ssl.AuthenticateAsServerAsync(static (_, hello, state, _) =>
                ValueTask.FromResult(((ListenerTls)state!).For(hello.ServerName)), tls, timeout.Token);
        }
        catch (Exception e) when (IsHandshakeFailure(e))
        {
            Log.TlsHandshakeFailed(logger, context.RemoteEndPoint?.ToString() ?? "unknown", e.Message);
            await ssl.DisposeAsync();
            return;
        }

        var connection = new TlsConnection(ssl, socket);
        socket.SetResponseOutput(connection.Output);
        await RunAsync(context, connection, next);
    }

    /// Whatever a client's bytes make a handshake throw is that client's failure, logged at Debug like any other,
    /// never an unhandled exception with a stack trace: SslStream, fed a record that is not a ClientHello, throws
    /// NotSupportedException ("must use a certificate with the associated private key") before its certificate
    /// callback ever runs, and an aborted connection fails with ObjectDisposedException.
    private static bool IsHandshakeFailure(Exception e) => e is not (OutOfMemoryException or InsufficientExecutionStackException);

    private async Task RunAsync(ConnectionContext context, TlsConnection connection, ConnectionDelegate next)
    {
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

    /// TLS by OpenSSL on the socket itself: the handshake on the socket's loop, then the connection goes on as a
    /// plain one whose channel is TLS over the socket's (TlsChannel, SocketPipe.WrapChannel), taken over by a wss://
    /// session as a ws:// one is (SocketConnection), so the relay reads it with no stream in between.
    private async Task OnOpenSslConnectionAsync(ConnectionContext context, ISocketConnectionFeature socket, ServerContexts contexts,
        ConnectionDelegate next)
    {
        var remote = context.RemoteEndPoint?.ToString() ?? "unknown";
        TlsSession session;
        try
        {
            session = TlsSession.Create(socket.Pipe.Socket, socket.Pipe.Channel.Readiness, contexts);
        }
        catch (Exception e) when (IsHandshakeFailure(e))
        {
            Log.TlsHandshakeFailed(logger, remote, e.Message);
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(_handshakeTimeout);
            await session.AcceptAsync(timeout.Token);
        }
        catch (Exception e) when (IsHandshakeFailure(e))
        {
            Log.TlsHandshakeFailed(logger, remote, e is OperationCanceledException
                ? $"no handshake within {_handshakeTimeout.TotalSeconds:0.###} s" : e.Message);
            session.Dispose();
            return; // Kestrel closes the connection
        }

        TlsFeatures features;
        try
        {
            features = session.DescribeHandshake();
        }
        catch (ObjectDisposedException e)
        {
            Log.TlsHandshakeFailed(logger, remote, e.Message); // aborted (the handshake deadline) as it completed
            session.Dispose();
            return;
        }

        socket.Pipe.WrapChannel(new TlsChannel(socket.Pipe.Channel, session));
        socket.SetResponseOutput(socket.Pipe.Output);
        socket.Pipe.Start();
        context.Features.Set<ITlsConnectionFeature>(features);
        context.Features.Set<ITlsHandshakeFeature>(features);
        context.Features.Set<ITlsApplicationProtocolFeature>(features);
        await next(context);
    }
}
