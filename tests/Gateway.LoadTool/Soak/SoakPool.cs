using System.Collections.Concurrent;
using Gateway.LoadTool.Client;

namespace Gateway.LoadTool.Soak;

/// Keeps `sessions` soak sessions open: each slot opens a session, waits for its end, records its result and opens
/// the next, until CloseAllAsync closes every current session normally.
internal sealed class SoakPool
{
    /// Handshakes at once: the client's opens block a pool thread each, and the gateway needs its share of 2 cores.
    private const int ConcurrentOpens = 8;
    private static readonly TimeSpan RetryAfterOpenFailure = TimeSpan.FromSeconds(1);
    private static int s_nextId;

    private readonly Uri _gateway;
    private readonly double _rate;
    private readonly SoakTraffic _traffic;
    private readonly SourceAddresses _sources;
    private readonly SoakSession?[] _current;
    private readonly Task[] _slots;
    private readonly SemaphoreSlim _opening = new(ConcurrentOpens, ConcurrentOpens);
    private volatile bool _closing;

    public SoakPool(Uri gateway, int sessions, double rate, SoakTraffic traffic, SourceAddresses sources)
    {
        _gateway = gateway;
        _rate = rate;
        _traffic = traffic;
        _sources = sources;
        _current = new SoakSession?[sessions];
        _slots = [.. Enumerable.Range(0, sessions).Select(slot => Task.Run(() => KeepOpenAsync(slot)))];
    }

    public ConcurrentQueue<SessionResult> Results { get; } = new();

    public ConcurrentQueue<string> OpenFailures { get; } = new();

    public int Running => _current.Count(s => s?.IsRunning == true);

    /// A running session picked at random, or null.
    public SoakSession? PickRunning()
    {
        var running = _current.Where(s => s?.IsRunning == true).ToArray();
        return running.Length == 0 ? null : running[Random.Shared.Next(running.Length)];
    }

    /// Stops replacing sessions and closes every open one normally, all at once.
    public async Task CloseAllAsync()
    {
        _closing = true;
        await Task.WhenAll(_current.Where(s => s is not null).Select(s => s!.CloseNormallyAsync()));
        await Task.WhenAll(_slots);
    }

    private async Task KeepOpenAsync(int slot)
    {
        while (!_closing)
        {
            var session = new SoakSession(Interlocked.Increment(ref s_nextId), _traffic);
            await _opening.WaitAsync();
            Task<SessionResult> run;
            try
            {
                _current[slot] = session;
                run = session.RunAsync(_gateway, _sources.Next(), _rate);
                await session.Ready;
            }
            finally
            {
                _opening.Release();
            }

            if (_closing)
            {
                _ = session.CloseNormallyAsync(); // opened while CloseAllAsync looked at the slots
            }

            try
            {
                Results.Enqueue(await run);
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException)
            {
                OpenFailures.Enqueue($"session {session.Id}: {e.Message}");
                await Task.Delay(RetryAfterOpenFailure);
            }
        }
    }
}
