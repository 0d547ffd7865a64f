using System.Diagnostics.Metrics;
using System.Text;

namespace Gateway.Diagnostics;

/// Listens to one Meter's instruments and renders them as Prometheus text exposition format 0.0.4 on request
/// (prometheus-net and the OpenTelemetry exporter are not available here; the format is small).
public sealed class PrometheusExporter : IDisposable
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private readonly MeterListener _listener = new();
    private readonly List<MetricFamily> _families = [];
    private readonly Lock _scrape = new();

    public PrometheusExporter(Meter meter)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (!ReferenceEquals(instrument.Meter, meter))
            {
                return;
            }

            var family = new MetricFamily(instrument);
            lock (_families)
            {
                _families.Add(family);
            }

            listener.EnableMeasurementEvents(instrument, family);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<int>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((MetricFamily)state!).Record(value, tags));
        _listener.Start();
    }

    /// Observes the observable instruments now, then writes every family.
    public string Scrape()
    {
        lock (_scrape)
        {
            MetricFamily[] families;
            lock (_families)
            {
                families = [.. _families];
            }

            foreach (var family in families.Where(f => f.IsObservable))
            {
                family.ClearObserved();
            }

            _listener.RecordObservableInstruments();
            var text = new StringBuilder();
            foreach (var family in families.OrderBy(f => f.Name, StringComparer.Ordinal))
            {
                family.WriteTo(text);
            }

            return text.ToString();
        }
    }

    public void Dispose() => _listener.Dispose();
}
