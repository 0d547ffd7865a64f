using System.Runtime.InteropServices;

namespace Gateway.Tls.OpenSsl;

// The OpenSSL objects the gateway owns, each freed by its SafeHandle: exactly once (Dispose, or the finalizer of a
// handle nobody disposed), and never while a LibSsl call that was passed the handle is still running (the marshaller
// holds a reference for the call's length). Pointers OpenSSL lends (get0 results, a callback's SSL*) stay nint.
// The parameterless constructors are for LibraryImport, which returns these from SSL_CTX_new, SSL_new and d2i_*.

/// An SSL_CTX (SSL_CTX_free). OpenSSL counts its references: SSL_new and SSL_set_SSL_CTX take one each for the
/// connection, so freeing this handle (a reload's old contexts) only drops ours, and the connection's SSL_free drops
/// the last.
internal sealed class SslContextHandle() : SafeHandle(0, ownsHandle: true)
{
    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibSsl.SSL_CTX_free(handle);
        return true;
    }
}

/// An SSL, one connection (SSL_free). SSL_free does not close the descriptor (SSL_set_fd's BIO does not own it).
internal sealed class SslHandle() : SafeHandle(0, ownsHandle: true)
{
    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibSsl.SSL_free(handle);
        return true;
    }
}

/// An X509 read from DER (X509_free); a context that uses it takes a reference of its own.
internal sealed class X509Handle() : SafeHandle(0, ownsHandle: true)
{
    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibSsl.X509_free(handle);
        return true;
    }
}

/// An EVP_PKEY read from PKCS#8 (EVP_PKEY_free); SSL_CTX_use_PrivateKey takes a reference of its own.
internal sealed class PrivateKeyHandle() : SafeHandle(0, ownsHandle: true)
{
    public override bool IsInvalid => handle == 0;

    protected override bool ReleaseHandle()
    {
        LibSsl.EVP_PKEY_free(handle);
        return true;
    }
}
