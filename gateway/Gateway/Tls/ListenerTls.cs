using System.Net.Security;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Gateway.Tls.OpenSsl;
using Microsoft.Extensions.Logging;

namespace Gateway.Tls;

/// One listener's TLS, prepared at start (and at each reload): every certificate's SslServerAuthenticationOptions,
/// with its SslStreamCertificateContext (the chain, built once), the TLS versions and the listener's client
/// certificate rules. A certificate selector that returns an X509Certificate2 instead makes SslStream build the
/// chain against the system store and a new OpenSSL context on every handshake, work that belongs to the
/// listener, not to each new session (tests/perf/README.md, "Why the code is as it is").
public sealed class ListenerTls
{
    private readonly CertificateStore _store;
    private readonly Dictionary<object, SslServerAuthenticationOptions> _options;

    private ListenerTls(CertificateStore store, Dictionary<object, SslServerAuthenticationOptions> options, ServerContexts? contexts)
    {
        _store = store;
        _options = options;
        Contexts = contexts;
    }

    /// The listener's OpenSSL contexts when the OpenSSL engine serves it (TlsEngine), else null (SslStream).
    internal ServerContexts? Contexts { get; }

    /// The names its certificates are served for (for the startup line).
    public IReadOnlyList<string> ServedNames => _store.ServedNames;

    /// The handshake options for a client's SNI name (exact, then wildcard, then the first certificate).
    public SslServerAuthenticationOptions For(string? serverName) => _options[_store.Select(serverName)];

    /// Loads the certificates now (a development certificate written first if asked for): an unreadable one stops
    /// the start, or rejects a reload, before anything changes. `openSsl`: the TLS engine (default: TlsEngine's).
    public static ListenerTls Prepare(TlsConfig tls, ILogger logger, bool? openSsl = null)
    {
        foreach (var certificate in tls.Certificates)
        {
            EnsureDevelopmentCertificate(certificate, logger);
        }

        CertificateStore store;
        try
        {
            store = CertificateStore.Load(tls);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
        {
            throw new CertificateLoadException(e.Message, e);
        }

        var protocols = tls.MinVersion == SslProtocols.Tls13 ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13;
        var options = store.Certificates.ToDictionary<LoadedCertificate, object, SslServerAuthenticationOptions>(c => c.Certificate, c =>
        {
            var options = new SslServerAuthenticationOptions
            {
                // offline: the chain comes from the file and the local store; no network fetch at start.
                ServerCertificateContext = SslStreamCertificateContext.Create(c.Certificate, c.Intermediates, offline: true),
                EnabledSslProtocols = protocols,
                // Listeners speak HTTP/1.1 only (WebSocket upgrades, RFC 6455); with a handshake callback, ALPN is ours to set.
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            };
            ClientCertificates.Configure(options, tls.ClientCertificates);
            return options;
        }, ReferenceEqualityComparer.Instance);
        return new ListenerTls(store, options, OpenSslContexts(tls, store, openSsl ?? TlsEngine.OpenSsl));
    }

    private static ServerContexts? OpenSslContexts(TlsConfig tls, CertificateStore store, bool openSsl)
    {
        if (!openSsl)
        {
            return null;
        }

        try
        {
            return new ServerContexts(store, tls.MinVersion, tls.ClientCertificates);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new CertificateLoadException(e.Message, e);
        }
    }

    /// `self_signed_if_missing: true` (the default gateway.yaml sets it): the first run on a fresh machine makes a
    /// localhost certificate instead of failing. Only when both files are missing: a half-present pair is an error.
    private static void EnsureDevelopmentCertificate(CertificateConfig certificate, ILogger logger)
    {
        if (!certificate.SelfSignedIfMissing || certificate.KeyPath is null ||
            File.Exists(certificate.CertPath) || File.Exists(certificate.KeyPath))
        {
            return;
        }

        DevelopmentCertificate.Create(certificate.CertPath, certificate.KeyPath!);
        Log.DevelopmentCertificateGenerated(logger, certificate.CertPath, string.Join(", ", DevelopmentCertificate.Names));
    }
}

/// A listener's certificate could not be read: the gateway does not start.
public sealed class CertificateLoadException(string message, Exception inner) : Exception("cannot load TLS certificate: " + message, inner);
