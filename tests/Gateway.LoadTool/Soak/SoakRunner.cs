using System.Diagnostics;
using System.Globalization;
using System.Net;
using Gateway.LoadTool.Cli;
using Gateway.LoadTool.Client;
using Gateway.LoadTool.Measure;

namespace Gateway.LoadTool.Soak;

/// `loadtool soak`: sessions through the gateway to the tool's own upstream for `minutes` under chaos, every echo
/// checked; the gateway's RSS and descriptors sampled. A short warm-up comes first and sets the baseline
/// (the gateway's JIT, pools and GC heap grow at the first load and stay: the question is whether sessions leave
/// anything behind). Exit 1 when a session that closed normally lost, duplicated, reordered or damaged a message,
/// when the gateway ended or refused a session unasked, or when descriptors or upstream connections are not back.
public static class SoakRunner
{
    /// 127.0.0.2-.11: the per-address connection limits stay out of the way and ports never run short.
    private const int SourceAddressCount = 10;

    public static async Task<int> RunAsync(Options options)
    {
        var gateway = new Uri(options.Required("gateway"));
        int pid = int.Parse(options.Required("gateway-pid"), CultureInfo.InvariantCulture);
        int sessions = options.Int("sessions", 200);
        var duration = TimeSpan.FromMinutes(double.Parse(options.Text("minutes") ?? "10", CultureInfo.InvariantCulture));
        double rate = double.Parse(options.Text("rate") ?? "10", CultureInfo.InvariantCulture);
        var sampleEvery = options.Seconds("sample", 30);
        var warmup = options.Seconds("warmup", 30);
        var settle = options.Seconds("settle", 10);
        int fdTolerance = options.Int("fd-tolerance", 8);
        var reload = options.Text("config") is { } config ? new GatewayReload(config, pid) : null;
        var admin = options.Text("admin") is { } a ? new Uri(a) : null;

        ThreadPool.GetMinThreads(out int workers, out int io);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), io);
        using var upstream = new SoakUpstream(IPEndPoint.Parse(options.Text("upstream") ?? "127.0.0.1:18400"));
        var meter = new ProcessMeter(pid);
        var traffic = new SoakTraffic();
        var sources = new SourceAddresses(SourceAddressCount);
        var clock = Stopwatch.StartNew();
        var samples = new List<SoakSample>();
        long lastEchoed = 0;
        var lastAt = TimeSpan.Zero;
        SoakSample Sample(string time, SoakPool? pool, ChaosLoop? chaos)
        {
            var now = clock.Elapsed;
            long echoed = traffic.Echoed;
            var sample = new SoakSample(time, pool?.Running ?? 0, upstream.Open, traffic.Sent, echoed,
                (echoed - lastEchoed) / Math.Max((now - lastAt).TotalSeconds, 1e-3), meter.Sample().RssKiB,
                DescriptorCount.Of(pid), chaos?.Total ?? 0);
            (lastEchoed, lastAt) = (echoed, now);
            samples.Add(sample);
            Console.WriteLine($"  {time,-10} sessions {sample.Sessions,5}  sent {sample.Sent,9}  echoed {sample.Echoed,9}  " +
                $"RSS {sample.RssKiB / 1024.0,6:0.0} MiB  fds {sample.Descriptors,5}  chaos {sample.ChaosActions,4}");
            return sample;
        }

        Console.WriteLine($"soak: {sessions} sessions at {rate}/s each through {gateway} for {duration.TotalMinutes} min");
        var cold = Sample("start", null, null);

        // The warm-up has chaos too: the code behind resets, 1014s and reloads is loaded and compiled before the
        // baseline (a soak without it counted two assemblies the first reload maps, four descriptors, as a leak).
        var chaosInterval = options.Seconds("chaos-interval", 3);
        var warm = new SoakPool(gateway, sessions, rate, traffic, sources);
        var warmChaos = new ChaosLoop(warm, upstream, reload, chaosInterval);
        using (var stopWarmChaos = new CancellationTokenSource(warmup))
        {
            await warmChaos.RunAsync(stopWarmChaos.Token);
        }

        Sample("warm-up", warm, warmChaos);
        await warm.CloseAllAsync();
        await Task.Delay(settle);
        var baseline = Sample("baseline", null, null);
        var baselineTargets = DescriptorCount.Targets(pid);

        var main = new SoakPool(gateway, sessions, rate, traffic, sources);
        var chaos = new ChaosLoop(main, upstream, reload, chaosInterval);
        using var stopChaos = new CancellationTokenSource();
        var chaosRun = chaos.RunAsync(stopChaos.Token);
        var started = clock.Elapsed;
        for (var next = sampleEvery; next <= duration; next += sampleEvery)
        {
            await Task.Delay(started + next - clock.Elapsed is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
            Sample($"{(int)next.TotalMinutes}:{next.Seconds:00}", main, chaos);
        }

        await stopChaos.CancelAsync();
        await chaosRun;
        await main.CloseAllAsync();
        Sample("all closed", null, chaos);

        // Settle: at least `settle`, then until descriptors and upstream connections are back (at most 3 x settle).
        await Task.Delay(settle);
        for (var deadline = clock.Elapsed + 2 * settle; clock.Elapsed < deadline &&
            (DescriptorCount.Of(pid) > baseline.Descriptors + fdTolerance || upstream.Open > 0);)
        {
            await Task.Delay(1000);
        }

        var final = Sample("final", null, chaos);
        var results = main.Results.ToList();
        var failures = SoakVerdict.Failures(warm, main, results, baseline, final, fdTolerance);

        Console.WriteLine();
        Console.WriteLine(SoakReport.Table(samples));
        Console.WriteLine(SoakReport.Totals(results));
        Console.WriteLine($"warm-up: {warm.Results.Count} sessions ended, {warm.Results.Count(r => r.End == SessionEnd.ClosedNormally && r.Clean)} " +
            $"closed normally and clean; chaos actions {warmChaos.Total}");
        Console.WriteLine("chaos actions: " + string.Join(", ", ChaosLoop.Actions.Zip(chaos.Counts, (name, n) => $"{name} {n}")));
        Console.WriteLine($"gateway RSS: start {cold.RssKiB / 1024.0:0.0} MiB, baseline {baseline.RssKiB / 1024.0:0.0} MiB, " +
            $"final {final.RssKiB / 1024.0:0.0} MiB ({(final.RssKiB - baseline.RssKiB) / 1024.0:+0.0;-0.0} MiB)");
        Console.WriteLine($"gateway fds: start {cold.Descriptors}, baseline {baseline.Descriptors}, final {final.Descriptors} " +
            $"({final.Descriptors - baseline.Descriptors:+0;-0;0}, tolerance {fdTolerance}); upstream connections left: {final.UpstreamConnections}");
        SoakVerdict.PrintNewDescriptors(baselineTargets, DescriptorCount.Targets(pid));
        if (admin is not null)
        {
            await SoakVerdict.PrintMetricsAsync(admin);
        }

        foreach (var failure in failures)
        {
            Console.WriteLine($"FAIL: {failure}");
        }

        Console.WriteLine(failures.Count == 0 ? "soak: PASS" : "soak: FAIL");
        return failures.Count == 0 ? 0 : 1;
    }
}
