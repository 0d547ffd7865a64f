using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>`listen[].tls.client_certificates`: mutual TLS, with presented certificates checked against `ca`.</summary>
internal static class ClientCertificatesValidator
{
    private static readonly Dictionary<string, ClientCertificateRequirement> Modes = new(StringComparer.Ordinal)
    {
        ["none"] = ClientCertificateRequirement.None,
        ["allow"] = ClientCertificateRequirement.Allow,
        ["require"] = ClientCertificateRequirement.Require,
    };

    public static ClientCertificatesConfig? Read(ConfigField field, string baseDirectory, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(field, ConfigSections.ClientCertificates, errors) is not { } map)
            return null;
        var mode = ClientCertificateRequirement.Require;
        if (map.Required("mode") is { } modeField && ScalarReader.Text(modeField, errors) is { } text)
        {
            if (Modes.TryGetValue(text, out var parsed))
                mode = parsed;
            else
                errors.Add(modeField, $"expected `none`, `allow` or `require`, got `{text}`{Suggestions.DidYouMean(text, Modes.Keys)}");
        }

        var ca = new X509Certificate2Collection();
        string? caPath = null;
        if (map.Optional("ca") is { } caField && ScalarReader.NonEmptyText(caField, errors) is { } path)
        {
            caPath = Path.GetFullPath(path, baseDirectory);
            try
            {
                ca.ImportFromPemFile(caPath);
                if (ca.Count == 0)
                    errors.Add(caField, $"`{path}` holds no PEM certificate");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                errors.Add(caField, $"cannot read CA certificates from `{path}`: {e.Message}");
            }
        }
        else if (mode != ClientCertificateRequirement.None)
        {
            errors.Add(map.Field.Node, map.Path.Key("ca"), "required: the PEM file of the CA(s) that issue client certificates");
        }

        return new ClientCertificatesConfig(mode, caPath, ca);
    }
}
