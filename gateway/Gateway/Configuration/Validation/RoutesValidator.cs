using Gateway.Configuration.Yaml;
using Microsoft.AspNetCore.Routing.Patterns;

namespace Gateway.Configuration.Validation;

/// <summary>`routes`: which requests go to which upstream, with which limits.</summary>
internal static class RoutesValidator
{
    /// <summary>
    /// <paramref name="upstreamNames"/> null means the `upstreams` section itself is broken (already reported),
    /// so references to it are not checked rather than all reported as missing.
    /// </summary>
    public static IReadOnlyList<RouteConfig> Read(ConfigField routes, LimitsConfig defaults,
        IReadOnlyCollection<string>? upstreamNames, ConfigErrorCollector errors, string baseDirectory = ".")
    {
        var read = new List<RouteConfig>();
        var firstByName = new Dictionary<string, KeyPath>(StringComparer.Ordinal);
        var firstByMatch = new Dictionary<(string Host, string Path), KeyPath>();
        foreach (var item in ScalarReader.NonEmptyList(routes, "route", errors) ?? [])
        {
            if (MappingReader.Open(item, ConfigSections.Route, errors) is not { } map)
                continue;

            var nameField = map.Required("name");
            var name = nameField is { } n ? ReadName(n, errors) : null;
            if (name is not null && !firstByName.TryAdd(name, item.Path))
                errors.Add(nameField!.Value, $"route name `{name}` is already used by {firstByName[name]}");

            var (host, path, pathField) = map.Required("match") is { } m ? ReadMatch(m, errors) : default;
            var hostAndPath = (host ?? "", path ?? "");
            if (path is not null && !firstByMatch.TryAdd(hostAndPath, item.Path))
                errors.Add(pathField, $"{firstByMatch[hostAndPath]} already matches the same host and path; only the first would ever be used");

            var upstream = map.Required("upstream") is { } u ? ReadUpstreamReference(u, upstreamNames, errors) : null;
            var subprotocols = map.Optional("subprotocols") is { } s ? SubprotocolRules.ReadList(s, errors) : [];
            var limits = map.Optional("limits") is { } l ? LimitsValidator.Read(l, defaults, errors) : defaults;

            var (origins, auth, forward) = RoutePoliciesValidator.Read(map, baseDirectory, errors);

            if (name is not null && path is not null && upstream is not null)
                read.Add(new RouteConfig(name, host, path, upstream, subprotocols, limits, origins, auth, forward));
        }
        return [.. read];
    }

    private static string? ReadName(ConfigField field, ConfigErrorCollector errors)
    {
        var name = ScalarReader.NonEmptyText(field, errors);
        if (name is null || NameRules.IsValid(name))
            return name;
        errors.Add(field, $"{NameRules.Usage}, got `{name}`");
        return null;
    }

    private static (string? Host, string? Path, ConfigField PathField) ReadMatch(ConfigField match, ConfigErrorCollector errors)
    {
        if (MappingReader.Open(match, ConfigSections.RouteMatch, errors) is not { } map)
            return default;
        string? host = null;
        if (map.Optional("host") is { } hostField && ScalarReader.NonEmptyText(hostField, errors) is { } hostText)
        {
            if (HostNameRules.IsValidPattern(hostText))
                host = hostText.ToLowerInvariant(); // RFC 4343: DNS names compare without case
            else
                errors.Add(hostField, $"{HostNameRules.Usage}, got `{hostText}`");
        }
        if (map.Required("path") is not { } pathField)
            return default;
        return (host, ReadPathTemplate(pathField, errors), pathField);
    }

    /// <summary>Parsed with ASP.NET Core's route pattern parser, the one YARP uses, so a template accepted here routes.</summary>
    private static string? ReadPathTemplate(ConfigField field, ConfigErrorCollector errors)
    {
        if (ScalarReader.NonEmptyText(field, errors) is not { } path)
            return null;
        if (!path.StartsWith('/'))
        {
            errors.Add(field, $"must start with `/`, like /ws/{{**rest}}; got `{path}`");
            return null;
        }
        try
        {
            RoutePatternFactory.Parse(path);
            return path;
        }
        catch (RoutePatternException e)
        {
            errors.Add(field, $"invalid route template `{path}`: {e.Message}");
            return null;
        }
    }

    private static string? ReadUpstreamReference(ConfigField field, IReadOnlyCollection<string>? upstreamNames, ConfigErrorCollector errors)
    {
        var name = ScalarReader.NonEmptyText(field, errors);
        if (name is null || upstreamNames is null || upstreamNames.Contains(name))
            return name;
        var hint = Suggestions.DidYouMean(name, upstreamNames);
        errors.Add(field, hint.Length > 0 || upstreamNames.Count == 0
            ? $"no upstream named `{name}` under `upstreams`{hint}"
            : $"no upstream named `{name}` under `upstreams` (there are: {string.Join(", ", upstreamNames.Order(StringComparer.Ordinal).Select(u => $"`{u}`"))})");
        return null;
    }
}
