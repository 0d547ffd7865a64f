using System.IO.Pipelines;
using Gateway.Protocol.Frames;
using Gateway.Protocol.Masking;
using Gateway.Transport;

namespace Gateway.Relay;

/// One connection of a session as the relay sees it: the pipe, the decoder for what the peer sends, and the state
/// the close choreography needs. Two pumps write into Output (data from the other leg, control replies from this
/// one), so every write happens under the write lock and covers whole frames only.
internal sealed class Leg
{
    /// The write lock: holders plus waiters. 1 means taken and nobody waits; more means writers queue in
    /// _writeQueue, which is created at the first contention (a control frame meeting a data write): most
    /// sessions never need one, and the uncontended path is one interlocked operation each way.
    private int _writers;
    private SemaphoreSlim? _writeQueue;

    public Leg(Side side, IDuplexPipe pipe, Role role, FrameLimits limits)
    {
        Side = side;
        Input = pipe.Input;
        Output = pipe.Output;
        // The fast paths are chosen here, once: the pumps ask these fields, never the pipes' types.
        PollableInput = pipe.Input as IPollableReader;
        ReferenceOutput = pipe.Output as IReferenceWriter;
        Role = role;
        Decoder = new FrameDecoder(role, limits);
        LastReceivedTicks = Environment.TickCount64;
    }

    public Side Side { get; }
    public PipeReader Input { get; }
    public PipeWriter Output { get; }

    /// The input as a socket reader the pump drives itself (no state machine while idle; the inline path), if it is one.
    public IPollableReader? PollableInput { get; }

    /// The output as a writer that sends from the caller's memory (a large piece goes out from where it was read).
    public IReferenceWriter? ReferenceOutput { get; }
    public Role Role { get; }
    public FrameDecoder Decoder { get; }

    /// RFC 6455 5.3: a client masks every frame it sends; a server never does.
    public bool MasksOutgoing => Role == Role.Client;

    /// Environment.TickCount64 of the last frame the peer sent (any opcode).
    public long LastReceivedTicks { get; set; }

    /// When the gateway's last keepalive ping went out on this leg (0: none outstanding).
    public long PingSentTicks { get; set; }

    /// RFC 6455 5.5.1: after sending Close, no more data frames go to this peer.
    public volatile bool CloseSent;

    /// The peer's TCP connection is gone (read EOF or a write failed): nothing more goes to it.
    public volatile bool Gone;

    public ClosingFrame? CloseSentFrame { get; private set; }

    public bool CanSendData => !CloseSent && !Gone;

    public ValueTask EnterWriteAsync(CancellationToken cancellationToken) =>
        Interlocked.Increment(ref _writers) == 1 ? default : WaitForWriteAsync(cancellationToken);

    /// EnterWriteAsync for a caller that will not wait: false if another writer holds the lock.
    public bool TryEnterWrite() => Interlocked.CompareExchange(ref _writers, 1, 0) == 0;

    public void ExitWrite()
    {
        if (Interlocked.Decrement(ref _writers) > 0)
        {
            WriteQueue.Release(); // to the next writer in line
        }
    }

    /// Queued without the token: a waiter that left on cancellation would leave behind the release meant for it. A
    /// holder always gets out (its flushes take the same token), and the waiter then sees the cancellation.
    private async ValueTask WaitForWriteAsync(CancellationToken cancellationToken)
    {
        await WriteQueue.WaitAsync();
        if (cancellationToken.IsCancellationRequested)
        {
            ExitWrite();
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private SemaphoreSlim WriteQueue =>
        _writeQueue ?? Interlocked.CompareExchange(ref _writeQueue, new SemaphoreSlim(0), null) ?? _writeQueue;

    /// Writes one unfragmented control frame (ping, pong) and flushes it. False if the peer is gone or closed.
    public ValueTask<bool> SendControlAsync(Opcode opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        SendAsync(opcode, payload, close: null, cancellationToken);

    /// Sends a Close once; later calls do nothing. False if it was not sent (already sent, or the peer is gone).
    public ValueTask<bool> SendCloseAsync(ClosingFrame frame, CancellationToken cancellationToken) =>
        SendAsync(Opcode.Close, ReadOnlyMemory<byte>.Empty, frame, cancellationToken);

    private async ValueTask<bool> SendAsync(Opcode opcode, ReadOnlyMemory<byte> payload, ClosingFrame? close, CancellationToken cancellationToken)
    {
        if (Gone || CloseSent)
        {
            return false;
        }

        bool entered = false;
        try
        {
            // Inside the try: a session stopped while this waits behind a writer held by a full socket (a peer that
            // reads nothing) ends the wait with a cancellation, which is this Close not sent, not the session's fault.
            await EnterWriteAsync(cancellationToken);
            entered = true;

            // Checked again under the lock: RFC 6455 5.5.1, nothing (not even a Pong) follows our Close.
            if (Gone || CloseSent)
            {
                return false;
            }

            if (close is not null)
            {
                CloseSent = true;
                CloseSentFrame = close;
            }

            WriteControlFrame(opcode, close is null ? payload.Span : close.Payload);
            await Output.FlushAsync(cancellationToken);
            return true;
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            Gone = true;
            return false;
        }
        finally
        {
            if (entered)
            {
                ExitWrite(); // a canceled wait let go of its place itself (WaitForWriteAsync)
            }
        }
    }

    private void WriteControlFrame(Opcode opcode, ReadOnlySpan<byte> payload)
    {
        uint key = MasksOutgoing ? MaskKeys.Next() : 0;
        var span = Output.GetSpan(FrameEncoder.MaxHeaderLength + payload.Length);
        int header = FrameEncoder.WriteHeader(span, fin: true, opcode, payload.Length, MasksOutgoing, key);
        var body = span.Slice(header, payload.Length);
        if (MasksOutgoing)
        {
            Mask.Apply(payload, body, key, 0);
        }
        else
        {
            payload.CopyTo(body);
        }

        Output.Advance(header + payload.Length);
    }
}
