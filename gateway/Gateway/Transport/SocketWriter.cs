using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace Gateway.Transport;

/// The output of a SocketPipe: what is written goes into pooled blocks and is sent, straight from them, when
/// flushed. No pipe and no send loop in between: a relayed frame is written and sent on the same thread, and an
/// idle connection holds neither a block nor a waiting loop. A flush completes once the kernel has taken every
/// byte, so a peer that stops reading holds the writer (the relay then stops reading the other leg).
/// It writes its connection's channel (IByteChannel): over TLS each flushed block goes out as one record or more,
/// and the FIN follows a close_notify.
internal sealed class SocketWriter(IByteChannel channel, MemoryPool<byte> pool) : PipeWriter, IReferenceWriter
{
    private readonly SocketReadiness _readiness = channel.Readiness;

    private const int Flushing = 1;
    private const int Completed = 2;
    private const int ShutdownAfterFlush = 4;

    private IMemoryOwner<byte>? _block;
    private int _written;

    /// Blocks filled before a flush (a piece larger than a block), and bytes written by reference (no Block: the
    /// caller's), in the order they go out, before the current block; most writers flush within one block.
    private List<(IMemoryOwner<byte>? Block, ReadOnlyMemory<byte> Data)>? _full;

    /// Some of _full is the caller's memory (WriteReference), to be sent or copied before the flush returns.
    private bool _referenced;

    /// Flushing, Completed, ShutdownAfterFlush: a flush and a Complete from another thread agree through these
    /// bits (Interlocked), with no lock object per writer.
    private int _state;
    private TaskCompletionSource? _flushEnded;
    private volatile bool _gone;
    private volatile bool _cancelFlush;

    /// The channel writes go to: replaced only before the first write (SocketPipe.WrapChannel).
    public IByteChannel Channel { get; set; } = channel;

    public override bool CanGetUnflushedBytes => true;

    public override long UnflushedBytes
    {
        get
        {
            long bytes = _written;
            if (_full is { } full)
            {
                foreach (var (_, data) in full)
                {
                    bytes += data.Length; // a loop, not LINQ: every flush with bytes by reference asks
                }
            }

            return bytes;
        }
    }

    /// The peer stopped taking data (reset, or the socket was closed): every flush from now on reports completion.
    public bool IsGone => _gone;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        ObjectDisposedException.ThrowIf((_state & Completed) != 0, this);
        if (_block is not null && _block.Memory.Length - _written >= Math.Max(sizeHint, 1))
        {
            return _block.Memory[_written..];
        }

        if (!SealCurrentBlock())
        {
            _block?.Dispose();
        }

        _block = sizeHint <= pool.MaxBufferSize ? pool.Rent() : new ArrayBlock(sizeHint);
        _written = 0;
        return _block.Memory;
    }

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    /// Moves the current block, if it holds bytes, to the blocks that go out before whatever is written next.
    private bool SealCurrentBlock()
    {
        if (_block is null || _written == 0)
        {
            return false;
        }

        (_full ??= []).Add((_block, _block.Memory[.._written]));
        return true;
    }

    public override void Advance(int bytes) => _written += bytes;

    /// Appends `data` without copying it: it goes out in its place among the bytes written around it, sent from the
    /// caller's memory by the next flush, which returns only when it has sent them or copied what it could not send
    /// (so the caller may reuse the memory as soon as FlushAsync has returned, whatever happens to the flush after).
    public void WriteReference(ReadOnlyMemory<byte> data)
    {
        ObjectDisposedException.ThrowIf((_state & Completed) != 0, this);
        if (SealCurrentBlock())
        {
            _block = null; // later writes start a block of their own, after this
            _written = 0;
        }

        (_full ??= []).Add((null, data));
        _referenced = true;
    }

    public override void CancelPendingFlush() => _cancelFlush = true;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
        TrySendAtOnce(out var result) || (_referenced && TrySendReferencedAtOnce(out result))
            ? new ValueTask<FlushResult>(result)
            : FlushSlowAsync(cancellationToken);

    /// The common flush: what was written fits one block and the socket takes all of it in one call. No async
    /// method runs for it (three nested ones did, per relayed batch). False, having sent nothing or a part, when
    /// the slow path has to go on (it also keeps the Flushing bit this sets).
    private bool TrySendAtOnce(out FlushResult result)
    {
        result = default;
        if (_full is { Count: > 0 } || _gone || _cancelFlush)
        {
            return false;
        }

        Interlocked.Or(ref _state, Flushing);
        if (_block is not null && _written > 0)
        {
            var data = _block.Memory.Span[.._written];
            int sent;
            SocketError status;
            try
            {
                sent = Send(data, out status);
            }
            catch (ObjectDisposedException)
            {
                (sent, status) = (0, SocketError.Shutdown);
            }

            if (status is SocketError.Success or SocketError.WouldBlock && sent < data.Length)
            {
                // Partly sent, or not at all: the rest moves to the block's start for the slow path to send.
                data[sent..].CopyTo(data);
                _written -= sent;
                return false;
            }

            _gone |= status is not (SocketError.Success or SocketError.WouldBlock); // a gone peer takes nothing more
        }

        ReleaseBlocks();
        EndFlush();
        result = new FlushResult(isCanceled: false, isCompleted: _gone);
        return true;
    }

    /// A flush with bytes written by reference: one gathered send, which the socket mostly takes whole; whatever it
    /// does not take is kept in the writer's own blocks (the referenced part copied) for the slow path. False, having
    /// set Flushing, when the slow path has to go on.
    private bool TrySendReferencedAtOnce(out FlushResult result)
    {
        result = default;
        Interlocked.Or(ref _state, Flushing);
        long taken = _gone || _cancelFlush ? 0 : SendGatheredOnce();
        if (_gone || (!_cancelFlush && taken == UnflushedBytes))
        {
            ReleaseBlocks();
            EndFlush();
            result = new FlushResult(isCanceled: false, isCompleted: _gone);
            return true;
        }

        KeepUnsent(taken);
        return false;
    }

    /// Drops the first `taken` bytes (sent) and copies the rest of every referenced piece into blocks of its own.
    private void KeepUnsent(long taken)
    {
        var full = _full!;
        int sent = 0;
        while (sent < full.Count && taken >= full[sent].Data.Length)
        {
            taken -= full[sent].Data.Length;
            full[sent].Block?.Dispose();
            sent++;
        }

        full.RemoveRange(0, sent);
        if (full.Count > 0)
        {
            full[0] = (full[0].Block, full[0].Data[(int)taken..]);
        }
        else if (taken > 0)
        {
            // All of _full went out and part of the current block: its rest moves to the block's start.
            _block!.Memory.Span[(int)taken.._written].CopyTo(_block.Memory.Span);
            _written -= (int)taken;
        }

        for (int i = 0; i < full.Count; i++)
        {
            if (full[i].Block is null)
            {
                var data = full[i].Data;
                var copy = data.Length <= pool.MaxBufferSize ? pool.Rent() : new ArrayBlock(data.Length);
                data.CopyTo(copy.Memory);
                full[i] = (copy, copy.Memory[..data.Length]);
            }
        }

        _referenced = false;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<FlushResult> FlushSlowAsync(CancellationToken cancellationToken)
    {
        Interlocked.Or(ref _state, Flushing);
        try
        {
            await SendBufferedAsync(cancellationToken);
        }
        finally
        {
            EndFlush();
        }

        bool canceled = _cancelFlush;
        _cancelFlush = false;
        return new FlushResult(canceled, isCompleted: _gone);
    }

    /// Clears the Flushing bit; a Complete that came meanwhile (it published its TaskCompletionSource before it set
    /// ShutdownAfterFlush) gets its FIN sent now.
    private void EndFlush()
    {
        if ((Interlocked.And(ref _state, ~Flushing) & ShutdownAfterFlush) != 0)
        {
            Shutdown();
            _flushEnded!.TrySetResult();
        }
    }

    public override void Complete(Exception? exception = null) => _ = CompleteAsync(exception).AsTask();

    /// Sends what is still unflushed, then a FIN; completes when both are out. A flush in progress (another
    /// thread's) sends the FIN when it is done.
    public override async ValueTask CompleteAsync(Exception? exception = null)
    {
        while (true)
        {
            int state = Volatile.Read(ref _state);
            if ((state & Completed) != 0)
            {
                return;
            }

            if ((state & Flushing) != 0)
            {
                _flushEnded ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (Interlocked.CompareExchange(ref _state, state | Completed | ShutdownAfterFlush, state) == state)
                {
                    await _flushEnded.Task;
                    return;
                }
            }
            else if (Interlocked.CompareExchange(ref _state, state | Completed, state) == state)
            {
                break;
            }
        }

        await SendBufferedAsync(CancellationToken.None);
        Shutdown();
    }

    /// A canceled send (the session's stop, when a peer reads nothing) throws OperationCanceledException, as a
    /// pipe's flush would. It may have left part of a frame on the wire, so nothing more is sent: the writer
    /// counts as gone and drops what it still holds, and a later Complete sends no bytes and waits for nothing.
    private async ValueTask SendBufferedAsync(CancellationToken cancellationToken)
    {
        try
        {
            // A write that spilled over blocks (a frame header, then its payload) goes out in one call when the
            // socket takes it all, which it mostly does; whatever it did not take is sent block by block.
            long taken = _full is { Count: > 0 } ? SendGatheredOnce() : 0;
            if (_full is { Count: > 0 } full)
            {
                foreach (var (_, data) in full)
                {
                    taken = await SendRestAsync(data, taken, cancellationToken);
                }
            }

            if (_block is not null)
            {
                await SendRestAsync(_block.Memory[.._written], taken, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            _gone = true;
            throw;
        }
        finally
        {
            // Back to the pool at once, sent or dropped: an idle connection holds no block.
            ReleaseBlocks();
        }
    }

    /// Sends `data` but for its first `taken` bytes (already sent); returns what is left of `taken` for the next.
    private async ValueTask<long> SendRestAsync(ReadOnlyMemory<byte> data, long taken, CancellationToken cancellationToken)
    {
        if (taken >= data.Length)
        {
            return taken - data.Length;
        }

        await SendAsync(data[(int)taken..], cancellationToken);
        return 0;
    }

    /// One sendmsg for the filled blocks and the current one; the bytes the kernel took (0 if it took none).
    private long SendGatheredOnce()
    {
        Gather buffers = default;
        int count = 0;
        foreach (var (_, data) in _full!)
        {
            if (count == SocketCalls.MaxGather)
            {
                break;
            }

            buffers[count++] = data;
        }

        if (count < SocketCalls.MaxGather && _block is not null && _written > 0)
        {
            buffers[count++] = _block.Memory[.._written];
        }

        try
        {
            var gathered = ((ReadOnlySpan<ReadOnlyMemory<byte>>)buffers)[..count];
            int sent = Channel.WriteGather(gathered, out var status);
            if (status is SocketError.Success or SocketError.WouldBlock)
            {
                return sent;
            }
        }
        catch (ObjectDisposedException)
        {
        }

        _gone = true;
        return 0;
    }

    [InlineArray(SocketCalls.MaxGather)]
    private struct Gather
    {
        private ReadOnlyMemory<byte> _first;
    }

    private void ReleaseBlocks()
    {
        if (_full is { } full)
        {
            foreach (var (block, _) in full)
            {
                block?.Dispose();
            }

            full.Clear();
        }

        _referenced = false;

        _block?.Dispose();
        _block = null;
        _written = 0;
    }

    private async ValueTask SendAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        bool reset = false;
        while (!data.IsEmpty && !_gone)
        {
            try
            {
                // The socket is non-blocking: a send the kernel takes at once costs one system call and no wait;
                // only a full send buffer waits (and registers the token). The first refusal resets the socket's
                // write readiness and tries again, so that the wait after a second one misses no event.
                int sent = Send(data.Span, out var status);
                if (status == SocketError.WouldBlock)
                {
                    if (reset)
                    {
                        await WaitWritableAsync(cancellationToken);
                    }
                    else
                    {
                        _readiness.ResetWrite();
                    }

                    reset = !reset;
                    continue;
                }

                if (status != SocketError.Success)
                {
                    throw new SocketException((int)status);
                }

                reset = false;
                data = data[sent..];
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                _gone = true;
            }
        }
    }

    private async ValueTask WaitWritableAsync(CancellationToken cancellationToken)
    {
        using var wake = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static state => ((SocketReadiness)state!).WakeWriter(), _readiness)
            : default;
        await _readiness.WaitWritableAsync();
        cancellationToken.ThrowIfCancellationRequested();
    }

    private int Send(ReadOnlySpan<byte> data, out SocketError status) => Channel.Write(data, out status);

    /// Everything written is out: the peer is told no more is coming.
    private void Shutdown() => Channel.ShutdownSend();

    /// A write larger than a pool block (none on the relay path: pieces are written span by span), or a copy of
    /// bytes written by reference that are (KeepUnsent).
    private sealed class ArrayBlock(int size) : IMemoryOwner<byte>
    {
        public Memory<byte> Memory { get; } = new byte[size];

        public void Dispose()
        {
        }
    }
}
