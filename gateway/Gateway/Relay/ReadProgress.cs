using Gateway.Protocol.Frames;

namespace Gateway.Relay;

/// What one read of a pump has done so far: the bookkeeping every path of the pump keeps the same way, settled
/// once at the end of the read (FramePump.EndRead), not per frame.
internal struct ReadProgress
{
    /// The peer sent frame or payload bytes (the keepalive's silence check).
    public bool HeardFrom;

    /// A data frame ended in this read (the session's idle timeout).
    public bool DataRead;

    /// The clock for the message rate, read at the first message of the read only (the messages of one read
    /// arrived together); 0 until then.
    public long ReadAt;

    /// The pump holds the other leg's write lock: what it wrote there is flushed when the read ends.
    public bool HoldingWriteLock;
}

/// The data frame a pump is relaying, across reads: a large frame arrives in many.
internal struct FrameInProgress
{
    public FrameHeader Header;

    /// Payload bytes of it still to come.
    public long Remaining;

    /// False between frames.
    public bool Active;

    /// No piece of it has been forwarded yet (the first piece carries its opcode, the others are continuations).
    public bool FirstPiece;
}
