using Gateway.Protocol.Frames;

namespace Gateway.Relay;

/// What the relay enforces on both legs. Zero for PingInterval or IdleTimeout disables that timer.
/// ClientMessageRate: messages the client may start (null: no limit); over it the client is closed with 1008.
public sealed record RelayLimits(
    long MaxFrameSize,
    long MaxMessageSize,
    TimeSpan IdleTimeout,
    TimeSpan PingInterval,
    TimeSpan CloseTimeout,
    MessageRate? ClientMessageRate = null)
{
    public FrameLimits FrameLimits => new(MaxFrameSize, MaxMessageSize);
}
