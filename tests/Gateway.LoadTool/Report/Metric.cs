namespace Gateway.LoadTool.Report;

/// One figure of the comparison: its name in the results, its unit, and which way is better. Not Compared: a
/// figure of the machine during a target's window (steal), shown for reading the others, with no ratio.
public sealed record Metric(string Name, string Unit, bool LowerIsBetter, string Description, bool Compared = true)
{
    /// The steal figure of the window this one was measured in (none for c, which measures memory).
    public string? StealMetric => !Compared || Name.StartsWith("c.", StringComparison.Ordinal) ? null
        : Name is "d.tls_sessions_per_s" or "d.cpu_ms_per_tls_session" or "d.user_cpu_ms_per_tls_session" ? "d.sessions_steal_pct"
        : Name[..2] + "steal_pct";

    private const string Steal = "share of the machine's CPU the hypervisor stole during the window (makes every figure of that window worse)";

    /// In table order. Relayed messages and bytes count both directions: one echo is two messages.
    public static IReadOnlyList<Metric> All { get; } =
    [
        new("a.msgs_per_s", "msg/s", false, "(a) 100 connections, 64 B text, 8 in flight: relayed messages per second"),
        new("a.p50_ms", "ms", true, "(a) round trip p50"),
        new("a.p99_ms", "ms", true, "(a) round trip p99"),
        new("a.p99_added_ms", "ms", true, "(a) p99 added over direct (same run)"),
        new("a.cpu_s_per_M_msgs", "CPU-s", true, "(a) proxy CPU seconds per million relayed messages"),
        new("a.user_cpu_s_per_M_msgs", "CPU-s", true, "(a) the same, user space only (the proxy's own code and libraries)"),
        new("a.steal_pct", "%", true, "(a) " + Steal, Compared: false),
        new("b.mib_per_s", "MiB/s", false, "(b) 4 connections, 1 MiB binary, 2 in flight: relayed MiB per second"),
        new("b.cpu_s_per_GiB", "CPU-s", true, "(b) proxy CPU seconds per GiB relayed"),
        new("b.user_cpu_s_per_GiB", "CPU-s", true, "(b) the same, user space only"),
        new("b.steal_pct", "%", true, "(b) " + Steal, Compared: false),
        new("c.rss_KiB_per_session", "KiB", true, "(c) proxy RSS per idle session (marginal, 1,000 to 9,000 sessions)"),
        new("c.rss_MiB_total", "MiB", true, "(c) proxy RSS with 9,000 idle sessions"),
        new("d.msgs_per_s", "msg/s", false, "(d) as (a) over TLS: relayed messages per second"),
        new("d.p50_ms", "ms", true, "(d) round trip p50"),
        new("d.p99_ms", "ms", true, "(d) round trip p99"),
        new("d.cpu_s_per_M_msgs", "CPU-s", true, "(d) proxy CPU seconds per million relayed messages over TLS"),
        new("d.user_cpu_s_per_M_msgs", "CPU-s", true, "(d) the same, user space only"),
        new("d.steal_pct", "%", true, "(d) messages: " + Steal, Compared: false),
        new("d.tls_sessions_per_s", "1/s", false, "(d) new sessions per second: TLS 1.3 full handshake + upgrade + close"),
        new("d.cpu_ms_per_tls_session", "CPU-ms", true, "(d) proxy CPU milliseconds per new TLS session"),
        new("d.user_cpu_ms_per_tls_session", "CPU-ms", true, "(d) the same, user space only"),
        new("d.sessions_steal_pct", "%", true, "(d) new sessions: " + Steal, Compared: false),
    ];
}

/// One measured value, one line of the results file.
public sealed record ResultRecord(int Run, string Target, string Metric, double Value);
