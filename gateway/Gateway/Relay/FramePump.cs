using System.Diagnostics;
using System.IO.Pipelines;
using Gateway.Protocol;
using Gateway.Protocol.Frames;

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
///
/// The steps, in the order a read meets them: read (RunAsync, or the readiness callback: FramePump.Inline.cs);
/// relay what the read holds (RelayReadAsync: whole frames at once, else frame by frame and piece by piece:
/// FramePump.Frames.cs); settle the read (EndRead); hand the pump's exit to the session. Every data frame, on every
/// path, goes through the same per-frame steps: StartDataFrame before any of it is written, EndPiece after each
/// part of it is.
internal sealed partial class FramePump
{
    private readonly Leg _from;
    private readonly Leg _to;
    private readonly RelaySession _session;
    private readonly PieceWriter _writer;
    private readonly MessageBucket? _messageRate;

    private CancellationToken _cancellationToken;

    /// The frame being relayed, kept here while the pump idles between reads.
    private FrameInProgress _frame;

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

    /// Called by the socket's readiness when an idle pump's socket may be readable (FramePump.Inline.cs).
    private static readonly Action<object?> Resume = static state => ((FramePump)state!).OnReadable();

    /// The pump's loop: read, relay, settle, until the leg ends. On a socket (a pollable input) an idle pump leaves
    /// no state machine behind: a read that finds nothing arms a callback on the socket's readiness and returns,
    /// and the callback runs the inline path, or this again. Other readers (TLS streams, tests' pipes) are awaited.
    /// No token on the reads: a token would register a callback for every pending read, which an idle session holds
    /// for its whole life; the session stops a pump with CancelPendingRead instead.
    private async ValueTask RunAsync()
    {
        PumpExit exit;
        try
        {
            var input = _from.Input;
            while (true)
            {
                ReadResult result;
                if (_from.PollableInput is { } socket)
                {
                    if (!socket.TryReadOrReceive(out result))
                    {
                        // Nothing buffered, nothing half-written, no lock held: this is where a pump idles.
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
                    exit = new PumpExit(PumpExitKind.Stopped);
                    break;
                }

                var (consumed, violation) = await RelayReadAsync(result.Buffer, result.IsCompleted);
                input.AdvanceTo(consumed, result.Buffer.End);
                if (violation is not null)
                {
                    exit = violation.Value;
                    break;
                }

                if (result.IsCompleted)
                {
                    exit = new PumpExit(PumpExitKind.PeerGone);
                    break;
                }
            }
        }
        catch (Exception e)
        {
            exit = ExitAfter(e);
        }

        await _session.OnPumpExitAsync(this, exit);
    }

    /// How a pump that threw ends: a leg that went away is a lost peer, the session's stop a stop; anything else
    /// is a bug, handed to the session (nobody awaits a pump), which ends with it.
    private PumpExit ExitAfter(Exception e)
    {
        switch (e)
        {
            case OperationCanceledException:
                return new PumpExit(PumpExitKind.Stopped);
            case IOException or ObjectDisposedException or InvalidOperationException:
                return new PumpExit(PumpExitKind.PeerGone);
            default:
                _session.NoteFault(e);
                return new PumpExit(PumpExitKind.PeerGone);
        }
    }

    /// The end of every read, on every path: the peer was heard from (and sent data), and what was written to the
    /// other leg is flushed and its write lock released. A flush the socket takes at once completes here.
    private ValueTask EndRead(in ReadProgress read)
    {
        if (read.HeardFrom)
        {
            long now = Environment.TickCount64;
            _from.LastReceivedTicks = now;
            if (read.DataRead)
            {
                _session.NoteData(now);
            }
        }

        return read.HoldingWriteLock ? FlushAndExitAsync(_cancellationToken) : default;
    }

    /// A new message counts against messages_per_connection before any of it is forwarded.
    private bool TakeMessage(in FrameHeader header, ref long readAt) =>
        _messageRate is null || header.Opcode == Opcode.Continuation ||
        _messageRate.TryTake(readAt = readAt == 0 ? Stopwatch.GetTimestamp() : readAt);

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
