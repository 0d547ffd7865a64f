using System.Globalization;
using System.Net.WebSockets;
using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Files;

namespace Gateway.FunctionalTests.Hostile;

/// The real gateway executable (inline socket completions on, as in production: the mode in which one held socket
/// cost a core) on a ws:// and a wss:// listener, relaying `/echo` to its demo echo upstream, with what the kernel
/// says about it: CPU time, open descriptors and RSS from /proc. The TLS engine is the one the environment names
/// (tests/run.sh runs the functional tests once per engine). Limits are opened wide: the attacks here are not
/// meant to meet the rate limits, which have tests of their own.
internal sealed class GatewayUnderAttack : IAsyncDisposable
{
    private static readonly long TicksPerSecond = 100; // USER_HZ on Linux

    private readonly GatewayProcess _process;
    private readonly TempDirectory _directory;

    private GatewayUnderAttack(GatewayProcess process, TempDirectory directory, int wsPort, int wssPort, int adminPort)
    {
        _process = process;
        _directory = directory;
        Ws = new Uri($"ws://127.0.0.1:{wsPort}");
        Wss = new Uri($"wss://127.0.0.1:{wssPort}");
        Admin = new Uri($"http://127.0.0.1:{adminPort}");
    }

    public Uri Ws { get; }
    public Uri Wss { get; }
    public Uri Admin { get; }
    public int Pid => _process.Id;
    public IReadOnlyList<string> Output => _process.Output;

    public static async Task<GatewayUnderAttack> StartAsync(string handshakeTimeout = "2s", string limits = "")
    {
        var directory = TempDirectory.Create("gateway-hostile-");
        int ws = FreePort.Next(), wss = FreePort.Next(), admin = FreePort.Next(), echo = FreePort.Next();
        File.WriteAllText(Path.Combine(directory.Path, "gateway.yaml"), $$"""
            listen:
              - address: 127.0.0.1:{{ws}}
                handshake_timeout: {{handshakeTimeout}}
              - address: 127.0.0.1:{{wss}}
                handshake_timeout: {{handshakeTimeout}}
                tls:
                  certificates: [{ cert: test.crt, key: test.key, self_signed_if_missing: true }]
            defaults:
              limits:
                close_timeout: 500ms
                max_connections_per_ip: 100000
                max_connections: 100000
                handshakes_per_ip: { rate: 100000, per: 1s, burst: 100000 }
                {{limits}}
            routes:
              - name: echo
                match: { path: /echo }
                upstream: echo
            upstreams:
              echo: { destinations: [ws://127.0.0.1:{{echo}}] }
            demo: { echo_address: 127.0.0.1:{{echo}} }
            admin: { address: 127.0.0.1:{{admin}} }
            shutdown_grace: 1s
            """);
        var process = GatewayProcess.Start(directory.Path, "--config", "gateway.yaml");
        var gateway = new GatewayUnderAttack(process, directory, ws, wss, admin);
        await process.WaitForOutputAsync("Admin endpoints", TimeSpan.FromSeconds(30));
        return gateway;
    }

    /// User plus system CPU time the process has used so far.
    public TimeSpan CpuTime()
    {
        var fields = File.ReadAllText($"/proc/{Pid}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        // After "(comm)": state is field 3, utime 14 and stime 15 of the whole line.
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds((double)ticks / TicksPerSecond);
    }

    public int OpenDescriptors() => Directory.GetFiles($"/proc/{Pid}/fd").Length;

    /// Open sockets: the descriptors a connection costs (the others are the runtime's: assemblies mapped as they
    /// are first used, an epoll per socket-engine thread).
    public int OpenSockets() => Directory.GetFiles($"/proc/{Pid}/fd").Count(fd =>
    {
        try
        {
            return new FileInfo(fd).LinkTarget?.StartsWith("socket:", StringComparison.Ordinal) == true;
        }
        catch (IOException)
        {
            return false; // closed while we looked
        }
    });

    public long RssKiB()
    {
        var line = File.ReadLines($"/proc/{Pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    /// The share of one core the process used over `window`, while `during` runs (a control session, say).
    public async Task<double> CoreShareAsync(TimeSpan window, Func<CancellationToken, Task>? during = null)
    {
        var before = CpuTime();
        using var stop = new CancellationTokenSource(window);
        var started = DateTime.UtcNow;
        if (during is not null)
        {
            await during(stop.Token);
        }

        var left = window - (DateTime.UtcNow - started);
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }

        return (CpuTime() - before) / (DateTime.UtcNow - started);
    }

    /// The process's TCP sockets as `ss` lists them (state, local and peer address): for messages.
    public string DescribeSockets()
    {
        using var ss = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("ss", "-tanpH")
            { RedirectStandardOutput = true })!;
        var lines = ss.StandardOutput.ReadToEnd().Split('\n')
            .Where(l => l.Contains($"pid={Pid},", StringComparison.Ordinal) && !l.StartsWith("LISTEN", StringComparison.Ordinal))
            .Select(l => string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(5)));
        ss.WaitForExit();
        return string.Join("; ", lines);
    }

    /// Waits until the open sockets are at most `ceiling`; returns the last count.
    public async Task<int> WaitForSocketsAsync(int ceiling, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        int count;
        while ((count = OpenSockets()) > ceiling && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return count;
    }

    /// A control session through the gateway to the echo upstream, one echo `intervalMs` apart (a Debug build
    /// spends about 1.5 ms of CPU on an echo) until `stop`; each must come back within `limit`.
    public async Task<EchoLatencies> ControlEchoAsync(CancellationToken stop, TimeSpan limit, int intervalMs = 200)
    {
        using var client = new ClientWebSocket();
        await client.ConnectAsync(new Uri(Ws, "/echo"), CancellationToken.None).WaitAsync(limit * 4);
        var took = new List<TimeSpan>();
        var buffer = new byte[64];
        var message = "control"u8.ToArray();
        while (!stop.IsCancellationRequested)
        {
            long started = System.Diagnostics.Stopwatch.GetTimestamp();
            await client.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None).WaitAsync(limit);
            var result = await client.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(limit);
            Assert.Equal("control", System.Text.Encoding.UTF8.GetString(buffer, 0, result.Count));
            took.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started));
            try
            {
                await Task.Delay(intervalMs, stop);
            }
            catch (OperationCanceledException)
            {
            }
        }

        await client.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        return new EchoLatencies(took);
    }

    /// Two control sessions of 40 echoes, so that a measurement after it sees the attack, not the JIT compiling the
    /// relay and then recompiling it at tier 1 (together about 0.7 s of CPU in a fresh process).
    public async Task WarmUpAsync()
    {
        for (int session = 0; session < 2; session++)
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await ControlEchoAsync(stop.Token, TimeSpan.FromSeconds(5), intervalMs: 50);
        }

        await WaitForSessionLinesAsync(2);
    }

    /// Access-log lines of sessions on the echo route so far.
    public int SessionLines() => Output.Count(l => l.Contains("Session: route=echo", StringComparison.Ordinal));

    /// Waits (briefly: a line is written just after its session closed) for `count` access-log lines; returns the count.
    public async Task<int> WaitForSessionLinesAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (SessionLines() < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return SessionLines();
    }

    /// gateway_sessions_active from the admin endpoint's /metrics, summed over routes.
    public async Task<double> ActiveSessionsAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var text = await http.GetStringAsync(new Uri(Admin, "/metrics"));
        return text.Split('\n').Where(l => l.StartsWith("gateway_sessions_active", StringComparison.Ordinal))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// Waits (at most 15 s) for a second in which the process used under 5% of a core: after an attack the runtime
    /// has work of its own (the tiered JIT recompiling what the attack ran: over a second of CPU, a GC), which a
    /// spinning thread would never finish.
    public async Task SettleAsync()
    {
        for (int second = 0; second < 15 && await CoreShareAsync(TimeSpan.FromSeconds(1)) >= 0.05; second++)
        {
        }
    }

    /// What every attack must leave behind: no connection's socket still open, no session counted, an idle
    /// process, a control session at normal latency, and no error logged. Returns a line for the test output.
    public async Task<string> AssertRecoveredAsync(int baselineSockets)
    {
        int sockets = await WaitForSocketsAsync(baselineSockets, TimeSpan.FromSeconds(10));
        Assert.True(sockets <= baselineSockets, $"{sockets} sockets open after the attack (baseline {baselineSockets})");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        double active;
        while ((active = await ActiveSessionsAsync()) > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, active);
        await SettleAsync();
        EchoLatencies echoes = default!;
        double share = await CoreShareAsync(TimeSpan.FromSeconds(3), async stop => echoes = await ControlEchoAsync(stop, TimeSpan.FromSeconds(1)));
        if (share >= 0.05)
        {
            double again = await CoreShareAsync(TimeSpan.FromSeconds(3));
            Assert.Fail($"the gateway used {share:P1} of a core after the attack, {again:P1} in the 3 s after that; threads: {BusiestThreads()}");
        }

        echoes.AssertNormal("after the attack");
        Assert.Empty(Failures());
        return $"recovered: sockets {sockets} (baseline {baselineSockets}), {share:P2} of a core, control echoes {echoes}, " +
            $"descriptors {OpenDescriptors()}, RSS {RssKiB()} KiB";
    }

    /// The process's threads that used the most CPU so far, with their CPU time: for messages.
    public string BusiestThreads() => string.Join(", ", Directory.GetDirectories($"/proc/{Pid}/task").Select(task =>
    {
        var stat = File.ReadAllText(Path.Combine(task, "stat"));
        var name = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return (Name: name, Ticks: ticks);
    }).OrderByDescending(t => t.Ticks).Take(5).Select(t => $"{t.Name} {t.Ticks * 10} ms"));

    /// Lines the gateway logged at error level or with an exception's stack trace: none is expected from any attack.
    public IReadOnlyList<string> Failures() =>
        [.. Output.Where(l => l.Contains("fail:", StringComparison.Ordinal) || l.Contains("crit:", StringComparison.Ordinal)
            || l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Unhandled exception", StringComparison.Ordinal))];

    public async ValueTask DisposeAsync()
    {
        _process.Signal("TERM");
        await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await _process.DisposeAsync(); // kills it if the drain did not end it

        _directory.Dispose();
    }
}

/// How long a control session's echoes took. Normal: 95% of them within 100 ms (they take about 1 ms; a single one
/// may meet a GC or the scheduler of a loaded CI machine, and every one is bounded by ControlEchoAsync's limit). A
/// starved gateway (issue 22, defect 1) answered none within 5 s.
internal sealed record EchoLatencies(IReadOnlyList<TimeSpan> Took)
{
    public TimeSpan Slowest => Took.Count == 0 ? TimeSpan.Zero : Took.Max();

    public TimeSpan P95 => Took.Count == 0 ? TimeSpan.Zero : Took.Order().ElementAt((int)Math.Ceiling(Took.Count * 0.95) - 1);

    public void AssertNormal(string when)
    {
        Assert.True(Took.Count >= 5, $"only {Took.Count} control echoes {when}");
        Assert.True(P95 < TimeSpan.FromMilliseconds(100), $"control echoes {when}: {this}");
    }

    public override string ToString() =>
        $"{Took.Count} echoes, p95 {P95.TotalMilliseconds:F1} ms, slowest {Slowest.TotalMilliseconds:F1} ms";
}
