using Gateway.Configuration.Yaml;
using Gateway.Diagnostics;

namespace Gateway.Configuration.Validation;

/// <summary>`admin`, `shutdown_grace` and `logging`: how the gateway runs as a service.</summary>
internal static class OperationsValidator
{
    public static OperationsConfig Read(MappingReader root, IReadOnlyList<ListenerConfig> listeners, DemoConfig? demo, ConfigErrorCollector errors)
    {
        var admin = root.Optional("admin") is { } a ? ReadAdmin(a, listeners, demo, errors) : null;
        var grace = root.Optional("shutdown_grace") is { } g ? ReadGrace(g, errors) : OperationsConfig.DefaultShutdownGrace;
        var format = root.Optional("logging") is { } l ? ReadLogging(l, errors) : LogFormat.Text;
        return new OperationsConfig(admin, grace, format);
    }

    private static AdminConfig? ReadAdmin(ConfigField admin, IReadOnlyList<ListenerConfig> listeners, DemoConfig? demo, ConfigErrorCollector errors)
    {
        if (SideAddress.Read(admin, ConfigSections.Admin, "address", errors) is not { } found)
            return null;

        var (endPoint, field, text) = found;
        if (!SideAddress.ClearOfListeners(endPoint, field, text, listeners, errors))
            return null;
        if (demo is not null && EndPointParser.Overlap(demo.EchoEndPoint, endPoint))
        {
            errors.Add(field, $"`{text}` takes the same port as demo.echo_address; pick another port");
            return null;
        }
        return new AdminConfig(text, endPoint);
    }

    private static TimeSpan ReadGrace(ConfigField field, ConfigErrorCollector errors)
    {
        if (ScalarReader.NonEmptyText(field, errors) is not { } text)
            return OperationsConfig.DefaultShutdownGrace;
        switch (DurationParser.Parse(text))
        {
            case null:
                errors.Add(field, $"{DurationParser.Usage}, got `{text}`{(long.TryParse(text, out _) ? $"; add a unit, like {text}s" : "")}");
                break;
            case { } grace when grace > DurationParser.Longest:
                errors.Add(field, $"must be at most {DurationParser.Longest.TotalHours:0}h, got `{text}`");
                break;
            case { } grace:
                return grace;
        }
        return OperationsConfig.DefaultShutdownGrace;
    }

    private static LogFormat ReadLogging(ConfigField logging, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(logging, ConfigSections.Logging, errors) is not { } map
            || map.Optional("format") is not { } field
            || ScalarReader.NonEmptyText(field, errors) is not { } text)
            return LogFormat.Text;
        switch (text)
        {
            case "text":
                return LogFormat.Text;
            case "json":
                return LogFormat.Json;
            default:
                errors.Add(field, $"expected `text` or `json`, got `{text}`");
                return LogFormat.Text;
        }
    }
}
