using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Protocol.Handshake;

namespace Gateway.LoadTool.Echo;

/// A WebSocket echo upstream that costs little per message: raw sockets, frames streamed through EchoFrames, no
/// allocation per message. An idle connection holds no buffer (it waits with a zero-byte receive); buffers are
/// allocated at its first data. Run it with DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1 so continuations run
/// on the socket event thread instead of hopping to the thread pool (compare.sh does).
public static class EchoServer
{
    private const int ChunkBytes = 64 * 1024;
    private const int MaxRequestHead = 8 * 1024;
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    public static async Task RunAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        using var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Bind(endPoint);
        listener.Listen(4096);
        Console.WriteLine($"echo upstream listening on ws://{endPoint}");
        while (!cancellationToken.IsCancellationRequested)
        {
            var socket = await listener.AcceptAsync(cancellationToken);
            socket.NoDelay = true;
            _ = ServeAsync(socket);
        }
    }

    private static async Task ServeAsync(Socket socket)
    {
        try
        {
            var head = new byte[MaxRequestHead];
            int headLength = await ReadHeadAsync(socket, head);
            if (headLength <= 0 || !TryAccept(head.AsSpan(0, headLength), out string response))
            {
                return;
            }

            await socket.SendAsync(Encoding.ASCII.GetBytes(response));
            await EchoAsync(socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// Reads the request head. A client sends no frame before the 101, so the head ends the data the socket has.
    internal static async Task<int> ReadHeadAsync(Socket socket, byte[] head)
    {
        int length = 0;
        while (length < head.Length)
        {
            int read = await socket.ReceiveAsync(head.AsMemory(length));
            if (read == 0)
            {
                return -1;
            }

            length += read;
            if (head.AsSpan(0, length).IndexOf(HeadEnd) >= 0)
            {
                return length;
            }
        }

        return -1;
    }

    internal static bool TryAccept(ReadOnlySpan<byte> head, out string response)
    {
        response = "";
        string text = Encoding.ASCII.GetString(head);
        const string KeyHeader = "\r\nsec-websocket-key:";
        int at = text.IndexOf(KeyHeader, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return false;
        }

        int start = at + KeyHeader.Length;
        string key = text[start..text.IndexOf('\r', start)].Trim();
        response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
            $"Sec-WebSocket-Accept: {WebSocketAccept.Compute(key)}\r\n\r\n";
        return true;
    }

    internal static async Task EchoAsync(Socket socket)
    {
        // Idle until the first frame: no buffer is held by a connection that never sends.
        await socket.ReceiveAsync(Memory<byte>.Empty);
        var frames = new EchoFrames();
        byte[] input = ArrayPool<byte>.Shared.Rent(ChunkBytes);
        byte[] output = ArrayPool<byte>.Shared.Rent(ChunkBytes + EchoFrames.MaxHeaderLength);
        try
        {
            while (!frames.CloseEchoed)
            {
                int read = await socket.ReceiveAsync(input.AsMemory(0, ChunkBytes));
                if (read == 0)
                {
                    return;
                }

                int written = frames.Transform(input.AsSpan(0, read), output);
                for (int sent = 0; sent < written;)
                {
                    sent += await socket.SendAsync(output.AsMemory(sent, written - sent));
                }
            }

            // RFC 6455 7.1.1: the server closes the TCP connection first after the closing handshake.
            socket.Shutdown(SocketShutdown.Both);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(input);
            ArrayPool<byte>.Shared.Return(output);
        }
    }
}
