using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Transport;

/// A PipeReader that reads its socket when, and only when, its reader asks: a read returns what is buffered and
/// not yet examined, or else waits for data (zero-byte receive, no buffer held) and receives into a pooled block.
/// No receive loop runs beside the reader and no pipe stands between socket and relay, so an idle connection
/// holds one pending zero-byte receive and nothing else, and data is parsed on the thread that received it.
/// Used for the upstream leg, which only the gateway reads (Kestrel's connections keep SocketPipe's loop, which
/// notices a client leaving while its request is still being handled).
internal sealed class SocketReader(Socket socket, MemoryPool<byte> pool) : PipeReader
{
    private Segment? _head;
    private int _headStart;
    private Segment? _tail;
    private bool _examinedEverything = true;
    private bool _ended;
    private bool _completed;
    private Exception? _error;
    private volatile bool _cancelRequested;

    /// Wakes a pending wait on CancelPendingRead; replaced after it has fired (rare: the end of a session).
    private CancellationTokenSource _cancel = new();

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        while (true)
        {
            if (TryRead(out var ready))
            {
                return ready;
            }

            if (_ended)
            {
                return _error is null ? Result(completed: true) : throw _error;
            }

            // Wait for data without holding a buffer; then take what is there in one non-blocking receive.
            await WaitForDataAsync(cancellationToken);
            if (!_cancelRequested && Receive())
            {
                _examinedEverything = false;
            }
        }
    }

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
                done.Release();
            }

            _headStart = consumed.GetInteger();
        }

        if (_head is not null && _head == _tail && _headStart == _tail.Length)
        {
            // Everything consumed: the block goes back to the pool, so an idle connection holds none.
            _head.Release();
            _head = _tail = null;
            _headStart = 0;
        }

        var examinedSegment = (Segment?)examined.GetObject();
        _examinedEverything = _tail is null || (examinedSegment == _tail && examined.GetInteger() == _tail.Length);
    }

    public override void CancelPendingRead()
    {
        _cancelRequested = true;
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

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
    }

    private async ValueTask WaitForDataAsync(CancellationToken cancellationToken)
    {
        if (_cancel.IsCancellationRequested)
        {
            _cancel = new CancellationTokenSource();
        }

        using var linked = cancellationToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _cancel.Token)
            : null;
        try
        {
            await socket.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, linked?.Token ?? _cancel.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // CancelPendingRead: the caller's loop returns a canceled result.
        }
        catch (SocketException e) when (e.SocketErrorCode is not SocketError.OperationAborted)
        {
            End(new ConnectionResetException(e.Message, e));
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            End(null); // closed by us
        }
    }

    /// One non-blocking receive into the tail block (a new one if it is full). True if bytes arrived.
    private bool Receive()
    {
        if (_ended)
        {
            return false;
        }

        var previous = _tail;
        var target = _tail is null || _tail.Length == _tail.Capacity ? new Segment(pool.Rent()) : _tail;
        int received;
        SocketError status;
        try
        {
            received = socket.Receive(target.Free, SocketFlags.None, out status);
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
                if (previous is null)
                {
                    _head = target;
                    _headStart = 0;
                }
                else
                {
                    previous.Append(target);
                }

                _tail = target;
            }

            return true;
        }

        if (target != previous)
        {
            target.Release(); // nothing arrived: no block is kept for it
        }

        if (status == SocketError.WouldBlock)
        {
            return false;
        }

        End(status == SocketError.Success ? null : new ConnectionResetException(status.ToString(), new SocketException((int)status)));
        return false;
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

        public Segment(IMemoryOwner<byte> owner)
        {
            _owner = owner;
            Memory = owner.Memory[..0];
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
