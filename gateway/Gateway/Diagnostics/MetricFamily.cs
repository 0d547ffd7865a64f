using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Gateway.Diagnostics;

/// One instrument as a Prometheus metric family (text exposition format 0.0.4): its name, HELP, TYPE and one series
/// per label set. Counters add, observable instruments hold the last value observed, histograms fill buckets.
internal sealed class MetricFamily
{
    /// Prometheus's own default buckets, for a histogram that gives none.
    private static readonly double[] DefaultBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly string _kind;
    private readonly double[] _bounds = [];

    public MetricFamily(Instrument instrument)
    {
        var type = instrument.GetType().GetGenericTypeDefinition();
        IsObservable = instrument.IsObservable;
        _kind = type == typeof(Counter<>) || type == typeof(ObservableCounter<>) ? "counter"
            : type == typeof(Histogram<>) ? "histogram" : "gauge";
        if (instrument is Histogram<double> histogram)
        {
            _bounds = [.. histogram.Advice?.HistogramBucketBoundaries ?? DefaultBuckets];
        }

        Name = NameOf(instrument, _kind);
        Help = instrument.Description ?? instrument.Name;
    }

    public string Name { get; }
    public string Help { get; }
    public bool IsObservable { get; }

    /// `gateway.upstream.connect.duration` in seconds -> `gateway_upstream_connect_duration_seconds`; counters end in `_total`.
    public static string NameOf(Instrument instrument, string kind)
    {
        var name = instrument.Name.Replace('.', '_').Replace('-', '_');
        name += instrument.Unit switch
        {
            "s" when !name.EndsWith("_seconds", StringComparison.Ordinal) => "_seconds",
            "By" when !name.EndsWith("_bytes", StringComparison.Ordinal) => "_bytes",
            _ => "",
        };
        return kind == "counter" ? name + "_total" : name;
    }

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        lock (_series)
        {
            if (!_series.TryGetValue(labels, out var series))
            {
                series = new Series(_bounds.Length);
                _series.Add(labels, series);
            }

            if (_kind == "histogram")
            {
                int bucket = 0;
                while (bucket < _bounds.Length && value > _bounds[bucket])
                {
                    bucket++;
                }

                series.Buckets[bucket]++;
                series.Count++;
                series.Value += value;
            }
            else
            {
                series.Value = IsObservable ? value : series.Value + value;
            }
        }
    }

    /// Observable instruments report totals on every scrape; a route that is gone stops showing up.
    public void ClearObserved()
    {
        lock (_series)
        {
            _series.Clear();
        }
    }

    public void WriteTo(StringBuilder text)
    {
        text.Append("# HELP ").Append(Name).Append(' ').Append(Help.Replace("\\", "\\\\").Replace("\n", "\\n")).Append('\n');
        text.Append("# TYPE ").Append(Name).Append(' ').Append(_kind).Append('\n');
        lock (_series)
        {
            foreach (var (labels, series) in _series.OrderBy(s => s.Key, StringComparer.Ordinal))
            {
                if (_kind != "histogram")
                {
                    Sample(text, Name, labels, series.Value);
                    continue;
                }

                long cumulative = 0;
                for (int i = 0; i < _bounds.Length; i++)
                {
                    cumulative += series.Buckets[i];
                    Sample(text, Name + "_bucket", Join(labels, $"le=\"{Number(_bounds[i])}\""), cumulative);
                }

                Sample(text, Name + "_bucket", Join(labels, "le=\"+Inf\""), series.Count);
                Sample(text, Name + "_sum", labels, series.Value);
                Sample(text, Name + "_count", labels, series.Count);
            }
        }
    }

    private static void Sample(StringBuilder text, string name, string labels, double value)
    {
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(Number(value)).Append('\n');
    }

    private static string Join(string labels, string label) => labels.Length == 0 ? label : labels + "," + label;

    private static string Number(double value) =>
        double.IsPositiveInfinity(value) ? "+Inf" : double.IsNegativeInfinity(value) ? "-Inf" : double.IsNaN(value) ? "NaN"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// `route="chat",status="101"`: label values escaped as the format says (backslash, double quote, newline).
    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }

        var text = new StringBuilder();
        foreach (var (key, value) in tags)
        {
            if (text.Length > 0)
            {
                text.Append(',');
            }

            var shown = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
            text.Append(key).Append("=\"").Append(shown.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n")).Append('"');
        }

        return text.ToString();
    }

    private sealed class Series(int bounds)
    {
        public double Value;
        public long Count;
        public readonly long[] Buckets = new long[bounds + 1];
    }
}
