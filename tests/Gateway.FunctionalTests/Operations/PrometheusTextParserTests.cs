using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Operations;

/// The strict parser the metrics test relies on refuses what the text format does not allow.
public sealed class PrometheusTextParserTests
{
    [Fact]
    public void A_valid_exposition_parses()
    {
        var samples = PrometheusTextParser.Parse("""
            # HELP a_total Help with \\ and \n.
            # TYPE a_total counter
            a_total{x="1",b="q\"\\\n"} 3
            # TYPE h histogram
            h_bucket{le="1"} 1
            h_bucket{le="+Inf"} 2
            h_sum 1.5
            h_count 2

            """.Replace("\r\n", "\n"));

        Assert.Equal(3, samples["a_total{b=\"q\"\\\n\",x=\"1\"}"]);
        Assert.Equal(2, samples["h_count{}"]);
    }

    [Theory]
    [InlineData("a_total 1\n")]                                             // no TYPE
    [InlineData("# TYPE a counter\na 1\n")]                                // counter without _total
    [InlineData("# TYPE a_total counter\na_total{x=\"\\t\"} 1\n")]         // bad escape
    [InlineData("# TYPE a_total counter\na_total one\n")]                  // bad value
    [InlineData("# TYPE a_total counter\na_total 1\na_total 2\n")]         // repeated series
    [InlineData("# TYPE a gauge\n# TYPE b gauge\na 1\nb 1\na{x=\"1\"} 1\n")] // family split in two
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n")] // not cumulative
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 1\n")] // +Inf != count
    [InlineData("# TYPE a gauge\na 1")]                                    // no final line feed
    public void Invalid_expositions_are_refused(string text)
    {
        Assert.Throws<FormatException>(() => PrometheusTextParser.Parse(text));
    }
}
