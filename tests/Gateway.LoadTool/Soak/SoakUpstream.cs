using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.LoadTool.Echo;

namespace Gateway.LoadTool.Soak;

/// The soak's upstream: the load tool's echo upstream (EchoServer's handshake and echo loop), with each connection
/// known by the session id in its path (/soak/{id}, which the gateway forwards unchanged) so that chaos can reset
/// one session's upstream leg.
internal sealed class SoakUpstream : IDisposable
{
    private readonly Socket _listener;
    private readonly ConcurrentDictionary<int, Socket> _connections = new();
    private readonly CancellationTokenSource _stop = new();
    private int _open;

    public SoakUpstream(IPEndPoint endPoint)
    {
        _listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        _listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Bind(endPoint);
        _listener.Listen(1024);
        _ = AcceptLoopAsync();
    }

    /// Upstream connections open now (upgraded or not): all of them must be gone once every session has closed.
    public int Open => Volatile.Read(ref _open);

    /// Aborts the upstream leg of session `id` with a TCP RST; false if it has none.
    public bool Reset(int id)
    {
        if (!_connections.TryRemove(id, out var socket))
        {
            return false;
        }

        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        return true;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptAsync(_stop.Token);
                socket.NoDelay = true;
                _ = ServeAsync(socket);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        Interlocked.Increment(ref _open);
        int id = -1;
        try
        {
            var head = new byte[8 * 1024];
            int headLength = await EchoServer.ReadHeadAsync(socket, head);
            if (headLength <= 0 || !EchoServer.TryAccept(head.AsSpan(0, headLength), out string response))
            {
                return;
            }

            id = SessionId(Encoding.ASCII.GetString(head, 0, headLength));
            if (id >= 0)
            {
                _connections[id] = socket;
            }

            await socket.SendAsync(Encoding.ASCII.GetBytes(response));
            await EchoServer.EchoAsync(socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            if (id >= 0)
            {
                _connections.TryRemove(new KeyValuePair<int, Socket>(id, socket));
            }

            socket.Dispose();
            Interlocked.Decrement(ref _open);
        }
    }

    /// "GET /anything/soak/42 HTTP/1.1" -> 42; -1 for any other path.
    private static int SessionId(string head)
    {
        string target = head.Split(' ', 3) is [_, var path, _] ? path : "";
        int at = target.LastIndexOf("/soak/", StringComparison.Ordinal);
        return at >= 0 && int.TryParse(target.AsSpan(at + 6).TrimEnd('/'), NumberStyles.None, CultureInfo.InvariantCulture,
            out int id) ? id : -1;
    }
}
