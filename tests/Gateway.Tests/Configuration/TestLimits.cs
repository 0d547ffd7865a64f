using Gateway.Configuration;
using Gateway.Protocol.Frames;
using Gateway.Relay;

namespace Gateway.Tests.Configuration;

/// Limits as a test states them: the YAML keys it names changed, every other one as in `limits`.
internal static class TestLimits
{
    public static LimitsConfig With(this LimitsConfig limits, long? maxFrameSize = null, long? maxMessageSize = null,
        TimeSpan? idleTimeout = null, TimeSpan? pingInterval = null, TimeSpan? closeTimeout = null,
        MessageRate? messagesPerConnection = null, int? maxConnections = null, int? maxConnectionsPerIp = null,
        RateConfig? handshakesPerIp = null, bool? frameSizeIsExplicit = null)
    {
        var relay = limits.Relay;
        var frames = relay.FrameLimits;
        return new LimitsConfig(
            new RelayLimits(
                new FrameLimits(maxFrameSize ?? frames.MaxFrameSize, maxMessageSize ?? frames.MaxMessageSize),
                idleTimeout ?? relay.IdleTimeout,
                pingInterval ?? relay.PingInterval,
                closeTimeout ?? relay.CloseTimeout,
                messagesPerConnection ?? relay.ClientMessageRate),
            maxConnections ?? limits.MaxConnections,
            maxConnectionsPerIp ?? limits.MaxConnectionsPerIp,
            handshakesPerIp ?? limits.HandshakesPerIp)
        {
            FrameSizeIsExplicit = frameSizeIsExplicit ?? limits.FrameSizeIsExplicit,
        };
    }
}
