using System.Diagnostics;
using Gateway.LoadTool.Client;
using Gateway.LoadTool.Measure;

namespace Gateway.LoadTool.Scenarios;

public sealed record TlsSessionRateResult(double Seconds, long Sessions, double ProxyCpuSeconds, double ProxyUserSeconds,
    long Failures, double StealPercent)
{
    public double SessionsPerSecond => Sessions / Seconds;
    public double CpuMsPerSession => ProxyCpuSeconds / Sessions * 1000;
    public double UserCpuMsPerSession => ProxyUserSeconds / Sessions * 1000;
}

/// The rate part of scenario (d): new sessions back to back, each a TCP connect, a full TLS 1.3 handshake (no
/// resumption), the upgrade, and a closing handshake, from a few threads.
public static class TlsSessionRate
{
    private const int CloseTimeoutMs = 2000;

    public static TlsSessionRateResult Run(Uri url, int threads, TimeSpan warmup, TimeSpan duration, ProcessMeter? meter,
        SourceAddresses sources)
    {
        long sessions = 0;
        long failures = 0;
        bool stopping = false;
        var workers = Enumerable.Range(0, threads).Select(_ => new Thread(() =>
        {
            while (!Volatile.Read(ref stopping))
            {
                try
                {
                    using var connection = WsConnection.Open(url, sources.Next());
                    connection.CloseGracefully(CloseTimeoutMs);
                    Interlocked.Increment(ref sessions);
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or
                    System.Security.Authentication.AuthenticationException)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }) { IsBackground = true }).ToList();
        workers.ForEach(w => w.Start());

        Thread.Sleep(warmup);
        long sessions0 = Interlocked.Read(ref sessions);
        var cpu0 = meter?.Sample();
        var clock0 = MachineClock.Read();
        long start = Stopwatch.GetTimestamp();
        Thread.Sleep(duration);
        long sessions1 = Interlocked.Read(ref sessions);
        var cpu1 = meter?.Sample();
        double steal = MachineClock.StealPercent(clock0, MachineClock.Read());
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Volatile.Write(ref stopping, true);
        workers.ForEach(w => w.Join());
        double cpu = cpu0 is null ? 0 : cpu1!.Value.CpuSeconds - cpu0.Value.CpuSeconds;
        double user = cpu0 is null ? 0 : cpu1!.Value.UserSeconds - cpu0.Value.UserSeconds;
        return new TlsSessionRateResult(seconds, sessions1 - sessions0, cpu, user, Interlocked.Read(ref failures), steal);
    }
}
