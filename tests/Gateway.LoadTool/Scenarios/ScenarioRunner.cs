using System.Text.Json;
using Gateway.LoadTool.Cli;
using Gateway.LoadTool.Client;
using Gateway.LoadTool.Measure;
using Gateway.LoadTool.Report;

namespace Gateway.LoadTool.Scenarios;

/// `loadtool run`: the scenarios of issue 6 against one target (the echo upstream directly, or a proxy in front of
/// it), each result appended to the results file as one JSON line per metric.
public static class ScenarioRunner
{
    /// (a) and (d): 100 connections, 64-byte text, 8 in flight. (b): 4 connections, 1 MiB binary, 2 in flight.
    private const int SmallConnections = 100;
    private const int SmallPayload = 64;
    private const int SmallInFlight = 8;
    private const int LargeConnections = 4;
    private const int LargePayload = 1 << 20;
    private const int LargeInFlight = 2;
    private const int FirstIdleBatch = 1000;
    private const int TlsRateThreads = 4;
    /// Source addresses 127.0.0.2-.11: 9,000 sessions need no more than 900 ports from each.
    private const int SourceAddressCount = 10;
    private const string NoProcStat = "/proc/stat not readable";

    public static int Run(Options options)
    {
        string target = options.Required("target");
        int run = options.Int("run", 1);
        var ws = new Uri(options.Required("ws"));
        var wss = options.Text("wss") is { } w ? new Uri(w) : null;
        var meter = options.Text("pid") is { } pid ? new ProcessMeter(int.Parse(pid)) : null;
        var scenarios = (options.Text("scenarios") ?? "c,a,d,b").Split(',');
        var warmup = options.Seconds("warmup", 1);
        var duration = options.Seconds("duration", 5);
        string output = options.Text("out") ?? "results.jsonl";
        var sources = new SourceAddresses(SourceAddressCount);
        var results = new List<ResultRecord>();
        // `missing`: why a value can be NaN (a proxy that refused or stalled relayed nothing): no figure, not a fake one.
        void Record(string metric, double value, string missing = "nothing relayed")
        {
            if (!double.IsFinite(value))
            {
                Console.WriteLine($"  {target,-16} run {run}  {metric,-26} (no value: {missing})");
                return;
            }

            results.Add(new ResultRecord(run, target, metric, value));
            Console.WriteLine($"  {target,-16} run {run}  {metric,-26} {value,14:0.###}");
        }

        // (d) is two measurements; either can be asked for alone.
        foreach (var scenario in scenarios.SelectMany(s => s == "d" ? ["d-messages", "d-sessions"] : new[] { s }))
        {
            switch (scenario)
            {
                case "a":
                    RecordSmall("a", EchoLoad.Run(new(ws, SmallConnections, SmallPayload, false, SmallInFlight, warmup, duration), meter, sources));
                    break;
                case "b":
                    var large = EchoLoad.Run(new(ws, LargeConnections, LargePayload, true, LargeInFlight, warmup, duration), meter, sources);
                    Record("b.mib_per_s", large.RelayedMiBPerSecond);
                    if (meter is not null)
                    {
                        Record("b.cpu_s_per_GiB", large.CpuSecondsPerGiB);
                        Record("b.user_cpu_s_per_GiB", large.UserCpuSecondsPerGiB);
                    }

                    Record("b.steal_pct", large.StealPercent, NoProcStat);

                    break;
                case "c" when meter is not null:
                    var idle = IdleSessions.Run(ws, options.Int("idle-sessions", 9000), FirstIdleBatch, TimeSpan.FromSeconds(2),
                        options.Seconds("idle-hold", 0), meter, sources);
                    Record("c.rss_KiB_per_session", idle.RssKiBPerSession);
                    Record("c.rss_MiB_total", idle.RssAllKiB / 1024.0);
                    break;
                case "c-tls" when meter is not null && wss is not null:
                    // Not one of the scenarios: (c) over TLS, for what an idle wss:// session costs.
                    var idleTls = IdleSessions.Run(wss, options.Int("idle-sessions", 9000), FirstIdleBatch, TimeSpan.FromSeconds(2),
                        options.Seconds("idle-hold", 0), meter, sources);
                    Record("c-tls.rss_KiB_per_session", idleTls.RssKiBPerSession);
                    Record("c-tls.rss_MiB_total", idleTls.RssAllKiB / 1024.0);
                    break;
                case "d-messages" when wss is not null:
                    RecordSmall("d", EchoLoad.Run(new(wss, SmallConnections, SmallPayload, false, SmallInFlight, warmup, duration), meter, sources));
                    break;
                case "d-sessions" when wss is not null:
                    var rate = TlsSessionRate.Run(wss, TlsRateThreads, warmup, duration, meter, sources);
                    Record("d.tls_sessions_per_s", rate.SessionsPerSecond);
                    if (meter is not null)
                    {
                        Record("d.cpu_ms_per_tls_session", rate.CpuMsPerSession);
                        Record("d.user_cpu_ms_per_tls_session", rate.UserCpuMsPerSession);
                    }

                    Record("d.sessions_steal_pct", rate.StealPercent, NoProcStat);

                    if (rate.Failures > 0)
                    {
                        Console.WriteLine($"  {target}: {rate.Failures} TLS sessions failed");
                    }

                    break;
            }
        }

        var json = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        File.AppendAllLines(output, results.Select(r => JsonSerializer.Serialize(r, json)));
        return 0;

        void RecordSmall(string prefix, EchoLoadResult result)
        {
            Record($"{prefix}.msgs_per_s", result.RelayedMessagesPerSecond);
            Record($"{prefix}.p50_ms", result.Latency.QuantileMs(0.50));
            Record($"{prefix}.p99_ms", result.Latency.QuantileMs(0.99));
            if (meter is not null)
            {
                Record($"{prefix}.cpu_s_per_M_msgs", result.CpuSecondsPerMillionMessages);
                Record($"{prefix}.user_cpu_s_per_M_msgs", result.UserCpuSecondsPerMillionMessages);
            }

            Record($"{prefix}.steal_pct", result.StealPercent, NoProcStat);
        }
    }
}
