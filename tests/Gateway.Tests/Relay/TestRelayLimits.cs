using Gateway.Protocol.Frames;
using Gateway.Relay;

namespace Gateway.Tests.Relay;

internal static class TestRelayLimits
{
    /// 1 MiB frames, 16 MiB messages, no ping or idle timer (nothing fires on its own during a test), a 2 s wait for
    /// the peer's Close, and no message rate.
    public static RelayLimits Quiet { get; } =
        new(new FrameLimits(1 << 20, 16 << 20), TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromSeconds(2));
}
