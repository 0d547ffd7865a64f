using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Gateway.Hosting;
using Gateway.Transport;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Tests.Transport;

/// SocketReader reads its socket only when asked, with PipeReader's consumed/examined rules, over loopback.
public sealed class SocketReaderTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Data_larger_than_a_block_is_read_across_segments_and_consumed_in_parts()
    {
        var (reader, peer, local) = await ConnectAsync();
        using var _ = peer;
        using var __ = local;
        var data = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 31)).ToArray();
        await peer.SendAsync(data);

        var received = new List<byte>();
        while (received.Count < data.Length)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            // Consume at most 10,000 bytes per read: the rest stays buffered across blocks.
            var take = result.Buffer.Slice(0, Math.Min(10_000, result.Buffer.Length));
            received.AddRange(take.ToArray());
            reader.AdvanceTo(take.End); // the rest is unexamined: returned without waiting for more
        }

        Assert.Equal(data, received.ToArray());
        reader.Complete();
    }

    [Fact]
    public async Task Unexamined_data_is_returned_at_once_and_examined_data_waits_for_more()
    {
        var (reader, peer, local) = await ConnectAsync();
        using var _ = peer;
        using var __ = local;
        await peer.SendAsync("abc"u8.ToArray());

        var first = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal("abc"u8.ToArray(), first.Buffer.ToArray());
        reader.AdvanceTo(first.Buffer.Start); // nothing consumed, nothing examined: the same bytes come back at once
        Assert.True(reader.TryRead(out var again));
        Assert.Equal(3, again.Buffer.Length);
        reader.AdvanceTo(again.Buffer.Start, again.Buffer.End); // all examined: the next read waits for more

        var waiting = reader.ReadAsync().AsTask();
        Assert.False(await Task.WhenAny(waiting, Task.Delay(200)) == waiting, "a read returned without new data");
        await peer.SendAsync("de"u8.ToArray());
        var more = await waiting.WaitAsync(Timeout);
        Assert.Equal("abcde"u8.ToArray(), more.Buffer.ToArray());
        reader.AdvanceTo(more.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task CancelPendingRead_wakes_a_waiting_read_with_a_canceled_result_and_reading_goes_on()
    {
        var (reader, peer, local) = await ConnectAsync();
        using var _ = peer;
        using var __ = local;

        var waiting = reader.ReadAsync().AsTask();
        await Task.Delay(50);
        reader.CancelPendingRead();
        var canceled = await waiting.WaitAsync(Timeout);
        Assert.True(canceled.IsCanceled);
        reader.AdvanceTo(canceled.Buffer.Start);

        // The wait was woken, not the socket shut: what the peer sends next is read as usual.
        await peer.SendAsync("after"u8.ToArray());
        var next = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.False(next.IsCompleted);
        Assert.Equal("after"u8.ToArray(), next.Buffer.ToArray());
        reader.Complete();
    }

    [Fact]
    public async Task TryReadOrReceive_and_WaitAsync_read_as_ReadAsync_does_and_a_cancel_wakes_the_wait()
    {
        var (reader, peer, local) = await ConnectAsync();
        using var _ = peer;
        using var __ = local;

        Assert.False(reader.TryReadOrReceive(out System.IO.Pipelines.ReadResult _));
        var wait = reader.WaitAsync().AsTask();
        await Task.Delay(50);
        Assert.False(wait.IsCompleted);
        await peer.SendAsync("one"u8.ToArray());
        await wait.WaitAsync(Timeout);
        Assert.True(reader.TryReadOrReceive(out var first));
        Assert.Equal("one"u8.ToArray(), first.Buffer.ToArray());
        reader.AdvanceTo(first.Buffer.End);

        Assert.False(reader.TryReadOrReceive(out System.IO.Pipelines.ReadResult _));
        var waiting = reader.WaitAsync().AsTask();
        reader.CancelPendingRead();
        await waiting.WaitAsync(Timeout);
        Assert.True(reader.TryReadOrReceive(out var canceled));
        Assert.True(canceled.IsCanceled);
        reader.AdvanceTo(canceled.Buffer.Start);

        peer.Shutdown(SocketShutdown.Send);
        while (!reader.TryReadOrReceive(out System.IO.Pipelines.ReadResult _))
        {
            await reader.WaitAsync().AsTask().WaitAsync(Timeout);
        }

        Assert.True(reader.TryReadOrReceive(out var end));
        Assert.True(end.IsCompleted);
        reader.Complete();
    }

    [Fact]
    public async Task CancelPendingRead_with_no_read_waiting_cancels_the_next_read_only()
    {
        var (reader, peer, local) = await ConnectAsync();
        using var _ = peer;
        using var __ = local;

        reader.CancelPendingRead();
        var canceled = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.True(canceled.IsCanceled);
        reader.AdvanceTo(canceled.Buffer.Start);

        await peer.SendAsync("x"u8.ToArray());
        var next = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.False(next.IsCanceled);
        Assert.Equal(1, next.Buffer.Length);
        reader.AdvanceTo(next.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task A_token_canceled_during_a_wait_throws_OperationCanceledException_and_leaves_the_stream_readable()
    {
        var (reader, peer, local) = await ConnectAsync();
        using var _ = peer;
        using var __ = local;
        using var cancel = new CancellationTokenSource(100);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.ReadAsync(cancel.Token).AsTask().WaitAsync(Timeout));

        await peer.SendAsync("after"u8.ToArray());
        var next = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal("after"u8.ToArray(), next.Buffer.ToArray());
        reader.Complete();
    }

    [Fact]
    public async Task A_token_that_is_never_canceled_leaves_nothing_behind_and_data_arrives()
    {
        var (reader, peer, local) = await ConnectAsync();
        using var _ = peer;
        using var __ = local;
        using var cancel = new CancellationTokenSource();

        var reading = reader.ReadAsync(cancel.Token).AsTask();
        await peer.SendAsync("y"u8.ToArray());
        var next = await reading.WaitAsync(Timeout);
        Assert.Equal("y"u8.ToArray(), next.Buffer.ToArray());
        reader.AdvanceTo(next.Buffer.End);
        cancel.Cancel(); // after the read: changes nothing

        await peer.SendAsync("z"u8.ToArray());
        var after = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal("z"u8.ToArray(), after.Buffer.ToArray());
        reader.AdvanceTo(after.Buffer.End);
        reader.Complete();
    }

    [Fact]
    public async Task The_peers_FIN_completes_after_its_last_bytes_and_a_reset_throws_IOException()
    {
        var (reader, peer, local) = await ConnectAsync();
        using var __ = local;
        await peer.SendAsync("end"u8.ToArray());
        peer.Shutdown(SocketShutdown.Send);
        var received = new List<byte>();
        while (true)
        {
            var result = await reader.ReadAsync().AsTask().WaitAsync(Timeout);
            received.AddRange(result.Buffer.ToArray());
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        Assert.Equal("end"u8.ToArray(), received.ToArray());
        peer.Dispose();
        reader.Complete();

        var (reset, resetPeer, resetLocal) = await ConnectAsync();
        using var ___ = resetLocal;
        resetPeer.LingerState = new LingerOption(true, 0);
        resetPeer.Dispose();
        var error = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (true)
            {
                var result = await reset.ReadAsync().AsTask().WaitAsync(Timeout);
                reset.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        });
        Assert.IsType<ConnectionResetException>(error);
    }

    [Fact]
    public async Task Reads_that_consume_all_they_got_allocate_nothing_once_warm()
    {
        var (reader, peer, local) = await ConnectAsync();
        using var _ = peer;
        using var __ = local;
        var chunk = Enumerable.Range(0, 700).Select(i => (byte)i).ToArray();
        long allocated = 0;
        for (int round = 0; round < 220; round++)
        {
            peer.Send(chunk);
            long before = GC.GetAllocatedBytesForCurrentThread();
            var received = ReceiveAll(reader, chunk.Length); // the relay's way: read, consume everything, read again
            if (round >= 20)
            {
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
            }

            Assert.Equal(chunk.Length, received);
        }

        Assert.Equal(0, allocated);
        reader.Complete();
    }

    /// Reads with TryReadOrReceive, consuming everything each time, until `expected` bytes came (spinning: the
    /// socket's loop marks it readable from its own thread).
    private static long ReceiveAll(SocketReader reader, int expected)
    {
        long received = 0;
        long deadline = Environment.TickCount64 + (long)Timeout.TotalMilliseconds;
        while (received < expected)
        {
            if (reader.TryReadOrReceive(out var result))
            {
                received += result.Buffer.Length;
                reader.AdvanceTo(result.Buffer.End);
            }
            else if (Environment.TickCount64 > deadline)
            {
                throw new TimeoutException($"{received} of {expected} bytes");
            }
        }

        return received;
    }

    private static async Task<(SocketReader Reader, Socket Peer, Socket Local)> ConnectAsync()
    {
        var (local, peer) = await Loopback.ConnectAsync();
        return (new SocketReader(new SocketChannel(local), LargeBlockMemoryPool.Instance), peer, local);
    }
}
