using System.Collections.Frozen;
using Gateway.Configuration.Yaml;

namespace Gateway.Configuration.Validation;

/// <summary>`upstreams`: named groups of WebSocket servers that routes send sessions to.</summary>
internal static class UpstreamsValidator
{
    private static readonly Dictionary<string, LoadBalancing> Policies = new(StringComparer.Ordinal)
    {
        ["power_of_two_choices"] = LoadBalancing.PowerOfTwoChoices,
        ["round_robin"] = LoadBalancing.RoundRobin,
        ["least_requests"] = LoadBalancing.LeastRequests,
        ["random"] = LoadBalancing.Random,
        ["first"] = LoadBalancing.First,
    };

    /// <summary>
    /// Every declared name is in the result, even one whose settings have errors, so that routes naming it are not
    /// also reported. Null when `upstreams` is not a mapping at all.
    /// </summary>
    public static IReadOnlyDictionary<string, UpstreamConfig>? Read(ConfigField upstreams, ConfigErrorCollector errors)
    {
        if (upstreams.Node is not ConfigMapping mapping)
        {
            errors.Add(upstreams, $"expected a mapping of upstream names to settings, got {upstreams.Node.Describe()}");
            return null;
        }
        if (mapping.Entries.Count == 0)
            errors.Add(upstreams, "must define at least one upstream");

        var read = new Dictionary<string, UpstreamConfig>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Entries)
        {
            var name = key.Value;
            var field = new ConfigField(value, upstreams.Path.Key(name));
            if (!NameRules.IsValid(name))
                errors.Add(key, field.Path, $"upstream name {NameRules.Usage}, got `{name}`");
            read[name] = ReadUpstream(name, field, errors);
        }
        return read.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static UpstreamConfig ReadUpstream(string name, ConfigField field, ConfigErrorCollector errors)
    {
        var upstream = new UpstreamConfig(name, [], UpstreamConfig.DefaultLoadBalancing,
            UpstreamConfig.DefaultConnectTimeout, UpstreamConfig.DefaultHandshakeTimeout, UpstreamConfig.DefaultRetries);
        if (MappingReader.Open(field, ConfigSections.Upstream, errors) is not { } map)
            return upstream;

        var destinations = new List<Uri>();
        foreach (var item in map.Required("destinations") is { } d ? ScalarReader.NonEmptyList(d, "destination", errors) ?? [] : [])
        {
            if (ReadDestination(item, errors) is not { } uri)
                continue;
            if (destinations.Contains(uri))
                errors.Add(item, $"`{uri.OriginalString}` is listed twice");
            else
                destinations.Add(uri);
        }

        return upstream with
        {
            Destinations = [.. destinations],
            LoadBalancing = map.Optional("load_balancing") is { } lb ? ReadPolicy(lb, errors) ?? upstream.LoadBalancing : upstream.LoadBalancing,
            ConnectTimeout = Timeout(map, "connect_timeout", errors) ?? upstream.ConnectTimeout,
            HandshakeTimeout = Timeout(map, "handshake_timeout", errors) ?? upstream.HandshakeTimeout,
            Retries = map.Optional("retries") is { } r ? ScalarReader.Integer(r, 0, int.MaxValue, errors) ?? upstream.Retries : upstream.Retries,
        };
    }

    /// <summary>
    /// Absolute ws:// or wss:// with a host. A path is kept (a prefix on the upstream); a query or fragment is
    /// refused because the client's own request path and query are what the upstream receives (contract section 2).
    /// </summary>
    private static Uri? ReadDestination(ConfigField item, ConfigErrorCollector errors)
    {
        if (ScalarReader.NonEmptyText(item, errors) is not { } text)
            return null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss") || uri.Host.Length == 0)
        {
            errors.Add(item, $"expected an absolute ws:// or wss:// URI such as ws://10.0.0.5:9000, got `{text}`");
            return null;
        }
        if (uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            errors.Add(item, $"a destination cannot have a query or fragment (the client's own are forwarded), got `{text}`");
            return null;
        }
        return uri;
    }

    private static LoadBalancing? ReadPolicy(ConfigField field, ConfigErrorCollector errors)
    {
        if (ScalarReader.Text(field, errors) is not { } text)
            return null;
        if (Policies.TryGetValue(text, out var policy))
            return policy;
        errors.Add(field, $"expected one of {string.Join(", ", Policies.Keys)}, got `{text}`{Suggestions.DidYouMean(text, Policies.Keys)}");
        return null;
    }

    private static TimeSpan? Timeout(MappingReader map, string key, ConfigErrorCollector errors) =>
        map.Optional(key) is { } field ? LimitsValidator.ReadDuration(field, canBeOff: false, errors) : null;
}
