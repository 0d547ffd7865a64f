namespace Gateway.LoadTool.Soak;

/// Messages sent and echoed by every session so far, for the samples taken while the soak runs.
internal sealed class SoakTraffic
{
    private long _sent;
    private long _echoed;

    public long Sent => Interlocked.Read(ref _sent);

    public long Echoed => Interlocked.Read(ref _echoed);

    public void AddSent() => Interlocked.Increment(ref _sent);

    public void AddEchoed() => Interlocked.Increment(ref _echoed);
}
