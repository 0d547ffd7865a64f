using System.Net;

namespace Gateway.LoadTool.Client;

/// Loopback source addresses 127.0.0.2, .3, ... in turn: each has its own ephemeral port range, so thousands of
/// sessions (and their TIME_WAITs across runs) never run out of ports. Thread-safe.
public sealed class SourceAddresses(int count)
{
    private int _next = -1;

    public IPAddress Next()
    {
        int index = (int)((uint)Interlocked.Increment(ref _next) % (uint)count);
        return new IPAddress([127, 0, 0, (byte)(2 + index)]);
    }
}
