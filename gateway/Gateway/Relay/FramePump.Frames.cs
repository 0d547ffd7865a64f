using System.Buffers;
using System.Runtime.CompilerServices;
using Gateway.Protocol;
using Gateway.Protocol.Closing;
using Gateway.Protocol.Frames;
using Gateway.Transport;

namespace Gateway.Relay;

/// What a pump does with the bytes of one read: whole data frames at once where the read holds them, else frame by
/// frame (control frames handled here) and data piece by piece.
internal sealed partial class FramePump
{
    /// A partial frame is forwarded once this much of it has arrived, so a large frame trickling in is not cut into
    /// many tiny fragments; Kestrel's and the stream reader's buffers hold far more.
    private const int MinPieceBytes = 16 * 1024;

    /// RFC 6455 5.5: a control frame's payload is at most 125 bytes.
    private const int MaxControlPayload = 125;

    /// A control frame's payload, allocated at the first one: most sessions never see one.
    private byte[]? _control;

    /// Relays what one read holds, as far as it goes; returns where it stopped (the rest is read again with what
    /// comes next) and the exit, if the peer closed or broke the protocol. `completed`: nothing more will come.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<(SequencePosition Consumed, PumpExit? Exit)> RelayReadAsync(ReadOnlySequence<byte> buffer, bool completed)
    {
        var read = default(ReadProgress);
        PumpExit? exit = null;
        try
        {
            while (exit is null)
            {
                if (!_frame.Active && buffer.IsSingleSegment && _to.CanSendData &&
                    FrameDecoder.WholeDataFrameLength(buffer.FirstSpan) > 0)
                {
                    if (!read.HoldingWriteLock)
                    {
                        await _to.EnterWriteAsync(_cancellationToken);
                        read.HoldingWriteLock = true;
                    }

                    int relayed = RelayWholeFrames(buffer.FirstSpan, ref read, out var error);
                    buffer = buffer.Slice(relayed);
                    exit = Violation(error);
                    if (relayed > 0 || exit is not null)
                    {
                        continue; // what is left (a control frame, a frame not all here) goes the general way
                    }
                }

                if (!_frame.Active)
                {
                    if (!TryStartFrame(ref buffer, ref read, out var control, out var payload, out exit))
                    {
                        break;
                    }

                    if (control == Opcode.Ping)
                    {
                        // RFC 6455 5.5.2: a Pong with the same payload, on this leg. The other leg's lock goes
                        // first: the other pump may hold this leg's lock and want that one.
                        if (read.HoldingWriteLock)
                        {
                            read.HoldingWriteLock = false;
                            await FlushAndExitAsync(_cancellationToken);
                        }

                        await _from.SendControlAsync(Opcode.Pong, payload, _cancellationToken);
                        continue;
                    }

                    if (control is { } pongOrClose)
                    {
                        exit = OnPongOrClose(pongOrClose, payload.Span);
                        continue;
                    }
                }

                // Part of a frame waits for more unless MinPieceBytes of it are here; with nothing of it here and
                // nothing more to come, the stream ended mid-frame (the pump ends as on a lost peer).
                long available = Math.Min(_frame.Remaining, buffer.Length);
                if (available < _frame.Remaining && (available == 0 || (available < MinPieceBytes && !completed)))
                {
                    break;
                }

                if (!read.HoldingWriteLock && _to.CanSendData)
                {
                    await _to.EnterWriteAsync(_cancellationToken);
                    read.HoldingWriteLock = true;
                }

                exit = Violation(RelayPiece(buffer.Slice(0, available), ref read));
                buffer = exit is null ? buffer.Slice(available) : buffer;
            }
        }
        finally
        {
            await EndRead(read);
        }

        return (buffer.Start, exit);
    }

    /// The next frame from `buffer`, its header checked: a control frame read whole (`control`, its payload
    /// unmasked in `payload`), or a data frame made the frame in progress once StartDataFrame admits it. False when
    /// `buffer` does not hold enough yet (nothing consumed), or with `exit` for a violation.
    private bool TryStartFrame(ref ReadOnlySequence<byte> buffer, ref ReadProgress read, out Opcode? control,
        out ReadOnlyMemory<byte> payload, out PumpExit? exit)
    {
        (control, payload, exit) = (null, default, null);
        var status = _from.Decoder.TryReadHeader(buffer, out var header, out var consumed, out _, out var error);
        if (status != DecodeStatus.Done)
        {
            exit = Violation(error);
            return false;
        }

        if (header.IsControl)
        {
            read.HeardFrom = true; // a data frame is noted by StartDataFrame, on every path
            var rest = buffer.Slice(consumed);
            if (rest.Length < header.PayloadLength)
            {
                return false; // the header is parsed again with its payload next time
            }

            payload = ReadControlPayload(rest.Slice(0, header.PayloadLength), header);
            buffer = rest.Slice(header.PayloadLength);
            control = header.Opcode;
            return true;
        }

        exit = Violation(StartDataFrame(header, ref read));
        if (exit is not null)
        {
            return false;
        }

        _frame = new FrameInProgress { Header = header, Remaining = header.PayloadLength, Active = true, FirstPiece = true };
        buffer = buffer.Slice(consumed);
        _writer.BeginFrame(header);
        return true;
    }

    private static PumpExit? Violation(ProtocolError? error) =>
        error is null ? null : new PumpExit(PumpExitKind.Violation, Error: error);

    /// The per-frame step every data frame goes through on every path, before any of it is forwarded: the peer
    /// was heard from, and a new message counts against messages_per_connection.
    private ProtocolError? StartDataFrame(in FrameHeader header, ref ReadProgress read)
    {
        read.HeardFrom = true;
        return TakeMessage(header, ref read.ReadAt) ? null : ProtocolError.MessageRateExceeded;
    }

    /// The per-piece step every data frame goes through on every path, once a part of it (the whole frame, on the
    /// whole-frame path) has been validated and written: its payload counted, and at its end the message.
    private void EndPiece(in FrameHeader header, long payloadBytes, bool lastPiece, ref ReadProgress read)
    {
        Counters.Bytes += payloadBytes;
        read.HeardFrom |= payloadBytes > 0;
        if (lastPiece)
        {
            read.DataRead = true;
            if (header.Fin)
            {
                Counters.Messages++;
            }
        }
    }

    /// Validates and forwards the arrived part of the frame in progress (or only validates it when the other leg
    /// is closing or gone: RFC 6455 5.5.1, no data after Close). The violation, if any, before anything is written.
    private ProtocolError? RelayPiece(in ReadOnlySequence<byte> piece, ref ReadProgress read)
    {
        bool lastPiece = piece.Length == _frame.Remaining;

        // Checked under the lock: a Close is only ever sent under it, so none can slip in before this piece.
        var error = read.HoldingWriteLock && _to.CanSendData
            ? _writer.WritePiece(piece, _frame.FirstPiece, lastPiece)
            : _writer.ValidateOnly(piece, lastPiece);
        if (error is not null)
        {
            return error;
        }

        _frame.Remaining -= piece.Length;
        _frame.FirstPiece = false;
        _frame.Active = !lastPiece;
        EndPiece(_frame.Header, piece.Length, lastPiece, ref read);
        return null;
    }

    /// Whole data frames, one after another, from one span, each validated and written as it came, under the write
    /// lock, into one span of the output for the run (advanced once at the end): the common case without the
    /// per-piece bookkeeping, on both the inline path and RelayReadAsync's. Stops before anything else (a control
    /// frame, a frame not all here, a leg that takes no more data), which the general way then handles. Returns the
    /// bytes relayed, and the violation that stopped it, if one did (nothing of that frame is written).
    /// (Internal for tests/Gateway.Benchmarks/Relay/WholeFrameBenchmarks.cs, which times it on its own.)
    internal int RelayWholeFrames(ReadOnlySpan<byte> data, ref ReadProgress read, out ProtocolError? error)
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

            if ((error = StartDataFrame(header, ref read)) is not null)
            {
                break;
            }

            int length = header.HeaderLength + (int)header.PayloadLength;
            frame = frame[..length];
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
            EndPiece(header, header.PayloadLength, lastPiece: true, ref read);
        }

        output.Advance(written);
        return relayed;
    }

    /// A Pong answers the keepalive's ping; a Close ends the pump and is handed to the session (a malformed close
    /// payload is a violation).
    private PumpExit? OnPongOrClose(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        if (opcode == Opcode.Pong)
        {
            _from.PingSentTicks = 0;
            return null;
        }

        var closeError = ClosePayload.Parse(payload, out ushort code, out _);
        return closeError is null
            ? new PumpExit(PumpExitKind.PeerClosed, Close: ClosingFrame.FromPayload(payload, code))
            : Violation(closeError);
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
}
