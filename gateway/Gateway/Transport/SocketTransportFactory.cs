using System.Net;
using System.Net.Sockets;
using Gateway.Hosting;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Transport;

/// Kestrel's transport for the gateway's listeners: sockets accepted here become SocketConnections, whose plain
/// WebSocket sessions can leave Kestrel after the 101 (ISessionHandoverFeature). Kestrel's own socket transport
/// keeps every connection, and all its per-connection state, until the socket closes.
///
/// `opensslTls(local address)`: whether the listener runs TLS by OpenSSL (TlsSession), whose connections nothing may
/// read before the handshake: their receive loop starts after it (TlsConnectionMiddleware).
public sealed class SocketTransportFactory(Func<EndPoint, bool>? opensslTls = null) : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
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

        return ValueTask.FromResult<IConnectionListener>(new SocketListener(socket, _pool, opensslTls));
    }
}

/// One listening socket; Kestrel calls AcceptAsync in a loop until it unbinds.
internal sealed class SocketListener(Socket socket, LargeBlockMemoryPool pool, Func<EndPoint, bool>? opensslTls) : IConnectionListener
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
            return new SocketConnection(accepted, pool, startReceiving: opensslTls?.Invoke(EndPoint) != true);
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
