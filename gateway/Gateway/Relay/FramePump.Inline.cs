namespace Gateway.Relay;

/// The common case of a pump on a socket without the pump's async method: a read that holds only whole data frames
/// (a read of small messages almost always does) is relayed on the readiness callback's thread, synchronously,
/// through the same steps as RunAsync's (RelayWholeFrames, EndRead), and the pump goes back to waiting. Anything
/// else (a control frame, a frame not all here, a read across two blocks, a busy write lock, a flush the socket
/// does not take at once) goes to RunAsync as it was, from the same point: nothing of it has been examined or
/// consumed. Why a path of its own: RunAsync's state machine, with its try blocks and awaits, is work a read of
/// small messages does not need (its share of the CPU is in tests/perf/README.md, "Why the code is as it is").
internal sealed partial class FramePump
{
    private void OnReadable()
    {
        bool handled;
        try
        {
            handled = RelayReadsInline();
        }
        catch (Exception)
        {
            handled = false; // the read failed: RunAsync meets the same failure in its own try and ends the pump
        }

        if (!handled)
        {
            _ = RunAsync();
        }
    }

    /// True when the pump is waiting for its socket again or has been handed on (a flush to finish, an exit);
    /// false when RunAsync must go on from here.
    private bool RelayReadsInline()
    {
        if (_frame.Active || _from.PollableInput is not { } socket)
        {
            return false;
        }

        var input = _from.Input;
        while (true)
        {
            if (!socket.TryReadOrReceive(out var result))
            {
                if (socket.TryWaitWith(Resume, this))
                {
                    return true;
                }

                continue;
            }

            var buffer = result.Buffer;
            if (result.IsCanceled)
            {
                // The session stopped the pump (CancelPendingRead): the cancel was taken by this read.
                input.AdvanceTo(buffer.Start);
                _ = ExitAfterAsync(default, new PumpExit(PumpExitKind.Stopped));
                return true;
            }

            if (result.IsCompleted || !buffer.IsSingleSegment || !_to.CanSendData || !_to.TryEnterWrite())
            {
                input.AdvanceTo(buffer.Start); // nothing examined: RunAsync gets the same bytes at once
                return false;
            }

            var read = new ReadProgress { HoldingWriteLock = true };
            int relayed;
            Protocol.ProtocolError? error;
            try
            {
                relayed = RelayWholeFrames(buffer.FirstSpan, ref read, out error);
            }
            catch
            {
                _to.ExitWrite();
                input.AdvanceTo(buffer.Start);
                throw;
            }

            // The frames were copied into the other leg's writer: the read block may go before the flush is done.
            var rest = buffer.GetPosition(relayed);
            input.AdvanceTo(rest, relayed == buffer.Length ? buffer.End : rest);
            var flush = EndRead(read);
            if (error is not null)
            {
                _ = ExitAfterAsync(flush, Violation(error)!.Value);
                return true;
            }

            if (!flush.IsCompletedSuccessfully)
            {
                _ = RunAfterAsync(flush); // the socket is full: the next read waits for it (backpressure)
                return true;
            }

            if (relayed < buffer.Length)
            {
                return false; // a control frame or a frame not all here: the general way
            }
        }
    }

    private async ValueTask ExitAfterAsync(ValueTask flush, PumpExit exit)
    {
        try
        {
            await flush; // leg failures are handled inside (FlushAndExitAsync)
        }
        catch (Exception e)
        {
            _session.NoteFault(e);
        }

        await _session.OnPumpExitAsync(this, exit);
    }

    private async ValueTask RunAfterAsync(ValueTask flush)
    {
        try
        {
            await flush;
        }
        catch (Exception e)
        {
            // Nobody awaits a pump: as in RunAsync, an unexpected failure is handed to the session.
            _session.NoteFault(e);
            await _session.OnPumpExitAsync(this, new PumpExit(PumpExitKind.PeerGone));
            return;
        }

        await RunAsync();
    }
}
