using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>`routes[].auth`: one or more methods, any one of which admits.</summary>
internal static class AuthValidator
{
    public static AuthConfig? Read(ConfigField field, string baseDirectory, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(field, ConfigSections.Auth, errors) is not { } map)
            return null;
        if (field.Node is ConfigMapping { Entries.Count: 0 })
        {
            errors.Add(field, "must name at least one method: `jwt`, `api_keys`, `client_certificate` or `external`; remove `auth` to admit everyone");
            return null;
        }

        return new AuthConfig(
            map.Optional("jwt") is { } j ? JwtValidator.Read(j, baseDirectory, errors) : null,
            map.Optional("api_keys") is { } k ? ApiKeysValidator.Read(k, baseDirectory, errors) : null,
            map.Optional("client_certificate") is { } c ? ReadClientCertificate(c, errors) : null,
            map.Optional("external") is { } e ? ReadExternal(e, errors) : null);
    }

    private static ClientCertificateAuthConfig? ReadClientCertificate(ConfigField field, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(field, ConfigSections.ClientCertificateAuth, errors) is not { } map)
            return null;
        if (map.Required("subjects") is not { } subjectsField)
            return null;
        var subjects = ScalarReader.TextItems(subjectsField, errors).Select(s => s.Text).ToList();
        if (subjects.Count == 0 && subjectsField.Node is ConfigSequence)
            errors.Add(subjectsField, "must list at least one subject pattern, like \"CN=robot-*\" (or \"*\" for any certificate the CA signed)");
        return new ClientCertificateAuthConfig(subjects);
    }

    private static ExternalAuthConfig? ReadExternal(ConfigField field, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(field, ConfigSections.ExternalAuth, errors) is not { } map)
            return null;
        Uri? url = null;
        if (map.Required("url") is { } urlField && ScalarReader.NonEmptyText(urlField, errors) is { } text)
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var parsed) && parsed.Scheme is "http" or "https")
                url = parsed;
            else
                errors.Add(urlField, $"expected an absolute http:// or https:// URL like http://127.0.0.1:7000/check, got `{text}`");
        }

        var timeout = map.Optional("timeout") is { } t
            ? LimitsValidator.ReadDuration(t, canBeOff: false, errors) ?? ExternalAuthConfig.DefaultTimeout
            : ExternalAuthConfig.DefaultTimeout;
        IReadOnlyList<string> forwarded = map.Optional("forward_headers") is { } f
            ? HeaderNameRules.ReadList(f, name => SubprotocolRules.IsToken(name) ? null : $"`{name}` is not a valid header name", errors)
            : ["Authorization", "Cookie"];
        return url is null ? null : new ExternalAuthConfig(url, timeout, forwarded);
    }
}
