using System.IO.Pipelines;

namespace Gateway.Transport;

/// A PipeReader over a socket that its consumer can drive without an async method of its own (SocketReader): a
/// read that finds nothing arms a callback on the socket's readiness and returns, so an idle reader holds no state
/// machine. Its blocks are its own, read once: until AdvanceTo the consumer may change the bytes in place (the
/// relay remasks a large piece where it was read). The relay asks for this once, when it builds a leg.
internal interface IPollableReader
{
    /// What is buffered, else what one receive brings if the socket may be readable; false when nothing is there.
    bool TryReadOrReceive(out ReadResult result);

    /// Arms `callback(state)` for the socket becoming readable (or a read being canceled). False if it already is
    /// (nothing armed): read again.
    bool TryWaitWith(Action<object?> callback, object state);
}

/// A PipeWriter that can send bytes from the caller's memory without copying them (SocketWriter): they go out in
/// their place among the bytes written around them, and the next flush returns only once it has sent them or copied
/// what it could not send, so the caller may reuse the memory when FlushAsync has returned.
internal interface IReferenceWriter
{
    void WriteReference(ReadOnlyMemory<byte> data);
}
