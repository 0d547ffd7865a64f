namespace Gateway.Operations;

/// What /readyz reports and the upgrade path checks: listeners bound, and not draining.
/// ShutdownGrace is the one the gateway started with: the host's stop timeout is set from it at start.
public sealed class ServiceState(TimeSpan shutdownGrace)
{
    private volatile bool _listening;
    private volatile bool _draining;

    public TimeSpan ShutdownGrace { get; } = shutdownGrace;

    public bool IsListening => _listening;
    public bool IsDraining => _draining;
    public bool IsReady => _listening && !_draining;

    public void Listening() => _listening = true;
    public void Draining() => _draining = true;
}
