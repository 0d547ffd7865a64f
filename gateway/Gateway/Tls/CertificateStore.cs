using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration;

namespace Gateway.Tls;

/// A listener's certificates and the SNI names each serves: exact names first, then wildcards ("*.example.com"
/// covers one label, as RFC 6125 6.4.3 allows), then the first certificate for clients that send no SNI.
public sealed class CertificateStore
{
    private readonly List<(string Name, X509Certificate2 Certificate)> _exact = [];
    private readonly List<(string Suffix, X509Certificate2 Certificate)> _wildcards = [];
    private readonly X509Certificate2 _default;
    private readonly List<string> _served = [];

    private CertificateStore(IReadOnlyList<(LoadedCertificate Loaded, IReadOnlyList<string> Hosts)> entries)
    {
        _default = entries[0].Loaded.Certificate;
        Certificates = entries.Select(e => e.Loaded).ToList();
        foreach (var ((certificate, _), hosts) in entries)
        {
            foreach (var host in hosts.Count > 0 ? hosts : NamesIn(certificate))
            {
                _served.Add(host);
                if (host.StartsWith("*.", StringComparison.Ordinal))
                {
                    _wildcards.Add((host[1..], certificate));
                }
                else
                {
                    _exact.Add((host, certificate));
                }
            }
        }
    }

    /// The names SNI selects a certificate by (configured `hosts`, else each certificate's own), in configuration order.
    public IReadOnlyList<string> ServedNames => _served;

    /// Every certificate with the intermediates that followed it in its PEM file, in configuration order.
    public IReadOnlyList<LoadedCertificate> Certificates { get; }

    public static CertificateStore Load(TlsConfig tls) =>
        new(tls.Certificates.Select(c => (LoadCertificate(c), c.Hosts)).ToList());

    public X509Certificate2 Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName))
        {
            return _default;
        }

        foreach (var (name, certificate) in _exact)
        {
            if (string.Equals(name, serverName, StringComparison.OrdinalIgnoreCase))
            {
                return certificate;
            }
        }

        int dot = serverName.IndexOf('.');
        if (dot > 0)
        {
            var suffix = serverName.AsSpan(dot);
            foreach (var (wildcard, certificate) in _wildcards)
            {
                if (suffix.Equals(wildcard, StringComparison.OrdinalIgnoreCase))
                {
                    return certificate;
                }
            }
        }

        return _default;
    }

    private static LoadedCertificate LoadCertificate(CertificateConfig config)
    {
        if (config.KeyPath is null)
        {
            return new(X509CertificateLoader.LoadPkcs12FromFile(config.CertPath, config.Password), []);
        }

        using var pem = X509Certificate2.CreateFromPemFile(config.CertPath, config.KeyPath);
        // Re-import so the private key is usable by SslStream on every platform (PEM keys are ephemeral).
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        // A PEM "fullchain" file carries the intermediates after the leaf; clients need them (as nginx sends them).
        var file = new X509Certificate2Collection();
        file.ImportFromPemFile(config.CertPath);
        return new(certificate, new X509Certificate2Collection(file.Skip(1).ToArray()));
    }

    private static IEnumerable<string> NamesIn(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                return san.EnumerateDnsNames().ToList();
            }
        }

        string cn = certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false);
        return string.IsNullOrEmpty(cn) ? [] : [cn];
    }
}

/// A listener certificate with its private key, and the intermediates sent with it.
public sealed record LoadedCertificate(X509Certificate2 Certificate, X509Certificate2Collection Intermediates);
