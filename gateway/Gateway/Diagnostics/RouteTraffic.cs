namespace Gateway.Diagnostics;

/// What one route has relayed so far: live sessions included, so long sessions show up before they end.
/// Messages and bytes count whole data messages and their payload bytes, per direction.
public readonly record struct RouteTraffic(string Route, int ActiveSessions,
    long MessagesIn, long BytesIn, long MessagesOut, long BytesOut);

/// Where the metrics read sessions and traffic from when scraped (the live session registry), so the relay
/// itself records nothing per frame for metrics.
public interface ITrafficSource
{
    IReadOnlyList<RouteTraffic> Traffic();
}
