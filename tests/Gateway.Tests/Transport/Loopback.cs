using System.Net;
using System.Net.Sockets;

namespace Gateway.Tests.Transport;

/// A connected pair of loopback sockets, and the socket reads the transport tests check with.
internal static class Loopback
{
    /// `Local` is the side under test: accepted, like a client's connection, so no asynchronous operation of .NET's
    /// socket engine has touched it (the transport waits on its own epoll sets). `Peer` is the test's own end.
    public static async Task<(Socket Local, Socket Peer)> ConnectAsync()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var peer = new Socket(SocketType.Stream, ProtocolType.Tcp);
        var accepting = listener.AcceptAsync();
        await peer.ConnectAsync(listener.LocalEndPoint!);
        var local = await accepting;
        local.Blocking = false;
        return (local, peer);
    }

    public static async Task<byte[]> ReadExactlyAsync(Socket socket, int count)
    {
        var buffer = new byte[count];
        int at = 0;
        while (at < count)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(at));
            Assert.NotEqual(0, n);
            at += n;
        }

        return buffer;
    }

    /// Everything until the peer's FIN (or a reset).
    public static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        while (true)
        {
            int n;
            try
            {
                n = await socket.ReceiveAsync(buffer);
            }
            catch (SocketException)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            received.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        return [.. received];
    }
}
