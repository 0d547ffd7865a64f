using System.Net.Sockets;
using Gateway.Transport;

namespace Gateway.Tls.OpenSsl;

/// TLS by OpenSSL (TlsSession) over a socket's channel, as a channel again: the connection's pipe reads and writes
/// this one in place of the plain one once the handshake is done (SocketPipe.WrapChannel). OpenSSL calls recv and
/// send on the descriptor itself, so `inner` is here for what comes after the last record: the FIN and the close.
internal sealed class TlsChannel(IByteChannel inner, TlsSession session) : IByteChannel
{
    public SocketReadiness Readiness => inner.Readiness;

    public int Read(Span<byte> buffer, out SocketError status, out bool drained) => session.Read(buffer, out status, out drained);

    public int Write(ReadOnlySpan<byte> data, out SocketError status) => session.Write(data, out status);

    public int WriteGather(ReadOnlySpan<ReadOnlyMemory<byte>> buffers, out SocketError status) => session.WriteGather(buffers, out status);

    /// close_notify after the last bytes, then the FIN.
    public void ShutdownSend()
    {
        session.Shutdown();
        inner.ShutdownSend();
    }

    /// The socket first: a call in progress holds the descriptor, and every later one fails; then OpenSSL's state.
    public void Close()
    {
        inner.Close();
        session.Dispose();
    }
}
