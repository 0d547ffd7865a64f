using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace Gateway.Tls;

/// Kestrel's HTTPS options for one listener: its certificates by SNI and the minimum TLS version.
public static class ListenerTls
{
    public static HttpsConnectionAdapterOptions Options(TlsConfig tls, ILogger logger)
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

        var options = new HttpsConnectionAdapterOptions
        {
            ServerCertificateSelector = (_, serverName) => store.Select(serverName),
            SslProtocols = tls.MinVersion == SslProtocols.Tls13 ? SslProtocols.Tls13 : SslProtocols.Tls12 | SslProtocols.Tls13,
        };
        ClientCertificates.Apply(options, tls.ClientCertificates);
        return options;
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
