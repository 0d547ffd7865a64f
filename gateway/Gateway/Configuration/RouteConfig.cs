namespace Gateway.Configuration;

/// <summary>
/// <see cref="Limits"/> are EFFECTIVE: defaults.limits merged with the route's own `limits` (route keys override one
/// by one). <see cref="Host"/> is lower-cased, null = any host. <see cref="Subprotocols"/> empty = no allow-list configured.
/// </summary>
public sealed record RouteConfig(string Name, string? Host, string Path, string Upstream, IReadOnlyList<string> Subprotocols, LimitsConfig Limits);
