using System.Net;
using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>`demo`: the built-in echo server that makes the default config work with nothing else running.</summary>
internal static class DemoValidator
{
    public static DemoConfig? Read(ConfigField demo, IReadOnlyList<ListenerConfig> listeners, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(demo, ConfigSections.Demo, errors) is not { } map
            || map.Required("echo_address") is not { } field
            || ScalarReader.NonEmptyText(field, errors) is not { } text)
            return null;

        var endPoint = EndPointParser.Parse(text, out var error);
        if (endPoint is null)
        {
            errors.Add(field, error!);
            return null;
        }
        // The echo server answers anyone who reaches it; keeping it on loopback keeps a demo from becoming an open service.
        if (!IPAddress.IsLoopback(endPoint.Address))
        {
            errors.Add(field, $"must be a loopback address (127.0.0.0/8, [::1] or localhost), got `{text}`");
            return null;
        }
        if (listeners.FirstOrDefault(l => EndPointParser.Overlap(l.EndPoint, endPoint)) is { } listener)
        {
            errors.Add(field, $"`{text}` takes the same port as the listener `{listener.Address}`; pick another port");
            return null;
        }
        return new DemoConfig(endPoint);
    }
}
