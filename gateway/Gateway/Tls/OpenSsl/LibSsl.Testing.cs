using System.Runtime.InteropServices;

namespace Gateway.Tls.OpenSsl;

/// Calls the gateway itself never makes, for its tests, benchmarks and the load tool's OpenSSL tunnel (each caller
/// named below): one binding declares every OpenSSL call of the repository, with one set of handle types.
internal static unsafe partial class LibSsl
{
    /// SSL_FILETYPE_PEM.
    private const int FiletypePem = 1;

    /// SSL_KEY_UPDATE_REQUESTED: the peer is asked to update its keys too (RFC 8446 4.6.3).
    public const int KeyUpdateRequested = 1;

    /// TlsEngineTests' client on OpenSSL, which does what SslStream cannot (send a TLS 1.3 KeyUpdate).
    [LibraryImport(Ssl)]
    public static partial nint TLS_client_method();

    /// That client's handshake.
    [LibraryImport(Ssl)]
    public static partial int SSL_connect(SslHandle ssl);

    /// That client's KeyUpdate, sent with its next write (RFC 8446 4.6.3).
    [LibraryImport(Ssl)]
    public static partial int SSL_key_update(SslHandle ssl, int updateType);

    /// TlsEngineTests counts the KeyUpdates each way: OpenSSL reports every protocol message sent (`writeP` 1) or
    /// received, a handshake message (content type 22) with its type in its first byte (24: KeyUpdate).
    [LibraryImport(Ssl)]
    public static partial void SSL_set_msg_callback(SslHandle ssl,
        delegate* unmanaged<int, int, int, byte*, nuint, nint, nint, void> callback);

    /// The benchmarks' and the load tool's servers read the PEM files of certs/ (the gateway reads its own: ServerContexts).
    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SSL_CTX_use_certificate_chain_file(SslContextHandle context, string path);

    /// Their private key, from its PEM file.
    [LibraryImport(Ssl, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SSL_CTX_use_PrivateKey_file(SslContextHandle context, string path, int type);

    /// SslFreeProbe (SslHandlesTests): an ex_data slot whose free callback says when OpenSSL really frees an object.
    [LibraryImport(Crypto)]
    public static partial int CRYPTO_get_ex_new_index(int classIndex, long argl, nint argp, nint newFunc, nint dupFunc,
        delegate* unmanaged<nint, nint, nint, int, long, nint, void> freeFunc);

    /// The probe's marker on an SSL (the pointer its handle lends).
    [LibraryImport(Ssl)]
    public static partial int SSL_set_ex_data(nint ssl, int index, nint data);

    /// The probe's marker on an SSL_CTX.
    [LibraryImport(Ssl)]
    public static partial int SSL_CTX_set_ex_data(nint context, int index, nint data);

    /// A server context with the certificate chain and key of two PEM files and OpenSSL's defaults otherwise: what
    /// the benchmarks and the load tool's tunnel measure against SslStream and the gateway.
    public static SslContextHandle ServerContextFromPemFiles(string certificatePath, string keyPath)
    {
        var context = SSL_CTX_new(TLS_server_method());
        if (context.IsInvalid || SSL_CTX_use_certificate_chain_file(context, certificatePath) != 1 ||
            SSL_CTX_use_PrivateKey_file(context, keyPath, FiletypePem) != 1)
        {
            context.Dispose();
            throw new InvalidOperationException(DrainErrors("OpenSSL refused the certificate or key"));
        }

        return context;
    }
}
