using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Hostile;

/// What attackers do with a socket, one call each. Every socket a test opens goes into a HostilePeers, which
/// closes them all at the end of the test (a reset: nothing lingers in TIME_WAIT on the test's side).
internal sealed class HostilePeers : IDisposable
{
    private readonly List<Socket> _sockets = [];

    public IReadOnlyList<Socket> Sockets => _sockets;

    public async Task<Socket> ConnectAsync(Uri gateway)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        lock (_sockets)
        {
            _sockets.Add(socket);
        }

        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, gateway.Port));
        return socket;
    }

    /// Connects and sends `bytes`, then keeps the socket open and reads nothing.
    public async Task<Socket> SendAndHoldAsync(Uri gateway, byte[] bytes)
    {
        var socket = await ConnectAsync(gateway);
        await socket.SendAsync(bytes);
        return socket;
    }

    /// Sends `bytes` one at a time, `interval` apart, until they run out or the gateway drops the connection.
    public static async Task DripAsync(Socket socket, byte[] bytes, TimeSpan interval)
    {
        try
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                await socket.SendAsync(bytes.AsMemory(i, 1));
                await Task.Delay(interval);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The gateway cut it: what the slowloris tests wait for.
        }
    }

    /// Reads until the gateway closes the connection (or `timeout`): what it sent, and whether it closed.
    public static async Task<(string Received, bool Closed)> ReadToEndAsync(Socket socket, TimeSpan timeout)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                int read = await socket.ReceiveAsync(buffer, cts.Token);
                if (read == 0)
                {
                    return (Encoding.Latin1.GetString(received.ToArray()), true);
                }

                received.Write(buffer, 0, read);
            }
        }
        catch (SocketException)
        {
            return (Encoding.Latin1.GetString(received.ToArray()), true); // reset by the gateway: closed too
        }
        catch (OperationCanceledException)
        {
            return (Encoding.Latin1.GetString(received.ToArray()), false);
        }
    }

    /// A TLS client that completes the handshake, with the socket under it (for raw bytes or a reset).
    public async Task<(Socket Socket, SslStream Tls)> TlsAsync(Uri gateway)
    {
        var socket = await ConnectAsync(gateway);
        var ssl = new SslStream(new NetworkStream(socket, ownsSocket: false), false, (_, _, _, _) => true);
        await ssl.AuthenticateAsClientAsync("localhost");
        return (socket, ssl);
    }

    /// A WebSocket session through the gateway (TLS when the URI says wss), with the socket under it, so that a
    /// test can reset it whatever the session is doing.
    public async Task<(Socket Socket, FrameStream Frames)> OpenSessionAsync(Uri gateway, string path)
    {
        Socket socket;
        Stream stream;
        if (gateway.Scheme == "wss")
        {
            (socket, var tls) = await TlsAsync(gateway);
            stream = tls;
        }
        else
        {
            socket = await ConnectAsync(gateway);
            stream = new NetworkStream(socket, ownsSocket: false);
        }

        await stream.WriteAsync(Ascii(RawClient.UpgradeRequest(path, gateway.Authority)));
        var (head, rest) = await HttpHead.ReadAsync(stream, TimeSpan.FromSeconds(10));
        Assert.Equal(101, head?.Status);
        return (socket, new FrameStream(stream, rest) { MasksOutgoing = true });
    }

    /// Drops the connection with a reset (SO_LINGER 0), as a crashed client or a middlebox does.
    public static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text);

    public void Dispose()
    {
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                Reset(socket);
            }

            _sockets.Clear();
        }
    }
}
