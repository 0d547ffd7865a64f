using System.IO.Pipelines;

namespace Gateway.Transport;

/// Kestrel's view of a connection's pipe (a SocketPipe, or the TLS layer over one). Until the hand-over every call
/// goes through; after it, reads see the end of the stream, writes go nowhere and completing either side does
/// nothing, so Kestrel winds the connection down without touching what the session now owns. The session reads
/// and writes the pipe's own ends, not these.
internal sealed class HandoverPipe(IDuplexPipe pipe) : IDuplexPipe
{
    private volatile bool _handedOver;

    public PipeReader Input { get; } = new Reader(pipe.Input);
    public PipeWriter Output { get; } = new Writer(pipe.Output);

    public bool IsHandedOver => _handedOver;

    /// After this, Kestrel's pending and later reads return "completed", and nothing it writes reaches the socket.
    public void HandOver()
    {
        ((Reader)Input).HandOver();
        ((Writer)Output).HandOver();
        _handedOver = true;
    }

    private sealed class Reader(PipeReader inner) : PipeReader
    {
        private volatile bool _handedOver;

        /// Not CancelPendingRead: with no read pending it would cancel the session's first read instead. Kestrel
        /// has none pending after UpgradeAsync (the upgraded body is read only by whoever reads the opaque stream).
        public void HandOver() => _handedOver = true;

        public override bool TryRead(out ReadResult result)
        {
            if (_handedOver)
            {
                result = new ReadResult(default, isCanceled: false, isCompleted: true);
                return true;
            }

            return inner.TryRead(out result);
        }

        public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
        {
            if (_handedOver)
            {
                return new ReadResult(default, isCanceled: false, isCompleted: true);
            }

            var result = await inner.ReadAsync(cancellationToken);
            if (_handedOver)
            {
                // The data stays in the pipe for the session; Kestrel's read ends here.
                inner.AdvanceTo(result.Buffer.Start);
                return new ReadResult(default, isCanceled: false, isCompleted: true);
            }

            return result;
        }

        public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

        public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
        {
            // After the hand-over Kestrel holds only the empty buffer returned above: nothing to advance.
            if (!_handedOver)
            {
                inner.AdvanceTo(consumed, examined);
            }
        }

        public override void CancelPendingRead() => inner.CancelPendingRead();

        public override void Complete(Exception? exception = null)
        {
            if (!_handedOver)
            {
                inner.Complete(exception);
            }
        }
    }

    private sealed class Writer(PipeWriter inner) : PipeWriter
    {
        private volatile bool _handedOver;
        private byte[]? _discard;

        public void HandOver() => _handedOver = true;

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;
        public override long UnflushedBytes => _handedOver ? 0 : inner.UnflushedBytes;

        public override void Advance(int bytes)
        {
            if (!_handedOver)
            {
                inner.Advance(bytes);
            }
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => _handedOver ? Discard(sizeHint) : inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => _handedOver ? Discard(sizeHint).Span : inner.GetSpan(sizeHint);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
            _handedOver ? ValueTask.FromResult(new FlushResult(isCanceled: false, isCompleted: true)) : inner.FlushAsync(cancellationToken);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null)
        {
            if (!_handedOver)
            {
                inner.Complete(exception);
            }
        }

        private Memory<byte> Discard(int sizeHint) =>
            _discard is { } d && d.Length >= sizeHint ? d : (_discard = new byte[Math.Max(sizeHint, 4096)]);
    }
}
