using Gateway.Protocol.Frames;

namespace Gateway.Relay;

/// What the relay enforces on both legs. Zero for PingInterval or IdleTimeout disables that timer.
public sealed record RelayLimits(
    long MaxFrameSize,
    long MaxMessageSize,
    TimeSpan IdleTimeout,
    TimeSpan PingInterval,
    TimeSpan CloseTimeout)
{
    public FrameLimits FrameLimits => new(MaxFrameSize, MaxMessageSize);
}
