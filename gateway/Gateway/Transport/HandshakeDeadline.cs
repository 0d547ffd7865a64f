namespace Gateway.Transport;

/// The clock of `listen[].handshake_timeout` on one connection, as the application sees it.
public interface IHandshakeDeadlineFeature
{
    /// A complete request head arrived (the application runs for it): the clock stops.
    void RequestHeadReceived();

    /// The response is done and the connection stays open for another request: the clock runs again. A kept-alive
    /// connection that stays quiet past it is closed without a 408, as Kestrel and nginx close idle keep-alives.
    void AwaitNextRequest();
}

/// How long an accepted connection may take to deliver a complete request head: from the accept, TLS included,
/// and again from the end of each response while the connection is kept alive. Kestrel's own limits (30 s for
/// headers, 130 s of keep-alive, and the TLS layer's separate 10 s) let a client that drips a byte a second, or
/// sends nothing, hold a socket for minutes; this one clock bounds every stage before a request is handled.
/// One timer per connection, changed rather than made anew for each request, with no execution context.
internal sealed class HandshakeDeadline : IHandshakeDeadlineFeature, IDisposable
{
    private const int Running = 0;
    private const int Stopped = 1;
    private const int Done = 2; // expired or disposed: for good

    private readonly TimeSpan _timeout;
    private readonly Action<object> _expired;
    private readonly object _expiredState;
    private readonly Timer _timer;
    private int _state;
    private volatile bool _servedOne;

    /// `expired(state)` runs once, on a timer thread, if the clock runs out; never after Dispose.
    public HandshakeDeadline(TimeSpan timeout, Action<object> expired, object state)
    {
        _timeout = timeout;
        _expired = expired;
        _expiredState = state;
        using (ExecutionContext.SuppressFlow())
        {
            _timer = new Timer(static state => ((HandshakeDeadline)state!).Expire(), this, timeout, Timeout.InfiniteTimeSpan);
        }
    }

    public TimeSpan Length => _timeout;

    /// Whether a request was answered on this connection before: a silent keep-alive gets no 408.
    public bool ServedOne => _servedOne;

    public void RequestHeadReceived()
    {
        if (Interlocked.CompareExchange(ref _state, Stopped, Running) == Running)
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public void AwaitNextRequest()
    {
        _servedOne = true;
        if (Interlocked.CompareExchange(ref _state, Running, Stopped) == Stopped)
        {
            _timer.Change(_timeout, Timeout.InfiniteTimeSpan);
        }
    }

    /// The connection is closing or was taken over by a session: the clock is gone for good.
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _state, Done) != Done)
        {
            _timer.Dispose();
        }
    }

    private void Expire()
    {
        if (Interlocked.CompareExchange(ref _state, Done, Running) == Running)
        {
            _timer.Dispose();
            _expired(_expiredState);
        }
    }
}
