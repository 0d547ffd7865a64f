namespace Gateway.Configuration;

/// <summary>
/// <see cref="Limits"/> are EFFECTIVE: defaults.limits merged with the route's own `limits` (route keys override one
/// by one). <see cref="Host"/> is lower-cased, null = any host. <see cref="Subprotocols"/> empty = no allow-list configured.
/// <see cref="Origins"/> null: Origin is not checked; <see cref="Auth"/> null: no credentials needed; <see cref="Forward"/>
/// null: <see cref="ForwardConfig.Default"/>.
/// </summary>
public sealed record RouteConfig(string Name, string? Host, string Path, string Upstream, IReadOnlyList<string> Subprotocols, LimitsConfig Limits,
    OriginsConfig? Origins = null, AuthConfig? Auth = null, ForwardConfig? Forward = null);
