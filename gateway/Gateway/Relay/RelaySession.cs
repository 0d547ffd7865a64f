using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading.Tasks.Sources;
using Gateway.Protocol.Frames;

namespace Gateway.Relay;

/// Relays one WebSocket session between two connected duplex pipes: the client leg (the gateway is the server
/// there) and the upstream leg (the gateway is the client). Knows nothing of HTTP, routes or policies.
///
/// One pump per direction. The first thing that ends the session (a Close, a violation, a lost peer, a timeout, a
/// drain) is translated once into the closes of both legs (CloseTranslator); then each leg gets up to close_timeout
/// to answer with its own Close before the pumps are stopped. RunAsync returns when both pumps have ended.
/// Nothing awaits the pumps: the last one to end finishes the session, which completes RunAsync's ValueTask (this
/// object is its source), so a session adds no state machine of its own while it runs.
public sealed partial class RelaySession : IValueTaskSource<RelayResult>
{
    private readonly Leg _client;
    private readonly Leg _upstream;
    /// Both legs; also the lock for the session's ending (rarely taken: an object of its own would cost every session).
    private readonly Leg[] _legs;
    private readonly RelayLimits _limits;
    private readonly CancellationTokenSource _stop = new();
    private readonly DirectionCounters _clientToUpstream = new();
    private readonly DirectionCounters _upstreamToClient = new();
    private RelayEvent? _ending;
    private volatile bool _closing;
    private bool _relayUpstreamReply;
    private long _lastDataTicks = Environment.TickCount64;
    private int _checking;
    private int _pumpsRunning;
    private long _started;
    private Heartbeat? _heartbeat;
    private Timer? _closeTimer;
    private int _closeTimeouts;
    private Exception? _fault;
    private RelayResult? _summary;
    private ManualResetValueTaskSourceCore<RelayResult> _result;

    public RelaySession(IDuplexPipe client, IDuplexPipe upstream, RelayLimits limits)
    {
        _limits = limits;
        _client = new Leg(Side.Client, client, Role.Server, limits.FrameLimits);
        _upstream = new Leg(Side.Upstream, upstream, Role.Client, limits.FrameLimits);
        _legs = [_client, _upstream];
        // Decided once, here: a leg whose connection reports a reset ends the session at once, even while its pump
        // waits on the other leg (a peer that reads nothing) and so does not read it.
        (client as Transport.IPeerLossNotice)?.OnPeerLost(static state => ((RelaySession)state).OnPeerLost(Side.Client), this);
        (upstream as Transport.IPeerLossNotice)?.OnPeerLost(static state => ((RelaySession)state).OnPeerLost(Side.Upstream), this);
    }

    /// The connection of `side` was reset: nothing more goes to it, and the session ends as on a lost peer.
    private void OnPeerLost(Side side)
    {
        LegOf(side).Gone = true;
        _ = EndAsync(new RelayEvent(RelayEventKind.PeerGone, side));
    }

    public bool IsClosing => _closing;

    /// Live counters, for metrics while the session runs (each written by one pump only).
    public DirectionCounters ClientToUpstream => _clientToUpstream;
    public DirectionCounters UpstreamToClient => _upstreamToClient;

    /// Starts both pumps; the result comes when both have ended and the legs are completed. Await it once.
    public ValueTask<RelayResult> RunAsync() => new(this, StartPumps());

    /// RunAsync for an owner that keeps no state machine while the session runs: `onEnded(state)` is called once
    /// the session has ended (inline, on the thread that ended it), and Result then holds how.
    public void Start(Action<object?> onEnded, object? state) =>
        _result.OnCompleted(onEnded, state, StartPumps(), ValueTaskSourceOnCompletedFlags.None);

    /// How the session ended, once it has (Start's callback); throws what a pump failed with, if one did.
    public RelayResult Result => _result.GetResult(_result.Version);

    private short StartPumps()
    {
        _started = Stopwatch.GetTimestamp();
        _heartbeat = HeartbeatPeriod() is { } period ? Heartbeat.For(period) : null;
        _heartbeat?.Add(this);
        _pumpsRunning = 2;
        var version = _result.Version;
        new FramePump(_client, _upstream, this, _clientToUpstream, MessageBucket.For(_limits.ClientMessageRate)).Start(_stop.Token);
        new FramePump(_upstream, _client, this, _upstreamToClient).Start(_stop.Token);
        return version;
    }

    /// After the last pump: stop the timers, complete both legs, hand over the result.
    private async Task FinishAsync()
    {
        lock (_legs)
        {
            // A drain that comes after this finds the session ended (EndAsync) and leaves the disposed token alone.
            _ending ??= new RelayEvent(RelayEventKind.PeerGone, Side.Client);
            _closing = true;
        }

        try
        {
            _heartbeat?.Remove(this);
            _closeTimer?.Dispose();
            _stop.Cancel();
            await CompleteAsync(_client);
            await CompleteAsync(_upstream);
            _stop.Dispose();
        }
        catch (Exception e)
        {
            _fault ??= e;
        }

        var ending = _ending.Value;
        _summary = new RelayResult(ending.Kind, ending.Side, _client.CloseSentFrame, _upstream.CloseSentFrame,
            _clientToUpstream, _upstreamToClient, Stopwatch.GetElapsedTime(_started));
        if (_fault is not null)
        {
            _result.SetException(_fault);
            return;
        }

        _result.SetResult(_summary);
    }

    /// How the session ended, once it has, even when a pump failed (Result then throws): every session gets its
    /// access log line and close metrics, however it ends.
    public RelayResult? Summary => _summary;

    /// What a pump failed with, if one did (a bug: logged beside the access log line).
    public Exception? Fault => _fault;

    RelayResult IValueTaskSource<RelayResult>.GetResult(short token) => _result.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<RelayResult>.GetStatus(short token) => _result.GetStatus(token);

    void IValueTaskSource<RelayResult>.OnCompleted(Action<object?> continuation, object? state, short token,
        ValueTaskSourceOnCompletedFlags flags) => _result.OnCompleted(continuation, state, token, flags);

    /// A pump failed in a way it does not know (a bug): the session ends, and RunAsync throws it.
    internal void NoteFault(Exception e) => Interlocked.CompareExchange(ref _fault, e, null);

    /// Ends the session from outside (drain, restart); does nothing if it is already closing.
    public Task CloseAsync(RelayEventKind kind) => EndAsync(new RelayEvent(kind, Side.Client));

    /// Stops the session now, without close handshakes (the end of a drain's grace).
    public void Abort() => Stop();

    /// Cancels what waits on the stop token (flushes, close frames) and the pumps' reads. The reads are canceled
    /// here, not by a registration on the token: that would be two more objects per session for its whole life.
    private void Stop()
    {
        try
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            _stop.Cancel();
            CancelReads();
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            // Already ended.
        }
    }

    internal void NoteData(long now) => Volatile.Write(ref _lastDataTicks, now);

    /// A write to `side` failed: its peer is gone. The session ends as if its stream had ended.
    internal void NoteWriteFailed(Side side) => _ = EndAsync(new RelayEvent(RelayEventKind.PeerGone, side));

    /// A pump ended (its last act): what that means for the session.
    internal async Task OnPumpExitAsync(FramePump pump, PumpExit exit)
    {
        try
        {
            await HandlePumpExitAsync(pump.From, exit);
        }
        catch (Exception e)
        {
            // Unexpected (a bug): stop the other pump too, so the session still ends, with the exception.
            NoteFault(e);
            Abort();
        }

        if (Interlocked.Decrement(ref _pumpsRunning) == 0)
        {
            await FinishAsync();
        }
    }

    private async Task HandlePumpExitAsync(Leg leg, PumpExit exit)
    {
        switch (exit.Kind)
        {
            case PumpExitKind.PeerClosed:
                bool relay;
                lock (_legs)
                {
                    relay = _ending is not null && _relayUpstreamReply && leg.Side == Side.Upstream;
                }

                if (relay)
                {
                    await _client.SendCloseAsync(exit.Close!, _stop.Token);
                }
                else
                {
                    await EndAsync(new RelayEvent(RelayEventKind.PeerClosed, leg.Side, Close: exit.Close));
                }

                break;
            case PumpExitKind.Violation:
                await EndAsync(new RelayEvent(RelayEventKind.Violation, leg.Side, exit.Error));
                break;
            case PumpExitKind.PeerGone:
                leg.Gone = true;
                await EndAsync(new RelayEvent(RelayEventKind.PeerGone, leg.Side));
                if (_relayUpstreamReply && leg.Side == Side.Upstream)
                {
                    await AnswerClientCloseAsync(); // the upstream vanished instead of answering it
                }

                break;
        }
    }

    private async Task EndAsync(RelayEvent e)
    {
        ClosePlan plan;
        lock (_legs)
        {
            if (_ending is not null)
            {
                return;
            }

            _ending = e;
            _closing = true;
            plan = CloseTranslator.Translate(e);
            _relayUpstreamReply = plan.RelayUpstreamReply;
        }

        // Each leg now has close_timeout to take our Close and answer with its own; then the pumps are stopped
        // whatever state they are in (a peer that reads nothing cannot hold the session open).
        _closeTimer = new Timer(static state => ((RelaySession)state!).OnCloseTimeout(), this, _limits.CloseTimeout, Timeout.InfiniteTimeSpan);
        var toUpstream = plan.ToUpstream is null ? default : _upstream.SendCloseAsync(plan.ToUpstream, _stop.Token);
        var toClient = plan.ToClient is null ? default : _client.SendCloseAsync(plan.ToClient, _stop.Token);
        await toUpstream;
        await toClient;
        if (e.Kind == RelayEventKind.Violation)
        {
            // RFC 6455 7.1.7: a peer that broke the protocol is not waited for; its pump has already ended.
            LegOf(e.Side).Gone = true;
        }
    }

    /// close_timeout has passed since the session started closing. A client whose Close still waits for the
    /// upstream's reply is answered by the gateway (its code echoed, RFC 6455 5.5.1), as when the upstream vanishes:
    /// the client closed cleanly and is not cut off for a slow upstream. That answer gets one more close_timeout;
    /// then, or at once in every other case, whatever still waits is stopped.
    private void OnCloseTimeout()
    {
        if (Interlocked.Increment(ref _closeTimeouts) == 1 && _relayUpstreamReply && _client.CanSendData)
        {
            try
            {
                _closeTimer!.Change(_limits.CloseTimeout, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
                return; // the session has just finished
            }

            _ = AnswerClientThenStopAsync();
            return;
        }

        Stop();
    }

    private async Task AnswerClientThenStopAsync()
    {
        try
        {
            await AnswerClientCloseAsync();
        }
        catch (ObjectDisposedException)
        {
            // The session finished meanwhile (the upstream's reply came after all).
        }

        Stop();
    }

    /// The client's Close, relayed upstream, gets no reply from there: the gateway answers it, echoing what the client
    /// sent (RFC 6455 5.5.1). Sent once at most, like every Close.
    private ValueTask<bool> AnswerClientCloseAsync() =>
        _client.SendCloseAsync(_upstream.CloseSentFrame ?? ClosingFrame.Empty, _stop.Token);

    /// Stops both pumps wherever they wait for data (close timeout or teardown): their reads return canceled.
    private void CancelReads()
    {
        _client.Input.CancelPendingRead();
        _upstream.Input.CancelPendingRead();
    }

    private Leg LegOf(Side side) => side == Side.Client ? _client : _upstream;

    private static async Task CompleteAsync(Leg leg)
    {
        try
        {
            await leg.Input.CompleteAsync();
            await leg.Output.CompleteAsync();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}
