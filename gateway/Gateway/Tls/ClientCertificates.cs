using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Gateway.Tls;

/// Mutual TLS on a listener (`client_certificates`): Kestrel asks for a certificate (allow) or insists on one
/// (require), and a certificate that is presented must chain to the configured `ca` and only to it: the machine's
/// trust store is not consulted, so a certificate from any public CA is no way in. Which subjects a route admits is
/// the route's `auth.client_certificate`.
public static class ClientCertificates
{
    /// The listener's mode as Kestrel's per-endpoint `ClientCertificateMode`: "require" fails the TLS handshake of a
    /// client without a certificate; "allow" asks for one; other listeners never ask (a browser would prompt).
    public static ClientCertificateMode KestrelMode(ClientCertificatesConfig? config) => config?.Mode switch
    {
        ClientCertificateRequirement.Require => ClientCertificateMode.RequireCertificate,
        ClientCertificateRequirement.Allow => ClientCertificateMode.AllowCertificate,
        _ => ClientCertificateMode.NoCertificate,
    };

    /// The `client_certificates` of the listener whose TLS handshake is running: set by Kestrel's OnAuthenticate
    /// for the connection, read by the validation callback of the same handshake (Kestrel's validator is shared by
    /// all endpoints and is not told which connection it validates; the handshake's async flow is).
    public static readonly AsyncLocal<ClientCertificatesConfig?> Handshake = new();

    /// Kestrel's ClientCertificateValidation: the certificate must chain to this listener's `ca`.
    public static bool Validate(X509Certificate2 certificate) =>
        Handshake.Value is { Mode: not ClientCertificateRequirement.None } config && ChainsTo(certificate, config.Ca);

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
