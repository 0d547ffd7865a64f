using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;

namespace Gateway.Transport;

/// A SocketPipe as the Stream under an SslStream. Reads take what the pipe's Input has, whichever reader that is
/// at the time (the receive loop's pipe while Kestrel handles the request, the socket read on demand once a
/// session owns the connection), so TLS goes on across a take-over. A zero-byte read waits for data without taking
/// a buffer, which SslStream passes down from its own zero-byte reads: an idle wss:// session holds none.
/// Writes are sent before they complete (SocketWriter), one TLS record at a time.
internal sealed class SocketPipeStream(SocketPipe pipe) : Stream
{
    public override bool CanRead => true;
    public override bool CanWrite => true;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var input = pipe.Input;
        if (!input.TryRead(out var result))
        {
            result = await input.ReadAsync(cancellationToken);
        }

        return Take(input, result, buffer.Span);
    }

    public override int Read(Span<byte> buffer)
    {
        var input = pipe.Input;
        if (!input.TryRead(out var result))
        {
            result = input.ReadAsync().AsTask().GetAwaiter().GetResult();
        }

        return Take(input, result, buffer);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var output = pipe.Output;
        output.Write(buffer.Span);
        var flush = await output.FlushAsync(cancellationToken);
        if (flush.IsCompleted)
        {
            throw new IOException("the peer is gone");
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var output = pipe.Output;
        output.Write(buffer);
        if (output.FlushAsync().AsTask().GetAwaiter().GetResult().IsCompleted)
        {
            throw new IOException("the peer is gone");
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// Every write is sent before it completes.
    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// Copies what fits; a zero-byte read consumes nothing and leaves the data to be read at once next time.
    private static int Take(PipeReader input, in ReadResult result, Span<byte> destination)
    {
        var data = result.Buffer;
        if (destination.IsEmpty)
        {
            input.AdvanceTo(data.Start, data.Start);
            return 0;
        }

        int length = (int)Math.Min(data.Length, destination.Length);
        data.Slice(0, length).CopyTo(destination);
        input.AdvanceTo(data.GetPosition(length));
        return length;
    }
}
