using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration;

namespace Gateway.Tls;

/// Mutual TLS on a listener (`client_certificates`): Kestrel asks for a certificate (allow) or insists on one
/// (require), and a certificate that is presented must chain to the configured `ca` and only to it: the machine's
/// trust store is not consulted, so a certificate from any public CA is no way in. Which subjects a route admits is
/// the route's `auth.client_certificate`.
public static class ClientCertificates
{
    /// The listener's rules in its handshake options: "require" fails the TLS handshake of a client without a
    /// certificate, "allow" asks for one, and other listeners never ask (a browser would prompt its user).
    public static void Configure(SslServerAuthenticationOptions options, ClientCertificatesConfig? config)
    {
        if (config is null || config.Mode == ClientCertificateRequirement.None)
        {
            return;
        }

        bool required = config.Mode == ClientCertificateRequirement.Require;
        var roots = config.Ca;
        options.ClientCertificateRequired = true;
        options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            AsCertificate2(certificate) is { } presented ? ChainsTo(presented, roots) : !required;
    }

    /// The certificate a client presented, as the X509Certificate2 that chain building and Kestrel's
    /// ITlsConnectionFeature take (SslStream may hand over the base type).
    public static X509Certificate2? AsCertificate2(X509Certificate? certificate) => certificate switch
    {
        null => null,
        X509Certificate2 full => full,
        _ => X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()),
    };

    /// RFC 5280 section 6 path validation against `roots` alone; revocation is not checked (no network at handshake
    /// time), so revoke by removing a CA or by a route's subject patterns.
    public static bool ChainsTo(X509Certificate2 certificate, X509Certificate2Collection roots)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // id-kp-clientAuth (RFC 5280 4.2.1.12): a server certificate from the same CA is not a client certificate.
        chain.ChainPolicy.ApplicationPolicy.Add(new System.Security.Cryptography.Oid("1.3.6.1.5.5.7.3.2"));
        bool valid = chain.Build(certificate);
        foreach (var element in chain.ChainElements)
        {
            element.Certificate.Dispose();
        }

        return valid;
    }
}
