using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Gateway.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Gateway.Operations;

/// sd_notify(3) without libsystemd: one datagram of `KEY=VALUE` lines to the unix socket named by $NOTIFY_SOCKET
/// (a leading `@` names Linux's abstract namespace). Without $NOTIFY_SOCKET (not run by systemd) every call is a no-op.
public sealed class SystemdNotifier : IDisposable
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    private readonly string? _path;
    private readonly ILogger _logger;
    private readonly Lock _sync = new();
    private Socket? _socket;

    public SystemdNotifier(ILogger<SystemdNotifier> logger)
        : this(Environment.GetEnvironmentVariable(SocketVariable), logger)
    {
    }

    public SystemdNotifier(string? socketPath, ILogger logger)
    {
        _path = string.IsNullOrEmpty(socketPath) ? null : socketPath;
        _logger = logger;
    }

    public bool IsEnabled => _path is not null;

    /// Every listener is bound: systemd considers the service started (Type=notify).
    public void Ready(int sessions) => Send($"READY=1\nSTATUS={Status(sessions)}");

    /// A reload starts; MONOTONIC_USEC (CLOCK_MONOTONIC) lets systemd match it with the READY=1 that ends it.
    public void Reloading() => Send($"RELOADING=1\nMONOTONIC_USEC={MonotonicMicroseconds()}\nSTATUS=reloading the configuration");

    public void Stopping(int sessions) => Send($"STOPPING=1\nSTATUS=draining {sessions} session(s)");

    public void Watchdog(int sessions) => Send($"WATCHDOG=1\nSTATUS={Status(sessions)}");

    public void Status(string status) => Send("STATUS=" + status);

    public static string Status(int sessions) => $"{sessions} session(s) active";

    /// Stopwatch reads CLOCK_MONOTONIC on Linux, the clock systemd expects here.
    public static long MonotonicMicroseconds() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));

    public void Send(string state)
    {
        if (_path is null)
        {
            return;
        }

        try
        {
            lock (_sync)
            {
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                var address = _path[0] == '@' ? "\0" + _path[1..] : _path;
                _socket.SendTo(Encoding.UTF8.GetBytes(state), new UnixDomainSocketEndPoint(address));
            }
        }
        catch (SocketException e)
        {
            // A lost notification must not take the gateway down; systemd's own timeouts will say what is wrong.
            Log.NotifyFailed(_logger, _path, e.SocketErrorCode.ToString());
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            _socket?.Dispose();
        }
    }
}
