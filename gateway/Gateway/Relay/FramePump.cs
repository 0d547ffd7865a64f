using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using Gateway.Protocol;
using Gateway.Protocol.Closing;
using Gateway.Protocol.Frames;
using Gateway.Transport;

namespace Gateway.Relay;

/// Reads frames from one leg and forwards them to the other, one direction of a session.
///
/// Data frames are streamed: the part of a frame that has arrived is validated (header rules, limits, UTF-8 of text)
/// and then forwarded as a complete frame of its own, a non-final fragment when more of the original frame is to
/// come (RFC 6455 5.4 lets an intermediary change fragmentation of a message without extensions). So no frame is
/// forwarded before it is fully validated, no frame is ever left half-written when a session fails mid-message, a
/// whole message is never buffered, and control frames from the other pump can go between any two pieces.
/// Control frames (at most 125 bytes) are handled here: pings answered on the same leg, pongs noted, Close ends
/// the pump and is handed to the session.
internal sealed partial class FramePump
{
    /// A partial frame is forwarded once this much of it has arrived, so a large frame trickling in is not cut into
    /// many tiny fragments; Kestrel's and the stream reader's buffers hold far more.
    private const int MinPieceBytes = 16 * 1024;

    /// RFC 6455 5.5: a control frame's payload is at most 125 bytes.
    private const int MaxControlPayload = 125;

    private readonly Leg _from;
    private readonly Leg _to;
    private readonly RelaySession _session;
    private readonly PieceWriter _writer;

    private CancellationToken _cancellationToken;

    /// The frame being relayed, kept here while the pump idles between reads (RunAsync).
    private FrameHeader _frame;
    private long _remaining;
    private bool _inFrame;
    private bool _firstPiece = true;

    /// A control frame's payload, allocated at the first one: most sessions never see one.
    private byte[]? _control;
    private readonly MessageBucket? _messageRate;

    public FramePump(Leg from, Leg to, RelaySession session, DirectionCounters counters, MessageBucket? messageRate = null)
    {
        _messageRate = messageRate;
        _from = from;
        _to = to;
        _session = session;
        Counters = counters;
        _writer = new PieceWriter(from, to);
    }

    public DirectionCounters Counters { get; }

    public Leg From => _from;

    /// Starts the pump; it runs until its leg ends, then hands its exit to the session (OnPumpExitAsync).
    public void Start(CancellationToken cancellationToken)
    {
        _cancellationToken = cancellationToken;
        _ = RunAsync();
    }

    /// Called by the socket's readiness when an idle pump's socket may be readable: reads of whole data frames are
    /// relayed right there (FramePump.Inline.cs), anything else by RunAsync.
    private static readonly Action<object?> Resume = static state => ((FramePump)state!).OnReadable();

    /// The pump's loop. On a socket, an idle pump leaves no state machine behind: when a read finds nothing it
    /// arms a callback on the socket's readiness and returns, and the callback runs this again. A call that meets
    /// no wait that has to suspend (the common case: read, relay, flush, arm) allocates nothing; the frame being
    /// relayed lives in fields across calls. Other readers (TLS streams, tests' pipes) are awaited in the loop.
    private async ValueTask RunAsync()
    {
        PumpExit pumpExit = default;
        var cancellationToken = _cancellationToken;
        var frame = _frame;
        long remaining = _remaining;
        bool inFrame = _inFrame;
        bool firstPiece = _firstPiece;
        try
        {
            var input = _from.Input;
            while (true)
            {
                // No token here: a token would register a callback for every pending read, which an idle session holds
                // for its whole life; the session stops a pump with CancelPendingRead instead (IsCanceled below).
                ReadResult result;
                if (_from.PollableInput is { } socket)
                {
                    if (!socket.TryReadOrReceive(out result))
                    {
                        // Nothing buffered, nothing half-written, no lock held: this is where a pump idles.
                        (_frame, _remaining, _inFrame, _firstPiece) = (frame, remaining, inFrame, firstPiece);
                        if (socket.TryWaitWith(Resume, this))
                        {
                            return;
                        }

                        continue;
                    }
                }
                else
                {
                    result = await input.ReadAsync();
                }

                if (result.IsCanceled)
                {
                    input.AdvanceTo(result.Buffer.Start);
                    pumpExit = new PumpExit(PumpExitKind.Stopped);
                    goto Done;
                }

                var buffer = result.Buffer;
                var end = buffer.End;
                bool holdingWriteLock = false;
                // The clock is read once per read, not per frame: a read of small frames holds dozens. Any frame
                // or payload bytes count as the peer being heard from (a large frame may trickle in for long).
                bool heardFrom = false;
                bool messagesRead = false;
                long readAt = 0; // for the message rate: the messages of one read arrived together
                PumpExit? exit = null;
                try
                {
                    while (true)
                    {
                        if (!inFrame && buffer.IsSingleSegment && _to.CanSendData &&
                            FrameDecoder.WholeDataFrameLength(buffer.FirstSpan) > 0)
                        {
                            if (!holdingWriteLock)
                            {
                                await _to.EnterWriteAsync(cancellationToken);
                                holdingWriteLock = true;
                            }

                            int relayed = RelayWholeFrames(buffer.FirstSpan, ref readAt, out var wholeFramesError);
                            if (relayed > 0)
                            {
                                buffer = buffer.Slice(relayed);
                                heardFrom = messagesRead = true;
                            }

                            if (wholeFramesError is not null)
                            {
                                exit = new PumpExit(PumpExitKind.Violation, Error: wholeFramesError);
                                break;
                            }

                            if (relayed > 0)
                            {
                                continue; // what is left (a control frame, a frame not all here) goes the general way
                            }
                        }

                        if (!inFrame)
                        {
                            var status = _from.Decoder.TryReadHeader(buffer, out var header, out var consumed, out _, out var error);
                            if (status == DecodeStatus.NeedMoreData)
                            {
                                break;
                            }

                            if (status == DecodeStatus.Error)
                            {
                                exit = new PumpExit(PumpExitKind.Violation, Error: error);
                                break;
                            }

                            heardFrom = true;
                            if (header.IsControl)
                            {
                                var rest = buffer.Slice(consumed);
                                if (rest.Length < header.PayloadLength)
                                {
                                    break; // the header is parsed again with its payload next time
                                }

                                var payload = ReadControlPayload(rest.Slice(0, header.PayloadLength), header);
                                buffer = rest.Slice(header.PayloadLength);
                                if (header.Opcode == Opcode.Ping)
                                {
                                    // RFC 6455 5.5.2: answer with a Pong carrying the same payload, on this leg. Release
                                    // the other leg's lock first: the other pump may hold this leg's lock and want that one.
                                    if (holdingWriteLock)
                                    {
                                        holdingWriteLock = false;
                                        await FlushAndExitAsync(cancellationToken);
                                    }

                                    await _from.SendControlAsync(Opcode.Pong, payload, cancellationToken);
                                }
                                else if (header.Opcode == Opcode.Pong)
                                {
                                    _from.PingSentTicks = 0;
                                }
                                else
                                {
                                    var closeError = ClosePayload.Parse(payload.Span, out ushort code, out _);
                                    exit = closeError is null
                                        ? new PumpExit(PumpExitKind.PeerClosed, Close: ClosingFrame.FromPayload(payload.Span, code))
                                        : new PumpExit(PumpExitKind.Violation, Error: closeError);
                                    break;
                                }

                                continue;
                            }

                            if (!TakeMessage(header, ref readAt))
                            {
                                exit = new PumpExit(PumpExitKind.Violation, Error: ProtocolError.MessageRateExceeded);
                                break;
                            }

                            inFrame = true;
                            frame = header;
                            remaining = header.PayloadLength;
                            firstPiece = true;
                            buffer = buffer.Slice(consumed);
                            _writer.BeginFrame(header);
                        }

                        long available = Math.Min(remaining, buffer.Length);
                        if (available < remaining && (available < MinPieceBytes || available == 0) && !result.IsCompleted)
                        {
                            break;
                        }

                        if (available < remaining && available == 0)
                        {
                            break; // stream ended mid-frame: handled as PeerGone below
                        }

                        bool lastPiece = available == remaining;
                        var piece = buffer.Slice(0, available);
                        if (!holdingWriteLock && _to.CanSendData)
                        {
                            await _to.EnterWriteAsync(cancellationToken);
                            holdingWriteLock = true;
                        }

                        // Checked under the lock: a Close is only ever sent under it, so none can slip in before this piece.
                        if (holdingWriteLock && _to.CanSendData)
                        {
                            var pieceError = _writer.WritePiece(piece, firstPiece, lastPiece);
                            if (pieceError is not null)
                            {
                                exit = new PumpExit(PumpExitKind.Violation, Error: pieceError);
                                break;
                            }
                        }
                        else
                        {
                            // The other leg is closing or gone (RFC 6455 5.5.1: no data after Close): validate, drop.
                            var pieceError = _writer.ValidateOnly(piece, lastPiece);
                            if (pieceError is not null)
                            {
                                exit = new PumpExit(PumpExitKind.Violation, Error: pieceError);
                                break;
                            }
                        }

                        buffer = buffer.Slice(available);
                        remaining -= available;
                        firstPiece = false;
                        Counters.Bytes += available;
                        heardFrom |= available > 0;
                        if (lastPiece)
                        {
                            inFrame = false;
                            if (frame.Fin)
                            {
                                Counters.Messages++;
                            }

                            messagesRead = true;
                        }
                    }
                }
                finally
                {
                    if (heardFrom)
                    {
                        NoteActivity(messagesRead);
                    }

                    if (holdingWriteLock)
                    {
                        await FlushAndExitAsync(cancellationToken);
                    }
                }

                input.AdvanceTo(buffer.Start, end);
                if (exit is not null)
                {
                    pumpExit = exit.Value;
                    goto Done;
                }

                if (result.IsCompleted)
                {
                    pumpExit = new PumpExit(PumpExitKind.PeerGone);
                    goto Done;
                }
            }
    
        }
        catch (OperationCanceledException)
        {
            pumpExit = new PumpExit(PumpExitKind.Stopped);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            pumpExit = new PumpExit(PumpExitKind.PeerGone);
        }
        catch (Exception e)
        {
            // Nobody awaits a pump: an unexpected failure is handed to the session, which ends with it.
            _session.NoteFault(e);
            pumpExit = new PumpExit(PumpExitKind.PeerGone);
        }

        Done:
        await _session.OnPumpExitAsync(this, pumpExit);
    }

    /// The common case without the loop's per-piece bookkeeping: whole data frames, one after another, from one
    /// span, each validated and written as it came, under the write lock, into one span of the output for the run
    /// (advanced once at the end). Stops before anything else (a control frame, a frame not all here, a leg that
    /// takes no more data), which the loop then handles. Returns the bytes relayed, and the violation that stopped
    /// it, if one did (nothing of that frame is written).
    /// (Internal for tests/Gateway.Benchmarks/Relay/WholeFrameBenchmarks.cs, which times it on its own.)
    internal int RelayWholeFrames(ReadOnlySpan<byte> data, ref long readAt, out ProtocolError? error)
    {
        error = null;
        int relayed = 0;
        var output = _to.Output;
        // Room for the whole run as it came, plus the mask keys it may gain toward an upstream: one GetSpan, as a
        // block of the output holds far more than a read of small frames.
        var destination = output.GetSpan(Math.Min(data.Length + data.Length / 8 + FrameEncoder.MaxHeaderLength,
            LargeBlockMemoryPool.BlockSize));
        int written = 0;
        while (relayed < data.Length && _to.CanSendData)
        {
            var frame = data[relayed..];
            if (_from.Decoder.TryReadWholeDataFrame(frame, out var header, out error) != DecodeStatus.Done)
            {
                break;
            }

            int length = header.HeaderLength + (int)header.PayloadLength;
            frame = frame[..length];

            if (!TakeMessage(header, ref readAt))
            {
                error = ProtocolError.MessageRateExceeded;
                break;
            }

            int frameBytes = _writer.WriteWholeFrame(header, frame, destination[written..], out error);
            if (frameBytes < 0)
            {
                // The span is full: what it holds goes first, then a span for at least this frame.
                output.Advance(written);
                destination = output.GetSpan(PieceWriter.WholeFrameBound((int)header.PayloadLength));
                written = 0;
                frameBytes = _writer.WriteWholeFrame(header, frame, destination, out error);
            }

            if (error is not null)
            {
                break;
            }

            written += frameBytes;
            relayed += length;
            Counters.Bytes += header.PayloadLength;
            if (header.Fin)
            {
                Counters.Messages++;
            }
        }

        output.Advance(written);
        return relayed;
    }

    /// A new message counts against messages_per_connection before any of it is forwarded. `readAt`: the clock, read
    /// at the first message of a read only (the messages of one read arrived together).
    private bool TakeMessage(in FrameHeader header, ref long readAt) =>
        _messageRate is null || header.Opcode == Opcode.Continuation ||
        _messageRate.TryTake(readAt = readAt == 0 ? Stopwatch.GetTimestamp() : readAt);

    /// The peer sent frames (the keepalive's silence check), data among them (the session's idle timeout).
    private void NoteActivity(bool data)
    {
        long now = Environment.TickCount64;
        _from.LastReceivedTicks = now;
        if (data)
        {
            _session.NoteData(now);
        }
    }

    private ReadOnlyMemory<byte> ReadControlPayload(in ReadOnlySequence<byte> payload, in FrameHeader header)
    {
        _control ??= new byte[MaxControlPayload];
        var span = _control.AsSpan(0, (int)payload.Length);
        payload.CopyTo(span);
        if (header.Masked)
        {
            Protocol.Masking.Mask.Apply(span, header.MaskKey, 0);
        }

        return _control.AsMemory(0, span.Length);
    }

    /// Flushes what this pump wrote to the other leg and releases that leg's write lock. A flush the socket takes at
    /// once (the common case) completes here, with no async method run for it.
    private ValueTask FlushAndExitAsync(CancellationToken cancellationToken)
    {
        ValueTask<FlushResult> flush;
        try
        {
            flush = _to.Output.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (IsLegFailure(e))
        {
            _to.Gone = true;
            ExitWrite();
            return default;
        }

        if (!flush.IsCompletedSuccessfully)
        {
            return AwaitFlushAndExitAsync(flush);
        }

        if (flush.Result.IsCompleted)
        {
            _to.Gone = true; // the peer stopped taking data
        }

        ExitWrite();
        return default;
    }

    private async ValueTask AwaitFlushAndExitAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            if ((await flush).IsCompleted)
            {
                _to.Gone = true;
            }
        }
        catch (Exception e) when (IsLegFailure(e))
        {
            _to.Gone = true;
        }
        finally
        {
            ExitWrite();
        }
    }

    /// Releases the other leg's write lock; a leg found gone ends the session as if its stream had ended.
    private void ExitWrite()
    {
        _to.ExitWrite();
        if (_to.Gone)
        {
            _session.NoteWriteFailed(_to.Side);
        }
    }

    private static bool IsLegFailure(Exception e) =>
        e is IOException or ObjectDisposedException or InvalidOperationException or OperationCanceledException;
}
