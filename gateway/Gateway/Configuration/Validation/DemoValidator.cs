using System.Net;
using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>`demo`: the built-in echo server that makes the default config work with nothing else running.</summary>
internal static class DemoValidator
{
    public static DemoConfig? Read(ConfigField demo, IReadOnlyList<ListenerConfig> listeners, ConfigErrorCollector errors)
    {
        if (SideAddress.Read(demo, ConfigSections.Demo, "echo_address", errors) is not { } found)
            return null;

        var (endPoint, field, text) = found;

        // The echo server answers anyone who reaches it; keeping it on loopback keeps a demo from becoming an open service.
        if (!IPAddress.IsLoopback(endPoint.Address))
        {
            errors.Add(field, $"must be a loopback address (127.0.0.0/8, [::1] or localhost), got `{text}`");
            return null;
        }
        if (!SideAddress.ClearOfListeners(endPoint, field, text, listeners, errors))
            return null;
        return new DemoConfig(endPoint);
    }
}
