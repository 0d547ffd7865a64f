using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.FunctionalTests.Infrastructure;

/// A strict reader of the Prometheus text exposition format 0.0.4: it throws on anything the format does not allow
/// (bad names, bad escapes, a sample before its TYPE, a family split in two, a repeated series, histogram buckets
/// that are not cumulative or disagree with _count), and returns every sample by name and sorted labels.
public static partial class PrometheusTextParser
{
    public static Dictionary<string, double> Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("the last line must end with a line feed");
        }

        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in text.Split('\n').SkipLast(1))
        {
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length >= 3 && parts[1] is "HELP" or "TYPE")
                {
                    var name = parts[2];
                    Require(MetricName().IsMatch(name), $"bad metric name in `{line}`");
                    if (parts[1] == "TYPE")
                    {
                        Require(parts.Length == 4 && parts[3] is "counter" or "gauge" or "histogram" or "summary" or "untyped", $"bad TYPE `{line}`");
                        Require(types.TryAdd(name, parts[3]), $"second TYPE for {name}");
                        Require(parts[3] != "counter" || name.EndsWith("_total", StringComparison.Ordinal), $"counter {name} must end in _total");
                    }

                    Enter(name);
                }

                continue;
            }

            var match = SampleLine().Match(line);
            Require(match.Success, $"not a sample line: `{line}`");
            var sampleName = match.Groups["name"].Value;
            var family = FamilyOf(sampleName, types);
            Require(family is not null, $"sample {sampleName} has no TYPE before it");
            Enter(family!);
            var labels = ParseLabels(match.Groups["labels"].Value);
            var key = Key(sampleName, labels);
            Require(samples.TryAdd(key, ParseValue(match.Groups["value"].Value)), $"repeated series {key}");
        }

        CheckHistograms(samples, types);
        return samples;

        void Enter(string family)
        {
            if (current == family)
            {
                return;
            }

            if (current is not null)
            {
                finished.Add(current);
            }

            Require(!finished.Contains(family), $"family {family} is split in two");
            current = family;
        }
    }

    /// The key of one series: `name{a="1",b="2"}` with labels sorted by name.
    public static string Key(string name, IEnumerable<KeyValuePair<string, string>> labels)
    {
        var sorted = labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"");
        return $"{name}{{{string.Join(",", sorted)}}}";
    }

    private static string? FamilyOf(string sample, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sample))
        {
            return sample;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal) && types.TryGetValue(sample[..^suffix.Length], out var type) && type is "histogram" or "summary")
            {
                return sample[..^suffix.Length];
            }
        }

        return null;
    }

    private static List<KeyValuePair<string, string>> ParseLabels(string text)
    {
        var labels = new List<KeyValuePair<string, string>>();
        int at = 0;
        while (at < text.Length)
        {
            var name = LabelName().Match(text, at);
            Require(name.Success && name.Index == at, $"bad label name at `{text[at..]}`");
            at += name.Length;
            Require(at + 1 < text.Length && text[at] == '=' && text[at + 1] == '"', $"expected =\" in `{text}`");
            at += 2;
            var value = new StringBuilder();
            while (true)
            {
                Require(at < text.Length, $"unterminated label value in `{text}`");
                char c = text[at++];
                if (c == '"')
                {
                    break;
                }

                if (c == '\\')
                {
                    Require(at < text.Length, "dangling escape");
                    char e = text[at++];
                    value.Append(e switch { '\\' => '\\', '"' => '"', 'n' => '\n', _ => throw new FormatException($"bad escape \\{e}") });
                }
                else
                {
                    Require(c != '\n', "raw line feed in a label value");
                    value.Append(c);
                }
            }

            Require(labels.All(l => l.Key != name.Value), $"label {name.Value} repeated");
            labels.Add(new(name.Value, value.ToString()));
            if (at < text.Length)
            {
                Require(text[at] == ',', $"expected , in `{text}`");
                at++;
            }
        }

        return labels;
    }

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new FormatException($"bad value `{text}`"),
    };

    private static void CheckHistograms(Dictionary<string, double> samples, Dictionary<string, string> types)
    {
        foreach (var family in types.Where(t => t.Value == "histogram").Select(t => t.Key))
        {
            var buckets = samples.Where(s => s.Key.StartsWith(family + "_bucket{", StringComparison.Ordinal))
                .GroupBy(s => LabelsWithout(s.Key, "le"));
            foreach (var series in buckets)
            {
                var ordered = series.Select(s => (Le: ParseValue(LeOf(s.Key)), s.Value)).OrderBy(b => b.Le).ToList();
                Require(double.IsPositiveInfinity(ordered[^1].Le), $"{family}: no +Inf bucket");
                for (int i = 1; i < ordered.Count; i++)
                {
                    Require(ordered[i].Value >= ordered[i - 1].Value, $"{family}: buckets not cumulative");
                }

                var count = samples[$"{family}_count{{{series.Key}}}"];
                Require(count == ordered[^1].Value, $"{family}: +Inf bucket {ordered[^1].Value} != count {count}");
                Require(samples.ContainsKey($"{family}_sum{{{series.Key}}}"), $"{family}: no _sum");
            }
        }
    }

    private static string LeOf(string key) => Regex.Match(key, "le=\"([^\"]*)\"").Groups[1].Value;

    private static string LabelsWithout(string key, string label)
    {
        var inner = key[(key.IndexOf('{') + 1)..^1];
        return string.Join(",", inner.Split(',').Where(p => !p.StartsWith(label + "=", StringComparison.Ordinal)));
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new FormatException(message);
        }
    }

    [GeneratedRegex("^[a-zA-Z_:][a-zA-Z0-9_:]*$")]
    private static partial Regex MetricName();

    [GeneratedRegex("[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelName();

    [GeneratedRegex("^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(?<labels>.*)\\})? (?<value>[^ ]+)( -?[0-9]+)?$")]
    private static partial Regex SampleLine();
}
