using Gateway.LoadTool.Measure;

namespace Gateway.LoadTool.Soak;

/// What makes a soak fail, each with the sessions it concerns, and the gateway's own counters from /metrics.
internal static class SoakVerdict
{
    private const int ListedSessions = 10;

    public static List<string> Failures(SoakPool warm, SoakPool main, List<SessionResult> results, SoakSample baseline,
        SoakSample final, int fdTolerance)
    {
        var failures = new List<string>();
        void Check(string what, IEnumerable<SessionResult> bad)
        {
            var list = bad.ToList();
            if (list.Count > 0)
            {
                failures.Add($"{list.Count} {what}: " + string.Join("; ", list.Take(ListedSessions).Select(Describe)));
            }
        }

        var all = warm.Results.Concat(results).ToList();
        Check("normally closed sessions lost, duplicated, reordered or corrupted messages",
            all.Where(r => r.End == SessionEnd.ClosedNormally && !r.Clean));
        Check("sessions (any end) with duplicated, reordered or corrupted messages",
            all.Where(r => r.End != SessionEnd.ClosedNormally && r.Duplicated + r.Reordered + r.Corrupted > 0));
        Check("sessions ended unasked or without a close handshake",
            all.Where(r => r.End is SessionEnd.CloseTimedOut or SessionEnd.ClosedByGateway or SessionEnd.Failed));
        Check("normal closes answered with another code or upstream resets not closed 1014",
            all.Where(r => (r.End == SessionEnd.ClosedNormally && r.CloseCode != 1000) ||
                (r.End == SessionEnd.UpstreamReset && r.CloseCode != 1014)));
        var refused = warm.OpenFailures.Concat(main.OpenFailures).ToList();
        if (refused.Count > 0)
        {
            failures.Add($"{refused.Count} sessions could not open: " + string.Join("; ", refused.Take(ListedSessions)));
        }

        if (final.Descriptors > baseline.Descriptors + fdTolerance)
        {
            failures.Add($"gateway descriptors {final.Descriptors}, baseline {baseline.Descriptors} (+{fdTolerance} allowed)");
        }

        if (final.UpstreamConnections > 0)
        {
            failures.Add($"{final.UpstreamConnections} upstream connections still open after every session closed");
        }

        return failures;
    }

    private static string Describe(SessionResult r) =>
        $"session {r.Id} ({SoakReport.Name(r.End)}, close {r.CloseCode}, sent {r.Sent}, echoed {r.Echoed}, " +
        $"dup {r.Duplicated}, reordered {r.Reordered}, corrupted {r.Corrupted}{(r.Error is null ? "" : ", " + r.Error)})";

    /// The gateway's descriptors that were not open at the baseline (by number and target), TCP ones with their
    /// state and addresses: what a leak is made of.
    public static void PrintNewDescriptors(Dictionary<int, string> baseline, Dictionary<int, string> final)
    {
        var tcp = DescriptorCount.TcpSockets();
        foreach (var (fd, target) in final.Where(d => baseline.GetValueOrDefault(d.Key) != d.Value).OrderBy(d => d.Key))
        {
            Console.WriteLine($"  new since the baseline: fd {fd} -> {target}{(tcp.TryGetValue(target, out var socket) ? " " + socket : "")}");
        }

        foreach (var (fd, target) in baseline.Where(d => !final.ContainsKey(d.Key)).OrderBy(d => d.Key))
        {
            Console.WriteLine($"  closed since the baseline: fd {fd} -> {target}");
        }
    }

    /// The gateway's reload, close and session counters (contract section 5), as its admin endpoint reports them.
    public static async Task PrintMetricsAsync(Uri admin)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            string metrics = await http.GetStringAsync(new Uri(admin, "/metrics"));
            foreach (var line in metrics.Split('\n'))
            {
                if (line.StartsWith("gateway_config_reloads", StringComparison.Ordinal) ||
                    line.StartsWith("gateway_closes", StringComparison.Ordinal) ||
                    line.StartsWith("gateway_sessions_active", StringComparison.Ordinal))
                {
                    Console.WriteLine($"  metrics: {line}");
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.WriteLine($"  metrics: {admin} not reachable: {e.Message}");
        }
    }
}
