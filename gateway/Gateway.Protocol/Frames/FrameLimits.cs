namespace Gateway.Protocol.Frames;

/// <summary>
/// Size limits one decoder enforces, from the header alone (before any payload byte is read).
/// <paramref name="MaxFrameSize"/> caps every frame's payload; <paramref name="MaxMessageSize"/> caps the sum of
/// the payloads of one (possibly fragmented) data message. Both are in bytes and must not be negative.
/// </summary>
public readonly record struct FrameLimits(long MaxFrameSize, long MaxMessageSize)
{
    /// <summary>Contract section 2, <c>defaults.limits.max_message_size</c>: 16 MiB, between Tornado's 10 MiB and
    /// Node ws's 100 MiB default message caps. The one definition of this default: the gateway's relay limits, and so
    /// its configuration, start from <see cref="Default"/>.</summary>
    public const long DefaultMaxMessageSize = 16L << 20;

    /// <summary>Contract section 2, <c>defaults.limits.max_frame_size</c>: the message limit. Browsers and npm ws send
    /// a message as one frame, and the relay streams frames, so a lower frame limit protects no memory.</summary>
    public const long DefaultMaxFrameSize = DefaultMaxMessageSize;

    /// <summary>The contract's default limits.</summary>
    public static FrameLimits Default => new(DefaultMaxFrameSize, DefaultMaxMessageSize);

    /// <summary>No limit beyond what the wire format allows (2^63 - 1 bytes); for tests and tools.</summary>
    public static FrameLimits Unlimited => new(long.MaxValue, long.MaxValue);
}
