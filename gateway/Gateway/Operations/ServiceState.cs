using Gateway.Protocol.Handshake;

namespace Gateway.Operations;

/// What /readyz reports and the upgrade path checks: listeners bound, and not draining.
/// ShutdownGrace is the one the gateway started with: the host's stop timeout is set from it at start.
public sealed class ServiceState(TimeSpan shutdownGrace)
{
    /// A restarted gateway is back in a few seconds (systemd's RestartSec plus startup); clients that honour
    /// Retry-After then reconnect to it, or sooner to another instance behind the same name.
    public static readonly TimeSpan DrainRetryAfter = TimeSpan.FromSeconds(5);

    /// Contract section 3: while draining, a new upgrade is answered 503 with Retry-After (no new session starts).
    public static Refusal DrainRefusal { get; } = Refusal.ShuttingDown("gateway is shutting down; retry later", DrainRetryAfter);

    private volatile bool _listening;
    private volatile bool _draining;

    public TimeSpan ShutdownGrace { get; } = shutdownGrace;

    public bool IsListening => _listening;
    public bool IsDraining => _draining;
    public bool IsReady => _listening && !_draining;

    public void Listening() => _listening = true;
    public void Draining() => _draining = true;
}
