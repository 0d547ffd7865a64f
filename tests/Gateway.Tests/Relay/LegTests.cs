using System.IO.Pipelines;
using Gateway.Protocol.Frames;
using Gateway.Relay;

namespace Gateway.Tests.Relay;

public sealed class LegTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Writers_queue_behind_the_holder_and_enter_one_at_a_time()
    {
        var leg = NewLeg();
        await leg.EnterWriteAsync(CancellationToken.None);
        var second = leg.EnterWriteAsync(CancellationToken.None).AsTask();
        var third = leg.EnterWriteAsync(CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(second.IsCompleted || third.IsCompleted);

        leg.ExitWrite();
        var first = await Task.WhenAny(second, third).WaitAsync(Timeout);
        await Task.Delay(100);
        Assert.False(second.IsCompleted && third.IsCompleted); // one holder at a time

        leg.ExitWrite();
        await Task.WhenAll(second, third).WaitAsync(Timeout);
        leg.ExitWrite();
        await leg.EnterWriteAsync(CancellationToken.None).AsTask().WaitAsync(Timeout); // free again
    }

    [Fact]
    public async Task A_waiter_canceled_meanwhile_gives_the_lock_back_and_leaves_no_extra_entry()
    {
        var leg = NewLeg();
        using var stop = new CancellationTokenSource();
        await leg.EnterWriteAsync(CancellationToken.None);
        var waiter = leg.EnterWriteAsync(stop.Token).AsTask();
        stop.Cancel();
        await Task.Delay(50);
        Assert.False(waiter.IsCompleted); // it leaves when the holder does, not before

        leg.ExitWrite();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.WaitAsync(Timeout));

        // Exactly one writer gets in now: the canceled one left nothing behind for a second.
        await leg.EnterWriteAsync(CancellationToken.None).AsTask().WaitAsync(Timeout);
        var next = leg.EnterWriteAsync(CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(next.IsCompleted);
        leg.ExitWrite();
        await next.WaitAsync(Timeout);
    }

    private static Leg NewLeg()
    {
        var pipe = new Pipe();
        return new Leg(Side.Client, new DuplexPipe(pipe.Reader, pipe.Writer), Role.Server, new FrameLimits(1 << 20, 1 << 20));
    }
}
