using System.Diagnostics;
using Gateway.LoadTool.Client;
using Gateway.LoadTool.Measure;

namespace Gateway.LoadTool.Scenarios;

public sealed record EchoLoadSpec(Uri Url, int Connections, int PayloadBytes, bool Binary, int InFlight,
    TimeSpan Warmup, TimeSpan Duration);

/// Echoes counted in the measured window, and the proxy's CPU seconds spent in it, all and in user space (0 without
/// a proxy); the share
/// of the machine's CPU the hypervisor stole meanwhile. One echo is two relayed messages and twice its payload in
/// relayed bytes.
public sealed record EchoLoadResult(double Seconds, long Echoes, long PayloadBytes, double ProxyCpuSeconds,
    double ProxyUserSeconds, LatencyHistogram Latency, double StealPercent)
{
    public double RelayedMessagesPerSecond => 2 * Echoes / Seconds;
    public double RelayedMiBPerSecond => 2.0 * PayloadBytes / Seconds / (1 << 20);
    public double CpuSecondsPerMillionMessages => ProxyCpuSeconds / (2.0 * Echoes) * 1e6;
    public double UserCpuSecondsPerMillionMessages => ProxyUserSeconds / (2.0 * Echoes) * 1e6;
    public double CpuSecondsPerGiB => ProxyCpuSeconds / (2.0 * PayloadBytes / (1 << 30));
    public double UserCpuSecondsPerGiB => ProxyUserSeconds / (2.0 * PayloadBytes / (1 << 30));
}

/// Scenarios (a), (b) and the message part of (d): connections that each keep a number of echoes in flight.
/// A warm-up first (JIT, pools, TCP windows), then a measured window; then every connection drains and closes.
public static class EchoLoad
{
    /// Messages up to this size are sent by the reading thread itself; larger ones get a writer thread.
    private const int SeparateWriterAbove = 16 * 1024;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    public static EchoLoadResult Run(EchoLoadSpec spec, ProcessMeter? meter, SourceAddresses sources)
    {
        byte[] frames = PrebuiltFrames.Messages(spec.PayloadBytes, spec.Binary, spec.InFlight);
        int frameLength = PrebuiltFrames.FrameLength(spec.PayloadBytes);
        var control = new EchoLoadControl();
        var connections = new List<LoadConnection>();
        for (int i = 0; i < spec.Connections; i++)
        {
            var connection = WsConnection.Open(spec.Url, sources.Next());
            connections.Add(new LoadConnection(connection, control, frames, frameLength, spec.InFlight,
                spec.PayloadBytes > SeparateWriterAbove));
        }

        var threads = connections.SelectMany(c => c.Start()).ToList();
        Thread.Sleep(spec.Warmup);
        long echoes0 = connections.Sum(c => c.Echoes);
        var cpu0 = meter?.Sample();
        var clock0 = MachineClock.Read();
        long start = Stopwatch.GetTimestamp();
        control.Measuring = true;
        Thread.Sleep(spec.Duration);
        control.Measuring = false;
        long echoes1 = connections.Sum(c => c.Echoes);
        var cpu1 = meter?.Sample();
        double steal = MachineClock.StealPercent(clock0, MachineClock.Read());
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        control.Stopping = true;

        var deadline = Stopwatch.GetTimestamp() + (long)(DrainTimeout.TotalSeconds * Stopwatch.Frequency);
        foreach (var thread in threads)
        {
            var left = TimeSpan.FromSeconds(Math.Max(0, (deadline - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency));
            if (!thread.Join(left))
            {
                break;
            }
        }

        foreach (var connection in connections)
        {
            connection.Abort();
        }

        var latency = new LatencyHistogram();
        foreach (var connection in connections)
        {
            latency.Add(connection.Latency);
        }

        long echoes = echoes1 - echoes0;
        double cpu = cpu0 is null ? 0 : cpu1!.Value.CpuSeconds - cpu0.Value.CpuSeconds;
        double user = cpu0 is null ? 0 : cpu1!.Value.UserSeconds - cpu0.Value.UserSeconds;
        return new EchoLoadResult(seconds, echoes, echoes * spec.PayloadBytes, cpu, user, latency, steal);
    }
}
