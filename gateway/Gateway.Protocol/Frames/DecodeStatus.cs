namespace Gateway.Protocol.Frames;

/// <summary>Outcome of one <see cref="FrameDecoder.TryReadHeader"/> call.</summary>
public enum DecodeStatus
{
    /// <summary>A complete, valid header was read.</summary>
    Done,

    /// <summary>The buffer ends inside the header (nothing invalid seen so far); call again with more bytes.</summary>
    NeedMoreData,

    /// <summary>The bytes violate the protocol or a limit; the connection must be closed.</summary>
    Error,
}
