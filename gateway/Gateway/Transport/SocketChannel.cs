using System.Net.Sockets;

namespace Gateway.Transport;

/// A connected TCP socket as a byte channel: recv and send with MSG_DONTWAIT on its descriptor (SocketCalls).
internal sealed class SocketChannel : IByteChannel
{
    private readonly Socket _socket;

    public SocketChannel(Socket socket)
    {
        _socket = socket;
        Readiness = SocketReadiness.Register(socket);
    }

    public SocketReadiness Readiness { get; }

    public Socket Socket => _socket;

    public int Read(Span<byte> buffer, out SocketError status, out bool drained)
    {
        int received = SocketCalls.Receive(_socket, buffer, out status);
        drained = received < buffer.Length; // a full buffer may have left bytes behind, and no new event says so
        return received;
    }

    public int Write(ReadOnlySpan<byte> data, out SocketError status) => SocketCalls.Send(_socket, data, out status);

    public int WriteGather(ReadOnlySpan<ReadOnlyMemory<byte>> buffers, out SocketError status) =>
        SocketCalls.SendGather(_socket, buffers, out status);

    public void ShutdownSend()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Reset or closed already: the peer has its answer.
        }
    }

    public void Close()
    {
        Readiness.Dispose();
        try
        {
            _socket.Dispose();
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
