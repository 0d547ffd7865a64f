using Gateway.Tls.OpenSsl;
using static Gateway.Tls.OpenSsl.LibSsl;

namespace Gateway.Benchmarks.Tls;

/// <summary>
/// Blocking use of OpenSSL on a socket (the gateway's LibSsl), for TlsRecordBenchmarks: a handshake, then
/// records read and written by OpenSSL on the descriptor itself.
/// </summary>
internal static class BlockingOpenSsl
{
    /// The server side of a handshake on a connected, blocking socket descriptor.
    public static SslHandle Accept(SslContextHandle context, int fd)
    {
        var ssl = SSL_new(context);
        if (ssl.IsInvalid || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1)
        {
            ssl.Dispose();
            throw new InvalidOperationException("OpenSSL's handshake failed");
        }

        return ssl;
    }

    /// Reads exactly `buffer.Length` bytes of plaintext.
    public static unsafe void ReadExactly(SslHandle ssl, Span<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            for (int done = 0; done < buffer.Length;)
            {
                int read = SSL_read(ssl, start + done, buffer.Length - done);
                done += read > 0 ? read : throw new IOException("SSL_read failed");
            }
        }
    }

    /// Writes the whole buffer as one record (it is no larger than a record's 16 KiB of plaintext).
    public static unsafe void Write(SslHandle ssl, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* start = buffer)
        {
            if (SSL_write(ssl, start, buffer.Length) != buffer.Length)
            {
                throw new IOException("SSL_write failed");
            }
        }
    }
}
