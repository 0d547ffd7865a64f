using System.Runtime.InteropServices;

namespace Gateway.Benchmarks.Tls;

/// <summary>
/// The few calls of the system's OpenSSL (libssl.so.3) that a server needs to run TLS straight on a socket, the way
/// nginx does: OpenSSL reads and writes the descriptor itself, with no memory BIO and no managed stream around it.
/// Only for TlsRecordBenchmarks, to measure what .NET's SslStream costs per record above that floor.
/// </summary>
internal static partial class LibSsl
{
    private const string Library = "libssl.so.3";
    private const int FiletypePem = 1;

    [LibraryImport(Library)]
    private static partial nint TLS_server_method();

    [LibraryImport(Library)]
    private static partial nint SSL_CTX_new(nint method);

    [LibraryImport(Library)]
    internal static partial void SSL_CTX_free(nint context);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SSL_CTX_use_certificate_chain_file(nint context, string path);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SSL_CTX_use_PrivateKey_file(nint context, string path, int type);

    [LibraryImport(Library)]
    private static partial nint SSL_new(nint context);

    [LibraryImport(Library)]
    internal static partial void SSL_free(nint ssl);

    [LibraryImport(Library)]
    private static partial int SSL_set_fd(nint ssl, int fd);

    [LibraryImport(Library)]
    private static partial int SSL_accept(nint ssl);

    [LibraryImport(Library)]
    private static unsafe partial int SSL_read(nint ssl, byte* buffer, int count);

    [LibraryImport(Library)]
    private static unsafe partial int SSL_write(nint ssl, byte* buffer, int count);

    /// A server context with the certificate chain and key from PEM files.
    public static nint ServerContext(string certificatePath, string keyPath)
    {
        nint context = SSL_CTX_new(TLS_server_method());
        if (context == 0 || SSL_CTX_use_certificate_chain_file(context, certificatePath) != 1 ||
            SSL_CTX_use_PrivateKey_file(context, keyPath, FiletypePem) != 1)
        {
            throw new InvalidOperationException("OpenSSL refused the benchmark's certificate or key");
        }

        return context;
    }

    /// The server side of a handshake on a connected, blocking socket descriptor.
    public static nint Accept(nint context, int fd)
    {
        nint ssl = SSL_new(context);
        if (ssl == 0 || SSL_set_fd(ssl, fd) != 1 || SSL_accept(ssl) != 1)
        {
            throw new InvalidOperationException("OpenSSL's handshake failed");
        }

        return ssl;
    }

    /// Reads exactly `buffer.Length` bytes of plaintext.
    public static unsafe void ReadExactly(nint ssl, Span<byte> buffer)
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
    public static unsafe void Write(nint ssl, ReadOnlySpan<byte> buffer)
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
