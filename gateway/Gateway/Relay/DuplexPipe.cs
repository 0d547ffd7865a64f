using System.IO.Pipelines;

namespace Gateway.Relay;

/// A PipeReader and PipeWriter over one stream.
public sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    /// Reads of up to 32 KiB, as on the client leg (LargeBlockMemoryPool), taken only once data is there: an idle
    /// session holds no read buffer (zero-byte reads).
    private const int BufferSize = 64 * 1024;

    private static readonly StreamPipeReaderOptions ReaderOptions =
        new(bufferSize: BufferSize, minimumReadSize: 4 * 1024, leaveOpen: true, useZeroByteReads: true);

    private static readonly StreamPipeWriterOptions WriterOptions = new(minimumBufferSize: BufferSize, leaveOpen: true);

    public PipeReader Input { get; } = input;
    public PipeWriter Output { get; } = output;

    public static DuplexPipe Over(Stream stream) =>
        new(PipeReader.Create(stream, ReaderOptions), PipeWriter.Create(stream, WriterOptions));
}
