using Gateway.Diagnostics;
using Gateway.Operations;
using Gateway.Policies;
using Gateway.Relay;
using Gateway.Upstream;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Model;

namespace Gateway.Upgrade;

/// Step (10) and (11) for one session: registers it, runs it, and when it ends writes the access log line and
/// releases what it held (registration, client connection, upstream connection, admission), in that order. The
/// end is a callback from the session, not an awaiting method: a session that runs for hours keeps this object
/// and no state machine.
internal sealed class SessionRun(RelaySession session, ClientPipe clientPipe, UpstreamConnection upstream,
    GateResult admission, DestinationState destination, string route, string client, ILogger logger, GatewayMetrics metrics)
{
    private static readonly Action<object?> Ended = static state => _ = ((SessionRun)state!).EndAsync();

    private IDisposable? _registration;

    /// Only when the request waits for the session (a connection the server kept, not taken over).
    private TaskCompletionSource? _done;

    /// Starts the session; the task completes when it has ended and everything is released.
    public Task Start(SessionRegistry sessions, System.Net.IPEndPoint local, bool requestWaits)
    {
        if (requestWaits)
        {
            _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        Track(destination, +1);
        try
        {
            // Registered so a drain (1001) or a reload that removes the route (1012) can close it.
            _registration = sessions.Add(route, session, local, clientPipe.Abort);
            session.Start(Ended, this);
        }
        catch (Exception e)
        {
            _ = EndAsync(e);
        }

        return _done?.Task ?? Task.CompletedTask;
    }

    private async Task EndAsync(Exception? failed = null)
    {
        try
        {
            using (admission)
            await using (upstream)
            await using (clientPipe)
            {
                try
                {
                    // (11) Access log line and metrics, however the session ended (Summary is there even after a
                    // pump's fault; only a session that never started has none).
                    if (session.Summary is { } summary)
                    {
                        AccessLog.SessionEnded(logger, metrics, route, client, upstream.Destination.Authority, upstream.Subprotocol, summary);
                    }

                    failed ??= session.Fault;
                }
                catch (Exception e)
                {
                    failed = e;
                }
                finally
                {
                    _registration?.Dispose();
                    Track(destination, -1);
                }
            }
        }
        catch (Exception e)
        {
            failed ??= e;
        }

        if (failed is null)
        {
            _done?.TrySetResult();
        }
        else if (clientPipe.IsTakenOver)
        {
            // No request is left to carry the exception to Kestrel's log (and none waits: _done is null).
            Log.SessionFailed(logger, route, client, failed);
        }
        else
        {
            _done?.TrySetException(failed);
        }
    }

    /// Sessions count as YARP "requests" so least_requests and power_of_two_choices see long-lived sessions.
    /// YARP updates the count with Interlocked for plain HTTP; its public setter is not atomic, hence the lock,
    /// which leaves only a rare lost update against a concurrent plain-HTTP request: a balancing hint, not a limit.
    private static void Track(DestinationState destination, int delta)
    {
        lock (destination)
        {
            destination.ConcurrentRequestCount += delta;
        }
    }
}
