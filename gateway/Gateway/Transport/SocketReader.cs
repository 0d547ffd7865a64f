using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Transport;

/// A PipeReader that reads its socket when, and only when, its reader asks: a read returns what is buffered and
/// not yet examined, or else waits for readiness (SocketReadiness: no buffer held, no system call when the socket
/// is known to be readable) and receives into a pooled block. No receive loop runs beside the reader and no pipe
/// stands between socket and relay, so an idle connection holds one pending wait and nothing else, and data is
/// parsed on the thread that received it.
/// Used for the upstream leg from the start and for a client connection once a session has taken it over (while
/// Kestrel handles its request, SocketPipe's receive loop reads it: that is how a client leaving is noticed).
/// It reads its connection's channel (IByteChannel): over TLS a read decrypts on the same thread into the same block.
internal sealed class SocketReader(IByteChannel channel, MemoryPool<byte> pool) : PipeReader, IPollableReader
{
    private readonly SocketReadiness _readiness = channel.Readiness;

    private Segment? _head;
    private int _headStart;
    private Segment? _tail;

    /// The last segment released, kept for the next receive: a relayed read consumes all it got, so without it every
    /// read allocated a segment object (the relay's one allocation per read in steady state).
    private Segment? _spare;
    private bool _examinedEverything = true;
    private bool _ended;
    private bool _completed;
    private Exception? _error;
    private volatile bool _cancelRequested;

    /// Pooled state machines: a read that has to wait allocates nothing in steady state.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ReadResult result;
        while (!TryReadOrReceive(out result))
        {
            // A caller's token (the upstream handshake's timeout) wakes the wait as CancelPendingRead does: the
            // connection is dropped after it anyway. The relay's reads pass none.
            using var registration = cancellationToken.CanBeCanceled
                ? cancellationToken.UnsafeRegister(static state => ((SocketReader)state!).WakeWait(), this)
                : default;
            try
            {
                await WaitAsync();
            }
            catch (ObjectDisposedException)
            {
                // The connection was closed under the read: the next try reports the end of the stream.
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        return result;
    }

    /// ReadAsync without an async method in between, for a reader that awaits WaitAsync itself (FramePump): an
    /// idle session's pending read is then just the socket's wait, with no state machine of its own. Returns what
    /// is buffered, else what one receive brings if the socket may be readable (a socket known to be drained is
    /// not probed); false when there is nothing yet.
    public bool TryReadOrReceive(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (true)
        {
            if (TryRead(out result))
            {
                return true;
            }

            if (_ended)
            {
                result = _error is null ? Result(completed: true) : throw _error;
                return true;
            }

            if (!_readiness.MayRead || !Receive())
            {
                if (_ended)
                {
                    continue;
                }

                result = default;
                return false;
            }

            _examinedEverything = false;
        }
    }

    /// Waits until the socket may be readable, or a read is canceled. The cancel request is checked after the
    /// receive's reset of the readiness (full fence); CancelPendingRead sets it before it wakes the wait.
    public ValueTask WaitAsync() => _cancelRequested ? default : _readiness.WaitReadableAsync();

    /// WaitAsync for a reader that keeps no state machine while it waits: `callback(state)` runs once the socket
    /// may be readable or a read is canceled. False if that is already so (nothing armed): read again.
    public bool TryWaitWith(Action<object?> callback, object state) =>
        !_cancelRequested && _readiness.TryArmRead(callback, state);

    public override bool TryRead(out ReadResult result)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (_cancelRequested)
        {
            _cancelRequested = false;
            result = Result(canceled: true);
            return true;
        }

        if (!_examinedEverything)
        {
            result = Result(completed: _ended && _error is null);
            return true;
        }

        result = default;
        return false;
    }

    /// Bytes received before this reader took over the socket (SocketPipe.SwitchToReadOnDemandAsync).
    public void Seed(ReadOnlySequence<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var segment = NewSegment();
            int length = (int)Math.Min(bytes.Length, segment.Capacity);
            bytes.Slice(0, length).CopyTo(segment.Free);
            segment.Grow(length);
            Link(segment);
            bytes = bytes.Slice(length);
            _examinedEverything = false;
        }
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        var consumedSegment = (Segment?)consumed.GetObject();
        if (consumedSegment is not null)
        {
            while (_head is not null && _head != consumedSegment)
            {
                var done = _head;
                _head = (Segment?)done.Next;
                Recycle(done);
            }

            _headStart = consumed.GetInteger();
        }

        if (_head is not null && _head == _tail && _headStart == _tail.Length)
        {
            // Everything consumed: the block goes back to the pool, so an idle connection holds none.
            Recycle(_head);
            _head = _tail = null;
            _headStart = 0;
        }

        var examinedSegment = (Segment?)examined.GetObject();
        _examinedEverything = _tail is null || (examinedSegment == _tail && examined.GetInteger() == _tail.Length);
    }

    /// Wakes a waiting read, which then returns canceled.
    public override void CancelPendingRead()
    {
        _cancelRequested = true;
        WakeWait();
    }

    private void WakeWait() => _readiness.WakeReader();

    public override void Complete(Exception? exception = null)
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        for (var segment = _head; segment is not null; segment = (Segment?)segment.Next)
        {
            segment.Release();
        }

        _head = _tail = null;
        _spare = null;
    }

    /// One non-blocking receive into the tail block (a new one if it is full). True if bytes arrived.
    private bool Receive()
    {
        if (_ended)
        {
            return false;
        }

        if (_readiness.IsClosed)
        {
            // Closed by its owner (an abort, a drain's cut): the end of the stream, not a call that would find the
            // descriptor still open, get EAGAIN, and be retried after a wait that no longer waits.
            End(null);
            return false;
        }

        var previous = _tail;
        var target = _tail is null || _tail.Length == _tail.Capacity ? NewSegment() : _tail;
        int received;
        SocketError status;
        _readiness.ResetRead();
        try
        {
            received = channel.Read(target.Free, out status, out bool drained);
            if (!drained)
            {
                _readiness.MarkReadable(); // e.g. the block is full: there may be more, and no new event will say so
            }
        }
        catch (ObjectDisposedException)
        {
            (received, status) = (0, SocketError.Success);
        }

        if (status == SocketError.Success && received > 0)
        {
            target.Grow(received);
            if (target != previous)
            {
                Link(target);
            }

            return true;
        }

        if (target != previous)
        {
            Recycle(target); // nothing arrived: no block is kept for it
        }

        if (status == SocketError.WouldBlock)
        {
            return false;
        }

        End(status == SocketError.Success ? null : new ConnectionResetException(status.ToString(), new SocketException((int)status)));
        return false;
    }

    /// A segment holding a block from the pool: the spare one if there is one.
    private Segment NewSegment()
    {
        var segment = _spare;
        if (segment is null)
        {
            return new Segment(pool.Rent());
        }

        _spare = null;
        segment.Reuse(pool.Rent());
        return segment;
    }

    /// Returns the segment's block to the pool and keeps the segment for the next receive. Nothing refers to it any
    /// more: a ReadResult's buffer is not used after AdvanceTo, and it is out of the head-to-tail list.
    private void Recycle(Segment segment)
    {
        segment.Release();
        _spare = segment;
    }

    /// Makes `segment` the new tail (and head, if nothing is buffered).
    private void Link(Segment segment)
    {
        if (_tail is null)
        {
            _head = segment;
            _headStart = 0;
        }
        else
        {
            _tail.Append(segment);
        }

        _tail = segment;
    }

    private void End(Exception? error)
    {
        _ended = true;
        _error ??= error;
    }

    private ReadResult Result(bool canceled = false, bool completed = false)
    {
        var buffer = _head is null ? default : new ReadOnlySequence<byte>(_head, _headStart, _tail!, _tail!.Length);
        return new ReadResult(buffer, canceled, completed);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        private IMemoryOwner<byte>? _owner;

        public Segment(IMemoryOwner<byte> owner) => Reuse(owner);

        /// Starts over, empty, in `owner`'s block: first in a sequence until Append links it after another.
        public void Reuse(IMemoryOwner<byte> owner)
        {
            _owner = owner;
            Memory = owner.Memory[..0];
            RunningIndex = 0;
            Next = null;
        }

        public int Length => Memory.Length;
        public int Capacity => _owner!.Memory.Length;
        public Span<byte> Free => _owner!.Memory.Span[Length..];

        public void Grow(int bytes) => Memory = _owner!.Memory[..(Length + bytes)];

        public void Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Length;
            Next = next;
        }

        public void Release()
        {
            _owner?.Dispose();
            _owner = null;
        }
    }
}
