using System.Runtime.InteropServices;

namespace Gateway.Tls.OpenSsl;

/// The calls of the system's OpenSSL 3 (Debian's libssl3, the library .NET's own TLS loads) that the gateway's TLS
/// engine makes: server contexts, and TLS run by OpenSSL on the socket's descriptor, as nginx runs it. Macros of
/// ssl.h (SSL_CTX_set_mode, set_min_proto_version, the servername callback, add1_chain_cert) are their ctrl calls.
internal static unsafe partial class LibSsl
{
    private const string Ssl = "libssl.so.3";
    private const string Crypto = "libcrypto.so.3";

    public const int ErrorNone = 0;
    public const int ErrorSsl = 1;
    public const int ErrorWantRead = 2;
    public const int ErrorWantWrite = 3;
    public const int ErrorSyscall = 5;
    public const int ErrorZeroReturn = 6;

    public const int Tls12Version = 0x0303;
    public const int Tls13Version = 0x0304;

    public const int ExtensionOk = 0;
    public const int ExtensionAlertFatal = 2;
    public const int ExtensionNoAck = 3;

    /// SSL_OP_NO_RENEGOTIATION: a TLS 1.2 client asking to renegotiate gets an alert (as SslStream's server does).
    public const ulong NoRenegotiation = 1ul << 30;

    /// SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS: a write
    /// returns what went out as whole records, is retried from wherever the rest then is, and an idle connection
    /// gives its read and write buffers back.
    public const long WriterModes = 0x1 | 0x2 | 0x10;

    private const int CtrlSetReadAhead = 41;
    private const int CtrlMode = 33;
    private const int CtrlSetServerNameCallback = 53;
    private const int CtrlSetServerNameArgument = 54;
    private const int CtrlChainCertificate = 89;
    private const int CtrlSetMinProtocolVersion = 123;
    private const int ServerNameTypeHost = 0;

    [LibraryImport(Ssl)]
    public static partial nint TLS_server_method();

    [LibraryImport(Ssl)]
    public static partial SslContextHandle SSL_CTX_new(nint method);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_free(nint context);

    [LibraryImport(Ssl)]
    public static partial ulong SSL_CTX_set_options(SslContextHandle context, ulong options);

    [LibraryImport(Ssl)]
    private static partial long SSL_CTX_ctrl(SslContextHandle context, int command, long value, nint argument);

    [LibraryImport(Ssl, EntryPoint = "SSL_CTX_ctrl")]
    private static partial long SSL_CTX_ctrl_certificate(SslContextHandle context, int command, long value, X509Handle certificate);

    [LibraryImport(Ssl)]
    private static partial long SSL_CTX_callback_ctrl(SslContextHandle context, int command, nint callback);

    [LibraryImport(Ssl)]
    public static partial int SSL_CTX_use_certificate(SslContextHandle context, X509Handle certificate);

    [LibraryImport(Ssl)]
    public static partial int SSL_CTX_use_PrivateKey(SslContextHandle context, PrivateKeyHandle key);

    [LibraryImport(Ssl)]
    public static partial int SSL_CTX_check_private_key(SslContextHandle context);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_set_alpn_select_cb(SslContextHandle context, nint callback, nint argument);

    [LibraryImport(Ssl)]
    public static partial int SSL_select_next_proto(byte** output, byte* outputLength, byte* server, uint serverLength,
        byte* client, uint clientLength);

    /// SSL_VERIFY_PEER, SSL_VERIFY_FAIL_IF_NO_PEER_CERT.
    public const int VerifyPeer = 0x1;
    public const int VerifyFailIfNoPeerCertificate = 0x2;

    /// X509_V_ERR_CERT_REJECTED: the client's certificate failed our check (alert bad_certificate).
    public const int CertificateRejected = 28;

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_set_verify(SslContextHandle context, int mode, nint callback);

    [LibraryImport(Ssl)]
    public static partial void SSL_CTX_set_cert_verify_callback(SslContextHandle context, nint callback, nint argument);

    [LibraryImport(Ssl)]
    public static partial nint SSL_get0_peer_certificate(SslHandle ssl);

    [LibraryImport(Crypto)]
    public static partial nint X509_STORE_CTX_get0_cert(nint store);

    [LibraryImport(Crypto)]
    public static partial void X509_STORE_CTX_set_error(nint store, int error);

    [LibraryImport(Crypto)]
    private static partial int i2d_X509(nint certificate, byte** output);

    [LibraryImport(Ssl)]
    public static partial SslHandle SSL_new(SslContextHandle context);

    [LibraryImport(Ssl)]
    public static partial void SSL_free(nint ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_set_fd(SslHandle ssl, int fd);

    [LibraryImport(Ssl)]
    public static partial nint SSL_set_SSL_CTX(nint ssl, SslContextHandle context);

    [LibraryImport(Ssl)]
    public static partial int SSL_accept(SslHandle ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_read(SslHandle ssl, byte* buffer, int count);

    [LibraryImport(Ssl)]
    public static partial int SSL_write(SslHandle ssl, byte* buffer, int count);

    [LibraryImport(Ssl)]
    public static partial int SSL_shutdown(SslHandle ssl);

    [LibraryImport(Ssl)]
    public static partial int SSL_get_error(SslHandle ssl, int result);

    [LibraryImport(Ssl)]
    public static partial int SSL_version(SslHandle ssl);

    [LibraryImport(Ssl)]
    private static partial nint SSL_get_servername(nint ssl, int type);

    [LibraryImport(Ssl)]
    private static partial nint SSL_get_servername(SslHandle ssl, int type);

    [LibraryImport(Ssl)]
    public static partial nint SSL_get_current_cipher(SslHandle ssl);

    [LibraryImport(Ssl)]
    public static partial ushort SSL_CIPHER_get_protocol_id(nint cipher);

    [LibraryImport(Ssl)]
    public static partial void SSL_get0_alpn_selected(SslHandle ssl, byte** data, uint* length);

    [LibraryImport(Crypto)]
    public static partial X509Handle d2i_X509(nint reuse, byte** input, long length);

    [LibraryImport(Crypto)]
    public static partial void X509_free(nint certificate);

    [LibraryImport(Crypto)]
    public static partial PrivateKeyHandle d2i_AutoPrivateKey(nint reuse, byte** input, long length);

    [LibraryImport(Crypto)]
    public static partial void EVP_PKEY_free(nint key);

    [LibraryImport(Crypto)]
    public static partial void ERR_clear_error();

    [LibraryImport(Crypto)]
    public static partial ulong ERR_get_error();

    [LibraryImport(Crypto)]
    public static partial ulong ERR_peek_error();

    [LibraryImport(Crypto)]
    private static partial void ERR_error_string_n(ulong error, byte* buffer, nuint length);

    /// An OpenSSL certificate (X509*) as .NET's, by its DER bytes; null for none.
    public static System.Security.Cryptography.X509Certificates.X509Certificate2? ToCertificate(nint x509)
    {
        int length = x509 == 0 ? 0 : i2d_X509(x509, null);
        if (length <= 0)
        {
            return null;
        }

        var der = new byte[length];
        fixed (byte* start = der)
        {
            byte* cursor = start;
            i2d_X509(x509, &cursor);
        }

        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(der);
    }

    public static void SetModes(SslContextHandle context, long modes) => SSL_CTX_ctrl(context, CtrlMode, modes, 0);

    /// Read-ahead: one read of the socket takes as many records as have arrived (TlsSession reads until OpenSSL
    /// wants more, so nothing is left unseen in its buffer), not two reads per record (header, then body).
    public static void SetReadAhead(SslContextHandle context) => SSL_CTX_ctrl(context, CtrlSetReadAhead, 1, 0);

    public static bool SetMinimumVersion(SslContextHandle context, int version) =>
        SSL_CTX_ctrl(context, CtrlSetMinProtocolVersion, version, 0) == 1;

    /// SSL_CTX_add1_chain_cert: the context takes its own reference.
    public static bool AddChainCertificate(SslContextHandle context, X509Handle certificate) =>
        SSL_CTX_ctrl_certificate(context, CtrlChainCertificate, 1, certificate) == 1;

    public static void SetServerNameCallback(SslContextHandle context, nint callback, nint argument)
    {
        SSL_CTX_callback_ctrl(context, CtrlSetServerNameCallback, callback);
        SSL_CTX_ctrl(context, CtrlSetServerNameArgument, 0, argument);
    }

    /// The name the client asked for (SNI), if it sent one: in the servername callback, whose SSL* OpenSSL lends.
    public static string? ServerName(nint ssl) => Marshal.PtrToStringUTF8(SSL_get_servername(ssl, ServerNameTypeHost));

    public static string? ServerName(SslHandle ssl) => Marshal.PtrToStringUTF8(SSL_get_servername(ssl, ServerNameTypeHost));

    /// Every error on this thread's OpenSSL error queue, oldest first, as OpenSSL words them ("; " between), or
    /// `fallback` when there is none. The queue is left empty: it is the thread's, not the connection's, and what one
    /// connection left in it would be read as the next one's failure (ERR_get_error(3)).
    public static string DrainErrors(string fallback)
    {
        string? text = null;
        byte* buffer = stackalloc byte[256];
        for (ulong error = ERR_get_error(); error != 0; error = ERR_get_error())
        {
            ERR_error_string_n(error, buffer, 256);
            string one = Marshal.PtrToStringUTF8((nint)buffer) ?? error.ToString("x");
            text = text is null ? one : text + "; " + one;
        }

        return text ?? fallback;
    }
}
