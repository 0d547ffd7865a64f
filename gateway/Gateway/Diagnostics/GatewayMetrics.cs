using System.Diagnostics.Metrics;

namespace Gateway.Diagnostics;

/// The gateway's instruments (System.Diagnostics.Metrics), exported as Prometheus text on the admin listener.
/// Counters are added to at handshake and session end only; per-frame traffic is read from the live sessions'
/// own counters when scraped (observable instruments), so the relay path pays nothing for metrics.
/// One Meter per gateway instance, so in-process tests running several gateways do not mix their numbers.
public sealed class GatewayMetrics : IDisposable
{
    public const string MeterName = "Gateway";

    /// Bucket bounds for the upstream connect (TCP, TLS and handshake) time: 1 ms on loopback to the 5 s default timeout.
    private static readonly double[] ConnectBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// Bucket bounds for session lifetimes: from a failed first message to sessions held open for a day.
    private static readonly double[] DurationBuckets = [0.1, 1, 10, 60, 300, 900, 3600, 14400, 86400];

    private readonly Counter<long> _handshakes;
    private readonly Counter<long> _closes;
    private readonly Histogram<double> _connect;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _reloads;

    public GatewayMetrics(ITrafficSource traffic)
    {
        Meter = new Meter(MeterName, Cli.VersionInfo.Current);
        _handshakes = Meter.CreateCounter<long>("gateway.handshakes", null,
            "WebSocket upgrade requests, by route and the HTTP status answered (101: the session started).");
        _closes = Meter.CreateCounter<long>("gateway.closes", null,
            "Close frames the gateway sent, by route, leg (side: client or upstream) and close code; code none: the leg was gone.");
        _connect = Meter.CreateHistogram("gateway.upstream.connect.duration", "s",
            "Time from the first upstream connect attempt to the upstream's answer to the handshake (or to the failure), by route.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = ConnectBuckets });
        _duration = Meter.CreateHistogram("gateway.session.duration", "s",
            "Lifetime of finished sessions, from the 101 to both legs closed, by route.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _reloads = Meter.CreateCounter<long>("gateway.config.reloads", null,
            "Configuration reloads, by result: success (applied) or failure (rejected whole, old config kept).");
        Meter.CreateObservableUpDownCounter("gateway.sessions.active",
            () => traffic.Traffic().Select(t => new Measurement<long>(t.ActiveSessions, Route(t.Route))), null,
            "Open WebSocket sessions, by route.");
        Meter.CreateObservableCounter("gateway.messages", () => Directions(traffic, t => t.MessagesIn, t => t.MessagesOut), null,
            "Data messages relayed, by route and direction (client_to_upstream, upstream_to_client).");
        Meter.CreateObservableCounter("gateway.bytes", () => Directions(traffic, t => t.BytesIn, t => t.BytesOut), "By",
            "Payload bytes of data frames relayed, by route and direction.");
    }

    public Meter Meter { get; }

    public void Handshake(string route, int status) =>
        _handshakes.Add(1, Route(route), new KeyValuePair<string, object?>("status", status));

    /// Counts the upgrade request's answer when it starts (a 101 too: Kestrel starts the response to upgrade).
    public void ObserveHandshake(Microsoft.AspNetCore.Http.HttpContext context, string route) =>
        context.Response.OnStarting(() =>
        {
            Handshake(route, context.Response.StatusCode);
            return Task.CompletedTask;
        });

    public void Close(string route, string side, ushort? code) =>
        _closes.Add(1, Route(route), new("side", side), new("code", code?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"));

    public void UpstreamConnect(string route, TimeSpan elapsed) => _connect.Record(elapsed.TotalSeconds, Route(route));

    public void SessionDuration(string route, TimeSpan duration) => _duration.Record(duration.TotalSeconds, Route(route));

    public void Reload(bool success) => _reloads.Add(1, new KeyValuePair<string, object?>("result", success ? "success" : "failure"));

    private static KeyValuePair<string, object?> Route(string route) => new("route", route);

    private static IEnumerable<Measurement<long>> Directions(ITrafficSource traffic, Func<RouteTraffic, long> toUpstream, Func<RouteTraffic, long> toClient)
    {
        foreach (var t in traffic.Traffic())
        {
            yield return new Measurement<long>(toUpstream(t), Route(t.Route), new("direction", "client_to_upstream"));
            yield return new Measurement<long>(toClient(t), Route(t.Route), new("direction", "upstream_to_client"));
        }
    }

    public void Dispose() => Meter.Dispose();
}
