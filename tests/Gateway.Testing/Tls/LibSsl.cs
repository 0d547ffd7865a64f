using System.Runtime.InteropServices;

namespace Gateway.Testing.Tls;

/// The calls of the system's OpenSSL (libssl.so.3, Debian's libssl3) that a server needs to run TLS straight on a
/// socket, the way nginx does: OpenSSL reads and writes the descriptor itself, with no memory BIO and no managed
/// stream around it. For measurements (TlsRecordBenchmarks, the load tool's OpenSSL tunnel: what .NET's SslStream
/// costs above that), and for tests that need a client doing what SslStream cannot (a TLS 1.3 KeyUpdate).
public static unsafe partial class LibSsl
{
    private const string Library = "libssl.so.3";
    private const int FiletypePem = 1;

    public const int ErrorWantRead = 2;
    public const int ErrorWantWrite = 3;

    [LibraryImport(Library)]
    private static partial nint TLS_server_method();

    [LibraryImport(Library)]
    private static partial nint TLS_client_method();

    [LibraryImport(Library)]
    private static partial nint SSL_CTX_new(nint method);

    [LibraryImport(Library)]
    public static partial void SSL_CTX_free(nint context);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SSL_CTX_use_certificate_chain_file(nint context, string path);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SSL_CTX_use_PrivateKey_file(nint context, string path, int type);

    [LibraryImport(Library)]
    public static partial nint SSL_new(nint context);

    [LibraryImport(Library)]
    public static partial void SSL_free(nint ssl);

    [LibraryImport(Library)]
    public static partial int SSL_set_fd(nint ssl, int fd);

    [LibraryImport(Library)]
    public static partial int SSL_accept(nint ssl);

    [LibraryImport(Library)]
    public static partial int SSL_connect(nint ssl);

    /// RFC 8446 4.6.3: sends a KeyUpdate with the next write; `updateType` 1 asks the peer to update its keys too.
    [LibraryImport(Library)]
    public static partial int SSL_key_update(nint ssl, int updateType);

    public const int KeyUpdateRequested = 1;

    /// Reports every protocol message sent (`writeP` 1) or received: content type 22 is a handshake message, whose
    /// first byte is its type (24: KeyUpdate).
    [LibraryImport(Library)]
    public static partial void SSL_set_msg_callback(nint ssl,
        delegate* unmanaged<int, int, int, byte*, nuint, nint, nint, void> callback);

    [LibraryImport(Library)]
    public static partial int SSL_read(nint ssl, byte* buffer, int count);

    [LibraryImport(Library)]
    public static partial int SSL_write(nint ssl, byte* buffer, int count);

    [LibraryImport(Library)]
    public static partial int SSL_get_error(nint ssl, int result);

    [LibraryImport("libcrypto.so.3")]
    public static partial void ERR_clear_error();

    /// A server context with the certificate chain and key from PEM files.
    public static nint ServerContext(string certificatePath, string keyPath)
    {
        nint context = SSL_CTX_new(TLS_server_method());
        if (context == 0 || SSL_CTX_use_certificate_chain_file(context, certificatePath) != 1 ||
            SSL_CTX_use_PrivateKey_file(context, keyPath, FiletypePem) != 1)
        {
            throw new InvalidOperationException("OpenSSL refused the certificate or key");
        }

        return context;
    }

    /// A client context; it checks no certificate (OpenSSL's default for a client), which is what tests want.
    public static nint ClientContext()
    {
        nint context = SSL_CTX_new(TLS_client_method());
        return context != 0 ? context : throw new InvalidOperationException("OpenSSL made no client context");
    }
}
