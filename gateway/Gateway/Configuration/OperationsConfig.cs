using System.Net;
using Gateway.Diagnostics;

namespace Gateway.Configuration;

/// <summary>
/// How the gateway runs as a service (contract sections 2 and 5): the admin listener, the drain grace, the log format.
/// </summary>
public sealed record OperationsConfig(AdminConfig? Admin, TimeSpan ShutdownGrace, LogFormat LogFormat)
{
    /// <summary>30 s (contract section 5): a little over a ping interval, so every client can see its Close;
    /// systemd's own DefaultTimeoutStopSec is 90 s, and the unit's TimeoutStopSec stays above this.</summary>
    public static readonly TimeSpan DefaultShutdownGrace = TimeSpan.FromSeconds(30);

    public static OperationsConfig Default { get; } = new(null, DefaultShutdownGrace, LogFormat.Text);
}

/// <summary>`admin.address`: /healthz, /readyz and /metrics, on a listener of their own.</summary>
public sealed record AdminConfig(string Address, IPEndPoint EndPoint);
