namespace Gateway.Relay;

/// Messages and payload bytes relayed in one direction. Written by one pump only; read after it ends.
public sealed class DirectionCounters
{
    public long Messages;
    public long Bytes;
}
