using Gateway.Transport;

namespace Gateway.Tests.Transport;

/// The clock of listen[].handshake_timeout. Timeouts here are short and the waits generous: what is checked is
/// whether the callback runs, never how precisely.
public sealed class HandshakeDeadlineTests
{
    private static readonly TimeSpan Short = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Settle = TimeSpan.FromMilliseconds(400);

    private sealed class Expiry
    {
        public int Count;
        public readonly TaskCompletionSource Fired = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Run(object _)
        {
            Interlocked.Increment(ref Count);
            Fired.TrySetResult();
        }
    }

    [Fact]
    public async Task Runs_out_once_when_no_head_arrives()
    {
        var expiry = new Expiry();
        using var deadline = new HandshakeDeadline(Short, expiry.Run, this);

        await expiry.Fired.Task.WaitAsync(TimeSpan.FromSeconds(5));
        await Task.Delay(Settle);
        Assert.Equal(1, expiry.Count);
        Assert.False(deadline.ServedOne);
    }

    [Fact]
    public async Task Stops_for_a_head_and_runs_again_after_the_response()
    {
        var expiry = new Expiry();
        using var deadline = new HandshakeDeadline(Short, expiry.Run, this);
        deadline.RequestHeadReceived();

        await Task.Delay(Settle);
        Assert.Equal(0, expiry.Count);

        deadline.AwaitNextRequest();
        await expiry.Fired.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(deadline.ServedOne);
    }

    [Fact]
    public async Task Never_runs_after_dispose()
    {
        var expiry = new Expiry();
        var deadline = new HandshakeDeadline(Short, expiry.Run, this);
        deadline.Dispose();
        deadline.AwaitNextRequest(); // a response finishing after a take-over: must not start it again
        deadline.Dispose();

        await Task.Delay(Settle);
        Assert.Equal(0, expiry.Count);
    }

    [Fact]
    public async Task A_head_after_expiry_changes_nothing()
    {
        var expiry = new Expiry();
        using var deadline = new HandshakeDeadline(Short, expiry.Run, this);
        await expiry.Fired.Task.WaitAsync(TimeSpan.FromSeconds(5));

        deadline.RequestHeadReceived();
        deadline.AwaitNextRequest();
        await Task.Delay(Settle);
        Assert.Equal(1, expiry.Count);
    }
}
