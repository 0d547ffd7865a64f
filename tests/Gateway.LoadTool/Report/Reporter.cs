using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.LoadTool.Report;

/// Turns the results of several runs into the comparison: per target and metric the median and the spread
/// (min-max), the best of the peers (nginx, HAProxy, Caddy), and the ratio to it of each target that is neither
/// direct nor a peer (the gateway builds and the .NET tunnel).
public static class Reporter
{
    private static readonly string[] Peers = ["nginx", "haproxy", "caddy"];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static IReadOnlyList<ResultRecord> Read(string path) =>
        File.ReadLines(path).Where(l => l.Length > 0)
            .Select(l => JsonSerializer.Deserialize<ResultRecord>(l, Json)!).ToList();

    public static void Write(IReadOnlyList<ResultRecord> records, string markdownPath, string jsonPath, string conditions)
    {
        records = [.. records, .. AddedLatency(records)];
        // Direct first, then the peers, then ours (gateway builds, the tunnel), whichever order the runs measured them in.
        var targets = records.Select(r => r.Target).Distinct()
            .OrderBy(t => t == "direct" ? 0 : Array.IndexOf(Peers, t) is >= 0 and var peer ? 1 + peer : Peers.Length + 1)
            .ToList();
        var table = new StringBuilder();
        table.AppendLine($"Medians of {records.Select(r => r.Run).Distinct().Count()} runs, (min-max) across runs. {conditions}");
        table.AppendLine();
        var json = AppendTable(table, records, targets);
        table.AppendLine();
        table.AppendLine($"The same from the windows with less than {MaxStealPercent}% of the machine's CPU stolen only (so from fewer runs, as few as none, for some figures):");
        table.AppendLine();
        var calmJson = AppendTable(table, Calm(records), targets);
        table.AppendLine();
        foreach (var metric in Metric.All)
        {
            table.AppendLine($"- `{metric.Name}`: {metric.Description}");
        }

        File.WriteAllText(markdownPath, table.ToString());
        var document = new JsonObject { ["conditions"] = conditions, ["metrics"] = json, ["calmWindowsOnly"] = calmJson };
        File.WriteAllText(jsonPath, document.ToJsonString(Json));
        Console.Write(table.ToString());
    }

    /// A window with more of the machine's CPU stolen than this makes its figures worse whatever the target.
    private const double MaxStealPercent = 5;

    /// The records of windows with less than MaxStealPercent stolen (and those whose window has no steal figure).
    private static List<ResultRecord> Calm(IReadOnlyList<ResultRecord> records)
    {
        var steal = records.Where(r => r.Metric.EndsWith("steal_pct", StringComparison.Ordinal))
            .ToDictionary(r => (r.Target, r.Run, r.Metric), r => r.Value);
        return records.Where(r => WindowOf(r.Metric) is not { } window
            || !steal.TryGetValue((r.Target, r.Run, window), out double stolen) || stolen < MaxStealPercent).ToList();

        // A steal figure is its own window's.
        static string? WindowOf(string metric) => metric.EndsWith("steal_pct", StringComparison.Ordinal) ? metric
            : Metric.All.FirstOrDefault(m => m.Name == metric)?.StealMetric;
    }

    /// One table: per metric, each target's median and spread, the best peer, and the ratio to it of each of ours.
    private static JsonArray AppendTable(StringBuilder table, IReadOnlyList<ResultRecord> records, List<string> targets)
    {
        var ours = targets.Where(t => t != "direct" && !Peers.Contains(t)).ToList();
        table.Append("| metric | unit | ").Append(string.Join(" | ", targets)).Append(" | best peer | ")
            .Append(string.Join(" | ", ours.Select(t => t + " / best")))
            .Append(" | ").Append(string.Join(" | ", ours.Select(t => t + " / best, run by run"))).AppendLine(" |");
        table.Append("|---|---|").Append(string.Concat(Enumerable.Repeat("---|", targets.Count + 1 + 2 * ours.Count))).AppendLine();
        var json = new JsonArray();
        foreach (var metric in Metric.All)
        {
            var stats = targets.ToDictionary(t => t, t => Stats.Of(records.Where(r => r.Target == t && r.Metric == metric.Name).Select(r => r.Value)));
            if (stats.Values.All(s => s is null))
            {
                continue;
            }

            var best = !metric.Compared ? null : Peers.Where(p => stats.GetValueOrDefault(p) is not null)
                .OrderBy(p => metric.LowerIsBetter ? stats[p]!.Median : -stats[p]!.Median).FirstOrDefault();
            table.Append($"| {metric.Name} | {metric.Unit} | ")
                .Append(string.Join(" | ", targets.Select(t => stats[t]?.ToString() ?? "")))
                .Append($" | {best ?? ""} | ");
            var ratios = new JsonObject();
            foreach (var target in ours)
            {
                // A ratio to zero or a negative figure (p99 added over a noisy direct run can be below 0) says nothing.
                double? ratio = best is null || stats[target] is null || stats[best]!.Median <= 0
                    ? null : stats[target]!.Median / stats[best]!.Median;
                bool met = ratio is { } r && (metric.LowerIsBetter ? r <= 1.0 : r >= 1.0);
                table.Append(ratio is null ? "n/a" : $"{ratio:0.00}x {(met ? "ok" : "MISS")}").Append(" | ");
                ratios[target] = ratio;
            }

            // The same ratio within each run: with INTERLEAVE=1 the two windows were seconds apart, so what the
            // machine did to both cancels out of it.
            var paired = new JsonObject();
            foreach (var target in ours)
            {
                var perRun = best is null ? null : PerRunRatios(records, metric.Name, target, best);
                table.Append(perRun?.ToString() ?? "n/a").Append(" | ");
                paired[target] = perRun?.ToJson();
            }

            table.AppendLine();
            json.Add(new JsonObject
            {
                ["metric"] = metric.Name,
                ["unit"] = metric.Unit,
                ["lowerIsBetter"] = metric.LowerIsBetter,
                ["description"] = metric.Description,
                ["bestPeer"] = best,
                ["ratioToBestPeer"] = ratios,
                ["ratioToBestPeerRunByRun"] = paired,
                ["targets"] = new JsonObject(stats.Where(s => s.Value is not null)
                    .Select(s => KeyValuePair.Create(s.Key, (JsonNode?)s.Value!.ToJson()))),
            });
        }

        return json;
    }

    /// One of our targets' figure over the peer's, for every run that has both (and a positive peer figure).
    private static Stats? PerRunRatios(IReadOnlyList<ResultRecord> records, string metric, string target, string peer)
    {
        var peerByRun = records.Where(r => r.Target == peer && r.Metric == metric && r.Value > 0)
            .GroupBy(r => r.Run).ToDictionary(g => g.Key, g => g.First().Value);
        return Stats.Of(records.Where(r => r.Target == target && r.Metric == metric && peerByRun.ContainsKey(r.Run))
            .Select(r => r.Value / peerByRun[r.Run]));
    }

    /// p99 through each proxy minus p99 direct, run by run.
    private static IEnumerable<ResultRecord> AddedLatency(IReadOnlyList<ResultRecord> records)
    {
        var direct = records.Where(r => r.Target == "direct" && r.Metric == "a.p99_ms").ToDictionary(r => r.Run, r => r.Value);
        return records.Where(r => r.Metric == "a.p99_ms" && r.Target != "direct" && direct.ContainsKey(r.Run))
            .Select(r => r with { Metric = "a.p99_added_ms", Value = r.Value - direct[r.Run] });
    }

    private sealed record Stats(double Median, double Min, double Max, IReadOnlyList<double> Runs)
    {
        public static Stats? Of(IEnumerable<double> values)
        {
            var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
            if (sorted.Count == 0)
            {
                return null;
            }

            int middle = sorted.Count / 2;
            double median = sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
            return new Stats(median, sorted[0], sorted[^1], sorted);
        }

        public JsonObject ToJson() => new()
        {
            ["median"] = Median,
            ["min"] = Min,
            ["max"] = Max,
            ["runs"] = new JsonArray(Runs.Select(r => (JsonNode?)r).ToArray()),
        };

        public override string ToString() => Runs.Count == 1 ? Format(Median) : $"{Format(Median)} ({Format(Min)}-{Format(Max)})";

        private static string Format(double value) => value switch
        {
            >= 1000 => value.ToString("#,0", CultureInfo.InvariantCulture),
            >= 10 => value.ToString("0.0", CultureInfo.InvariantCulture),
            _ => value.ToString("0.00", CultureInfo.InvariantCulture),
        };
    }
}
