using System.Diagnostics.Metrics;
using Gateway.Diagnostics;

namespace Gateway.Tests.Diagnostics;

public sealed class PrometheusExporterTests
{
    [Fact]
    public void Counters_gauges_and_histograms_are_written_in_the_text_format()
    {
        using var meter = new Meter("test-" + Guid.NewGuid());
        using var exporter = new PrometheusExporter(meter);
        var counter = meter.CreateCounter<long>("test.requests", null, "Requests.");
        var histogram = meter.CreateHistogram("test.latency", "s", "Latency.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1] });
        long gauge = 7;
        meter.CreateObservableUpDownCounter("test.open", () => gauge, "By", "Open bytes.");

        counter.Add(2, new KeyValuePair<string, object?>("route", "a"));
        counter.Add(3, new KeyValuePair<string, object?>("route", "a"));
        counter.Add(1, new KeyValuePair<string, object?>("route", "b\"\\\n"));
        histogram.Record(0.25);
        histogram.Record(0.5);
        histogram.Record(5);

        Assert.Equal("""
            # HELP test_latency_seconds Latency.
            # TYPE test_latency_seconds histogram
            test_latency_seconds_bucket{le="0.1"} 0
            test_latency_seconds_bucket{le="1"} 2
            test_latency_seconds_bucket{le="+Inf"} 3
            test_latency_seconds_sum 5.75
            test_latency_seconds_count 3
            # HELP test_open_bytes Open bytes.
            # TYPE test_open_bytes gauge
            test_open_bytes 7
            # HELP test_requests_total Requests.
            # TYPE test_requests_total counter
            test_requests_total{route="a"} 5
            test_requests_total{route="b\"\\\n"} 1

            """.Replace("\r\n", "\n"), exporter.Scrape());
    }

    [Fact]
    public void Observable_values_are_read_anew_at_each_scrape_and_other_meters_are_ignored()
    {
        using var meter = new Meter("test-" + Guid.NewGuid());
        using var other = new Meter("test-" + Guid.NewGuid());
        using var exporter = new PrometheusExporter(meter);
        long value = 1;
        meter.CreateObservableCounter("test.seen", () => value);
        other.CreateCounter<long>("test.elsewhere").Add(1);

        Assert.Contains("test_seen_total 1\n", exporter.Scrape());
        value = 42;
        var text = exporter.Scrape();

        Assert.Contains("test_seen_total 42\n", text);
        Assert.DoesNotContain("elsewhere", text);
    }
}
