namespace Gateway.LoadTool.Soak;

/// Every `interval` (give or take half of it), one of: reset a random client connection (half of the time in the
/// middle of a frame), have the upstream reset a random session's upstream connection, close a random session
/// normally, or reload the gateway's config. The pool opens a replacement for every session that ends.
internal sealed class ChaosLoop(SoakPool pool, SoakUpstream upstream, GatewayReload? reload, TimeSpan interval)
{
    public static readonly string[] Actions = ["abort-client", "abort-client-mid-frame", "reset-upstream", "close-normally", "reload"];

    private readonly int[] _counts = new int[Actions.Length];
    private readonly List<Task> _closes = [];

    public IReadOnlyList<int> Counts => _counts;

    public int Total => _counts.Sum();

    /// Runs until `stop`, then waits for the normal closes it started.
    public async Task RunAsync(CancellationToken stop)
    {
        var random = new Random(6455);
        try
        {
            while (true)
            {
                await Task.Delay(interval * (0.5 + random.NextDouble()), stop);
                int action = random.Next(reload is null ? Actions.Length - 1 : Actions.Length);
                if (await ActAsync(action))
                {
                    Interlocked.Increment(ref _counts[action]);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        await Task.WhenAll(_closes);
    }

    private async Task<bool> ActAsync(int action)
    {
        if (Actions[action] == "reload")
        {
            reload!.Reload();
            return true;
        }

        if (pool.PickRunning() is not { } session)
        {
            return false;
        }

        switch (Actions[action])
        {
            case "abort-client":
                return await session.AbortAsync(midFrame: false);
            case "abort-client-mid-frame":
                return await session.AbortAsync(midFrame: true);
            case "reset-upstream":
                return session.ResetUpstream(upstream);
            default:
                _closes.Add(session.CloseNormallyAsync());
                return true;
        }
    }
}
