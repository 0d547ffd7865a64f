using System.Net;
using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>
/// An address the gateway serves besides its listeners (`demo.echo_address`, `admin.address`): a mapping with one
/// required `host:port` key, which must not take a listener's port.
/// </summary>
internal static class SideAddress
{
    /// <summary>The parsed address with its field and text, or null after reporting why.</summary>
    public static (IPEndPoint EndPoint, ConfigField Field, string Text)? Read(ConfigField node, ConfigSection section, string key,
        ConfigErrorCollector errors)
    {
        if (MappingReader.Open(node, section, errors) is not { } map
            || map.Required(key) is not { } field
            || ScalarReader.NonEmptyText(field, errors) is not { } text)
            return null;

        var endPoint = EndPointParser.Parse(text, out var error);
        if (endPoint is null)
        {
            errors.Add(field, error!);
            return null;
        }

        return (endPoint, field, text);
    }

    /// <summary>False (and an error) when the address takes the same port as a listener.</summary>
    public static bool ClearOfListeners(IPEndPoint endPoint, ConfigField field, string text, IReadOnlyList<ListenerConfig> listeners,
        ConfigErrorCollector errors)
    {
        if (listeners.FirstOrDefault(l => EndPointParser.Overlap(l.EndPoint, endPoint)) is not { } listener)
            return true;

        errors.Add(field, $"`{text}` takes the same port as the listener `{listener.Address}`; pick another port");
        return false;
    }
}
