using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration;

namespace Gateway.Tls.OpenSsl;

/// One listener's OpenSSL server contexts, one per certificate, built with its ListenerTls (at start and at each
/// reload): the certificate, its chain and key, the listener's lowest TLS version, ALPN (http/1.1, the only protocol
/// a listener speaks) and SNI. A handshake starts on the first certificate's context; the servername callback moves
/// it to the context the certificate store picks for the client's name (CertificateStore.Select), as SslStream's
/// selector did.
internal sealed unsafe class ServerContexts
{
    /// "http/1.1" in ALPN's wire form (length-prefixed), where OpenSSL may point its selection.
    private static readonly byte* s_alpn = AlpnList("http/1.1"u8);

    private readonly CertificateStore _store;
    private readonly ClientCertificatesConfig? _clientCertificates;
    private readonly Dictionary<X509Certificate2, SslContextHandle> _contexts = new(ReferenceEqualityComparer.Instance);

    /// Weak: the callbacks find this object through it while a connection made from it holds it (TlsSession).
    private GCHandle _self;

    /// `clientCertificates`: the listener's mTLS rules (ClientCertificates), null or mode none for none.
    public ServerContexts(CertificateStore store, SslProtocols minVersion, ClientCertificatesConfig? clientCertificates = null)
    {
        _store = store;
        _clientCertificates = clientCertificates is { Mode: not ClientCertificateRequirement.None } ? clientCertificates : null;
        _self = GCHandle.Alloc(this, GCHandleType.Weak);
        try
        {
            foreach (var loaded in store.Certificates)
            {
                var context = Build(loaded, minVersion, GCHandle.ToIntPtr(_self));
                _contexts.Add(loaded.Certificate, context);
                if (_clientCertificates is { } rules)
                {
                    AskForClientCertificates(context, rules, GCHandle.ToIntPtr(_self));
                }
            }
        }
        catch
        {
            // A certificate OpenSSL refused rejects the reload: the contexts built so far are freed now, not by a
            // finalizer. No connection has one yet.
            foreach (var context in _contexts.Values)
            {
                context.Dispose();
            }

            throw;
        }

        Default = _contexts[store.Select(null)];
    }

    /// The contexts are not disposed at a reload: a handshake that started on them may still move between them
    /// (OnServerName). Each is freed by its handle's finalizer once neither the listener (ListenerTls) nor a
    /// connection (TlsSession) refers to this object; an SSL made from one holds its own reference until SSL_free.
    ~ServerContexts() => _self.Free();

    /// The context a handshake starts with.
    public SslContextHandle Default { get; }

    private static SslContextHandle Build(LoadedCertificate loaded, SslProtocols minVersion, nint self)
    {
        var context = LibSsl.SSL_CTX_new(LibSsl.TLS_server_method());
        if (context.IsInvalid)
        {
            context.Dispose();
            throw new CryptographicException(LibSsl.DrainErrors("SSL_CTX_new failed"));
        }

        try
        {
            Configure(context, loaded, minVersion, self);
            return context;
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    private static void Configure(SslContextHandle handle, LoadedCertificate loaded, SslProtocols minVersion, nint self)
    {
        LibSsl.SSL_CTX_set_options(handle, LibSsl.NoRenegotiation);
        LibSsl.SetModes(handle, LibSsl.WriterModes);
        LibSsl.SetReadAhead(handle);
        if (!LibSsl.SetMinimumVersion(handle, minVersion == SslProtocols.Tls13 ? LibSsl.Tls13Version : LibSsl.Tls12Version))
        {
            throw new CryptographicException(LibSsl.DrainErrors("cannot set the lowest TLS version"));
        }

        UseCertificate(handle, loaded.Certificate, chain: false);
        foreach (var intermediate in loaded.Intermediates)
        {
            UseCertificate(handle, intermediate, chain: true);
        }

        UsePrivateKey(handle, loaded.Certificate);
        LibSsl.SSL_CTX_set_alpn_select_cb(handle, (nint)(delegate* unmanaged<nint, byte**, byte*, byte*, uint, nint, int>)&OnAlpn, 0);
        LibSsl.SetServerNameCallback(handle, (nint)(delegate* unmanaged<nint, int*, nint, int>)&OnServerName, self);
    }

    private static void UseCertificate(SslContextHandle context, X509Certificate2 certificate, bool chain)
    {
        byte[] der = certificate.RawData;
        X509Handle x509;
        fixed (byte* start = der)
        {
            byte* cursor = start;
            x509 = LibSsl.d2i_X509(0, &cursor, der.Length);
        }

        using var _ = x509; // both calls below take a reference of their own
        if (x509.IsInvalid)
        {
            throw new CryptographicException(LibSsl.DrainErrors("OpenSSL cannot read the certificate " + certificate.Subject));
        }

        bool used = chain ? LibSsl.AddChainCertificate(context, x509) : LibSsl.SSL_CTX_use_certificate(context, x509) == 1;
        if (!used)
        {
            throw new CryptographicException(LibSsl.DrainErrors("OpenSSL refused the certificate " + certificate.Subject));
        }
    }

    private static void UsePrivateKey(SslContextHandle context, X509Certificate2 certificate)
    {
        using AsymmetricAlgorithm key = (AsymmetricAlgorithm?)certificate.GetRSAPrivateKey() ?? certificate.GetECDsaPrivateKey() ??
            throw new CryptographicException("the certificate " + certificate.Subject + " has no RSA or ECDSA private key");
        byte[] pkcs8 = key.ExportPkcs8PrivateKey();
        try
        {
            PrivateKeyHandle evp;
            fixed (byte* start = pkcs8)
            {
                byte* cursor = start;
                evp = LibSsl.d2i_AutoPrivateKey(0, &cursor, pkcs8.Length);
            }

            using var _ = evp; // SSL_CTX_use_PrivateKey takes a reference of its own
            if (evp.IsInvalid)
            {
                throw new CryptographicException(LibSsl.DrainErrors("OpenSSL cannot read the private key"));
            }

            bool used = LibSsl.SSL_CTX_use_PrivateKey(context, evp) == 1 && LibSsl.SSL_CTX_check_private_key(context) == 1;
            if (!used)
            {
                throw new CryptographicException(LibSsl.DrainErrors("OpenSSL refused the private key of " + certificate.Subject));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pkcs8);
        }
    }

    /// mTLS as SslStream ran it (ClientCertificates.Configure): "require" fails a handshake without a certificate,
    /// "allow" asks for one; a certificate that is presented is checked by ClientCertificates.ChainsTo, in place of
    /// OpenSSL's own verification, so both engines admit exactly the same certificates.
    private static void AskForClientCertificates(SslContextHandle context, ClientCertificatesConfig rules, nint self)
    {
        int mode = LibSsl.VerifyPeer | (rules.Mode == ClientCertificateRequirement.Require ? LibSsl.VerifyFailIfNoPeerCertificate : 0);
        LibSsl.SSL_CTX_set_verify(context, mode, 0);
        LibSsl.SSL_CTX_set_cert_verify_callback(context, (nint)(delegate* unmanaged<nint, nint, int>)&OnClientCertificate, self);
    }

    /// The client's certificate against the listener's CA (and only it); 1 admits it, 0 fails the handshake.
    [UnmanagedCallersOnly]
    private static int OnClientCertificate(nint store, nint self)
    {
        try
        {
            if (GCHandle.FromIntPtr(self).Target is ServerContexts { _clientCertificates: { } rules } &&
                LibSsl.ToCertificate(LibSsl.X509_STORE_CTX_get0_cert(store)) is { } presented)
            {
                using (presented)
                {
                    if (ClientCertificates.ChainsTo(presented, rules.Ca))
                    {
                        return 1;
                    }
                }
            }
        }
        catch
        {
            // nothing may unwind into OpenSSL: a certificate that cannot be read is refused
        }

        LibSsl.X509_STORE_CTX_set_error(store, LibSsl.CertificateRejected);
        return 0;
    }

    /// SNI: the handshake moves to the context of the certificate for the client's name (no name: the default).
    [UnmanagedCallersOnly]
    private static int OnServerName(nint ssl, int* alert, nint self)
    {
        try
        {
            if (GCHandle.FromIntPtr(self).Target is ServerContexts contexts &&
                contexts._contexts.TryGetValue(contexts._store.Select(LibSsl.ServerName(ssl)), out var context) &&
                context != contexts.Default)
            {
                LibSsl.SSL_set_SSL_CTX(ssl, context); // the SSL takes a reference to its new context
            }

            return LibSsl.ExtensionOk;
        }
        catch
        {
            return LibSsl.ExtensionAlertFatal; // nothing may unwind into OpenSSL
        }
    }

    /// ALPN: http/1.1 if the client offers it; a client that offers only other protocols is refused
    /// (no_application_protocol, RFC 7301 3.2); one that offers none gets no ALPN answer.
    [UnmanagedCallersOnly]
    private static int OnAlpn(nint ssl, byte** selected, byte* selectedLength, byte* offered, uint offeredLength, nint argument) =>
        LibSsl.SSL_select_next_proto(selected, selectedLength, s_alpn, (uint)(1 + s_alpn[0]), offered, offeredLength) == 1
            ? LibSsl.ExtensionOk
            : LibSsl.ExtensionAlertFatal;

    private static byte* AlpnList(ReadOnlySpan<byte> protocol)
    {
        var list = (byte*)NativeMemory.Alloc((nuint)(1 + protocol.Length));
        list[0] = (byte)protocol.Length;
        protocol.CopyTo(new Span<byte>(list + 1, protocol.Length));
        return list;
    }
}
