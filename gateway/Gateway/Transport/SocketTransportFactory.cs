using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Transport;

/// Kestrel's transport for the gateway's listeners: sockets accepted here become SocketConnections, whose plain
/// WebSocket sessions can leave Kestrel after the 101 (ISessionHandoverFeature). Kestrel's own socket transport
/// keeps every connection, and all its per-connection state, until the socket closes.
///
/// `settings(local address)`: how the listener's connections start (AcceptSettings); none: plain, Kestrel's timeouts.
public sealed class SocketTransportFactory(Func<EndPoint, AcceptSettings?>? settings = null, ILogger? logger = null)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    private readonly ILogger _logger = logger ?? NullLogger.Instance;

    private readonly LargeBlockMemoryPool _pool = LargeBlockMemoryPool.Instance;

    public bool CanBind(EndPoint endpoint) => endpoint is IPEndPoint;

    public ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        if (endpoint is not IPEndPoint ip)
        {
            throw new NotSupportedException($"cannot listen on {endpoint}: only IP addresses are supported");
        }

        var socket = new Socket(ip.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (ip.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            // As Kestrel binds on Linux: a port with connections in TIME_WAIT is free.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(ip);
            socket.Listen(512);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            socket.Dispose();
            throw new AddressInUseException(e.Message, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        return ValueTask.FromResult<IConnectionListener>(new SocketListener(socket, _pool, settings, _logger));
    }
}

/// One listening socket; Kestrel calls AcceptAsync in a loop until it unbinds.
internal sealed class SocketListener(Socket socket, LargeBlockMemoryPool pool, Func<EndPoint, AcceptSettings?>? settings, ILogger logger)
    : IConnectionListener
{
    public EndPoint EndPoint { get; } = socket.LocalEndPoint!;

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Socket accepted;
            try
            {
                accepted = await socket.AcceptAsync(cancellationToken);
            }
            catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException
                                           || e is SocketException { SocketErrorCode: SocketError.OperationAborted })
            {
                return null; // unbound
            }
            catch (SocketException)
            {
                continue; // the client reset the connection before it was accepted
            }

            accepted.NoDelay = true;
            var accept = settings?.Invoke(EndPoint);
            var connection = new SocketConnection(accepted, pool, startReceiving: accept?.OpenSslTls != true);
            if (accept is { } start)
            {
                connection.StartHandshakeDeadline(start.HandshakeTimeout, start.Tls, logger);
            }

            return connection;
        }
    }

    public ValueTask UnbindAsync(CancellationToken cancellationToken = default)
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        socket.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// How a listener's accepted connections start (Hosting/ListenerSet): whether TLS runs on them, by OpenSSL (TlsSession:
/// nothing may read the socket before the handshake, so the receive loop starts after it), and the time they have to
/// deliver a complete request head (`listen[].handshake_timeout`, TLS included).
public readonly record struct AcceptSettings(bool Tls, bool OpenSslTls, TimeSpan HandshakeTimeout);
