using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>`routes[].forward`: what the upstream handshake carries from the client and from its verified identity.</summary>
internal static class ForwardValidator
{
    public static ForwardConfig? Read(ConfigField field, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(field, ConfigSections.Forward, errors) is not { } map)
            return null;
        var headers = map.Optional("headers") is { } h ? HeaderNameRules.ReadList(h, HeaderNameRules.WhyNotCopyable, errors) : null;
        bool identity = map.Optional("identity_headers") is { } i && ScalarReader.Boolean(i, errors) == true;
        return new ForwardConfig(headers, identity);
    }
}
