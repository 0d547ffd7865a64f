using System.Net.Sockets;

namespace Gateway.Transport;

/// The bytes of one connection, below its pipes: the transport's one seam. A plain socket (SocketChannel) is one;
/// TLS is another that wraps it (the TLS engine's channel, from the Tls folder, installed by
/// SocketPipe.WrapChannel), so the transport reads and writes a connection without knowing whether it is encrypted.
/// Calls never block: a read or write that cannot go on now says WouldBlock, and the caller waits on Readiness.
internal interface IByteChannel
{
    /// The connection's socket events (one epoll registration), for waits between calls.
    SocketReadiness Readiness { get; }

    /// recv's contract: the bytes read into `buffer`, 0 at the end of the stream, WouldBlock when nothing is there
    /// yet, another status when the connection failed. `drained`: nothing more is buffered anywhere, so the next
    /// read may wait for a socket event (a read that stopped short for any other reason must not wait).
    int Read(Span<byte> buffer, out SocketError status, out bool drained);

    /// send's contract: the bytes taken (maybe fewer than given), WouldBlock when none could be.
    int Write(ReadOnlySpan<byte> data, out SocketError status);

    /// Writes `buffers` in order with as few calls as the channel can (one sendmsg on a plain socket); the bytes
    /// taken, which may end anywhere in them.
    int WriteGather(ReadOnlySpan<ReadOnlyMemory<byte>> buffers, out SocketError status);

    /// Nothing more will be written: the peer is told (a FIN; over TLS a close_notify first). Reads go on.
    void ShutdownSend();

    /// Closes the connection now and frees what the channel holds; every later call fails or reports the end. The
    /// readiness is closed first, so no wait waits and no loop calls the socket again, whichever thread it is on.
    void Close();
}
