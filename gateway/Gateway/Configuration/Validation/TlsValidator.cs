using System.Security.Authentication;
using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>`listen[].tls`: certificates picked by SNI, and the oldest TLS version accepted.</summary>
internal static class TlsValidator
{
    private static readonly Dictionary<string, SslProtocols> MinVersions = new(StringComparer.Ordinal)
    {
        ["tls1.2"] = SslProtocols.Tls12,
        ["tls1.3"] = SslProtocols.Tls13,
    };

    /// <summary>A .pfx/.p12 (PKCS #12) file holds the certificate and its key; anything else is taken as PEM.</summary>
    private static readonly string[] Pkcs12Extensions = [".pfx", ".p12"];

    public static TlsConfig? Read(ConfigField tls, string baseDirectory, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(tls, ConfigSections.Tls, errors) is not { } map)
            return null;

        var certificates = new List<CertificateConfig>();
        var hostOwners = new Dictionary<string, KeyPath>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in map.Required("certificates") is { } c ? ScalarReader.NonEmptyList(c, "certificate", errors) ?? [] : [])
        {
            if (ReadCertificate(item, baseDirectory, hostOwners, errors) is { } certificate)
                certificates.Add(certificate);
        }

        var minVersion = TlsConfig.DefaultMinVersion;
        if (map.Optional("min_version") is { } versionField && ScalarReader.Text(versionField, errors) is { } version)
        {
            if (MinVersions.TryGetValue(version, out var parsed))
                minVersion = parsed;
            else
                errors.Add(versionField, $"expected `tls1.2` or `tls1.3`, got `{version}`{Suggestions.DidYouMean(version, MinVersions.Keys)}");
        }
        var clientCertificates = map.Optional("client_certificates") is { } cc ? ClientCertificatesValidator.Read(cc, baseDirectory, errors) : null;
        return new TlsConfig([.. certificates], minVersion, clientCertificates);
    }

    private static CertificateConfig? ReadCertificate(ConfigField item, string baseDirectory,
        Dictionary<string, KeyPath> hostOwners, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(item, ConfigSections.Certificate, errors) is not { } map)
            return null;

        var cert = map.Required("cert") is { } c ? ScalarReader.NonEmptyText(c, errors) : null;
        var keyField = map.Optional("key");
        var key = keyField is { } k ? ScalarReader.NonEmptyText(k, errors) : null;
        var password = map.Optional("password") is { } p ? ScalarReader.Text(p, errors) : null;
        var selfSignedField = map.Optional("self_signed_if_missing");
        bool selfSigned = selfSignedField is { } s && ScalarReader.Boolean(s, errors) == true;
        if (cert is not null)
        {
            var isPkcs12 = Pkcs12Extensions.Any(e => cert.EndsWith(e, StringComparison.OrdinalIgnoreCase));
            if (isPkcs12 && keyField is { } unusedKey)
                errors.Add(unusedKey, "a .pfx/.p12 certificate carries its own key; remove `key`");
            else if (!isPkcs12 && keyField is null)
                errors.Add(map.Field.Node, map.Path.Key("key"),
                    "required for a PEM certificate (or give a .pfx/.p12 file as `cert`)");
            if (isPkcs12 && selfSigned && selfSignedField is { } field)
                errors.Add(field, "only a PEM `cert` + `key` pair can be generated; remove `self_signed_if_missing`");
        }

        var hosts = new List<string>();
        foreach (var (field, host) in map.Optional("hosts") is { } h ? ScalarReader.TextItems(h, errors) : [])
        {
            if (!HostNameRules.IsValidPattern(host))
                errors.Add(field, $"{HostNameRules.Usage}, got `{host}`");
            else if (hostOwners.TryGetValue(host, out var owner))
                errors.Add(field, $"`{host}` is already listed at {owner}; SNI picks one certificate per name, so list each name once");
            else
            {
                hostOwners.Add(host, field.Path);
                hosts.Add(host.ToLowerInvariant());
            }
        }

        return cert is null ? null : new CertificateConfig(Resolve(cert, baseDirectory),
            key is null ? null : Resolve(key, baseDirectory), password, [.. hosts], selfSigned);
    }

    /// <summary>Relative to the config file, as nginx resolves ssl_certificate: a service's working directory is no guide.</summary>
    private static string Resolve(string path, string baseDirectory) => Path.GetFullPath(path, baseDirectory);
}
