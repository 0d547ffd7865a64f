using System.Collections.Frozen;
using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>
/// The whole file: hands each top-level section to its validator. Every validator runs whatever the others
/// found, so one run reports every error; the snapshot returned is only meaningful if none were added.
/// </summary>
internal static class GatewayConfigValidator
{
    public static GatewayConfig Validate(ConfigNode root, string sourcePath, string baseDirectory, ConfigErrorCollector errors)
    {
        var noUpstreams = new Dictionary<string, UpstreamConfig>().ToFrozenDictionary();
        if (MappingReader.Open(new ConfigField(root, KeyPath.Root), ConfigSections.Root, errors) is not { } map)
            return new GatewayConfig(sourcePath, [], LimitsConfig.Default, [], noUpstreams, null);

        var listeners = map.Required("listen") is { } listen ? ListenValidator.Read(listen, baseDirectory, errors) : [];
        var defaults = map.Optional("defaults") is { } d ? ReadDefaults(d, errors) : LimitsConfig.Default;
        var routesField = map.Required("routes");
        // Upstreams before routes, whose `upstream` keys must name one of them.
        var upstreams = map.Required("upstreams") is { } u ? UpstreamsValidator.Read(u, errors) : null;
        var routes = routesField is { } r ? RoutesValidator.Read(r, defaults, upstreams?.Keys.ToArray(), errors, baseDirectory) : [];
        var demo = map.Optional("demo") is { } demoField ? DemoValidator.Read(demoField, listeners, errors) : null;
        var operations = OperationsValidator.Read(map, listeners, demo, errors);
        return new GatewayConfig(sourcePath, listeners, defaults, routes, upstreams ?? noUpstreams, demo) { Operations = operations };
    }

    private static LimitsConfig ReadDefaults(ConfigField defaults, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(defaults, ConfigSections.Defaults, errors) is not { } map)
            return LimitsConfig.Default;
        return map.Optional("limits") is { } limits ? LimitsValidator.Read(limits, LimitsConfig.Default, errors) : LimitsConfig.Default;
    }
}
