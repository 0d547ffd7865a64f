using Gateway.LoadTool.Client;
using Gateway.LoadTool.Measure;

namespace Gateway.LoadTool.Scenarios;

/// RSS of the proxy in KiB after the first batch and after all sessions, and the marginal cost per session
/// between the two (so start-up memory, pools and JIT are not charged to sessions).
public sealed record IdleSessionsResult(int Sessions, long RssFirstKiB, long RssAllKiB, int FirstBatch)
{
    public double RssKiBPerSession => (RssAllKiB - RssFirstKiB) / (double)(Sessions - FirstBatch);
}

/// Scenario (c): thousands of open, silent sessions. Opened by a few threads (blocking handshakes), spread over
/// several 127.0.0.x source addresses, held without any thread, then closed politely.
public static class IdleSessions
{
    private const int DialThreads = 8;

    /// `hold`: how long to keep the sessions open after measuring, to look at the proxy from outside.
    public static IdleSessionsResult Run(Uri url, int sessions, int firstBatch, TimeSpan settle, TimeSpan hold,
        ProcessMeter meter, SourceAddresses sources)
    {
        var open = new WsConnection[sessions];
        try
        {
            Open(url, open, 0, firstBatch, sources);
            Thread.Sleep(settle);
            long first = meter.Sample().RssKiB;
            Open(url, open, firstBatch, sessions, sources);
            Thread.Sleep(settle);
            long all = meter.Sample().RssKiB;
            Thread.Sleep(hold);
            return new IdleSessionsResult(sessions, first, all, firstBatch);
        }
        finally
        {
            Close(open);
        }
    }

    private static void Open(Uri url, WsConnection[] open, int from, int to, SourceAddresses sources)
    {
        int next = from - 1;
        Exception? failure = null;
        var threads = Enumerable.Range(0, DialThreads).Select(_ => new Thread(() =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < to && failure is null)
            {
                try
                {
                    open[i] = WsConnection.Open(url, sources.Next());
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
                {
                    failure = e;
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (failure is not null)
        {
            throw new IOException($"opening idle session {Volatile.Read(ref next)} failed: {failure.Message}", failure);
        }
    }

    /// A Close on every session first, then a pause for the closing handshakes to cross the proxy, then the sockets.
    private static void Close(WsConnection?[] open)
    {
        foreach (var connection in open)
        {
            try
            {
                connection?.Stream.Write(PrebuiltFrames.Close);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
            }
        }

        Thread.Sleep(TimeSpan.FromSeconds(1));
        foreach (var connection in open)
        {
            connection?.Dispose();
        }
    }
}
