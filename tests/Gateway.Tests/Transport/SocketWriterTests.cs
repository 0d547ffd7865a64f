using System.Net;
using System.Net.Sockets;
using Gateway.Hosting;
using Gateway.Transport;

namespace Gateway.Tests.Transport;

/// SocketWriter sends from the blocks it was written into: across blocks, under backpressure, and with a flush
/// that a stalled peer holds until its token is canceled.
public sealed class SocketWriterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Writes_spanning_several_blocks_before_one_flush_arrive_whole_and_in_order()
    {
        using var connection = await Connection.OpenAsync();
        var (local, peer, writer) = (connection.Local, connection.Peer, connection.Writer);
        var data = Enumerable.Range(0, 200_000).Select(i => (byte)(i % 251)).ToArray();
        Write(writer, data); // requests that do not fit the rest of a block move on to a fresh one

        await AssertOneFlushDeliversAsync(writer, peer, data);
    }

    [Fact]
    public async Task A_flush_of_many_blocks_that_the_socket_takes_only_in_part_arrives_whole_and_in_order()
    {
        using var connection = await Connection.OpenAsync();
        var (local, peer, writer) = (connection.Local, connection.Peer, connection.Writer);
        ShrinkBuffers(local, peer); // the gathered send is taken only in part
        // 64 blocks, written in odd sizes so writes straddle block ends: more than one gathered send passes, and
        // more than the socket buffers hold, so the first send ends somewhere inside a block.
        var data = Enumerable.Range(0, 4_000_000).Select(i => (byte)(i * 7 % 251)).ToArray();
        for (int at = 0; at < data.Length; at += 999)
        {
            int length = Math.Min(999, data.Length - at);
            data.AsSpan(at, length).CopyTo(writer.GetSpan(length));
            writer.Advance(length);
        }

        await AssertArrivesReadLateAsync(peer, data, writer.FlushAsync().AsTask());
    }

    [Fact]
    public async Task Flushes_of_one_block_each_that_the_socket_takes_in_part_arrive_whole_and_in_order()
    {
        using var connection = await Connection.OpenAsync();
        var (local, peer, writer) = (connection.Local, connection.Peer, connection.Writer);
        ShrinkBuffers(local, peer); // most flushes are taken only in part
        var data = Enumerable.Range(0, 2_000_000).Select(i => (byte)(i * 13 % 251)).ToArray();

        var writing = Task.Run(async () =>
        {
            for (int at = 0; at < data.Length; at += 50_000)
            {
                int length = Math.Min(50_000, data.Length - at);
                data.AsSpan(at, length).CopyTo(writer.GetSpan(length));
                writer.Advance(length);
                await writer.FlushAsync();
            }
        });
        await AssertArrivesReadLateAsync(peer, data, writing);
    }

    [Fact]
    public async Task Bytes_written_by_reference_go_out_in_their_place_among_the_written_bytes()
    {
        using var connection = await Connection.OpenAsync();
        var (local, peer, writer) = (connection.Local, connection.Peer, connection.Writer);
        var referenced = Enumerable.Range(0, 40_000).Select(i => (byte)(i % 241)).ToArray();
        var middle = Enumerable.Range(0, 50_000).Select(i => (byte)(i % 253)).ToArray(); // spills over a block

        Write(writer, "head"u8.ToArray());
        writer.WriteReference(referenced.AsMemory(0, 30_000));
        Write(writer, middle);
        writer.WriteReference(referenced.AsMemory(30_000));
        Write(writer, "tail"u8.ToArray());

        await AssertOneFlushDeliversAsync(writer, peer,
            [.. "head"u8, .. referenced[..30_000], .. middle, .. referenced[30_000..], .. "tail"u8]);
    }

    [Fact]
    public async Task A_flush_the_socket_takes_in_part_keeps_copies_so_referenced_memory_is_free_once_it_returns()
    {
        using var connection = await Connection.OpenAsync();
        var (local, peer, writer) = (connection.Local, connection.Peer, connection.Writer);
        ShrinkBuffers(local, peer); // the peer reads nothing yet: a flush of 100 KB is taken only in part
        var expected = new List<byte>();
        ValueTask<System.IO.Pipelines.FlushResult> flush = default;
        for (int i = 0; i < 8 && flush.IsCompleted; i++)
        {
            // The relay's pattern: a frame header, the payload by reference, a flush, then the payload's memory
            // reused (the pump releases its read blocks once the flush has returned, whether or not it completed).
            var payload = Enumerable.Range(0, 100_000).Select(n => (byte)((n * 31 + i) % 251)).ToArray();
            Write(writer, [(byte)i, 0x7E]);
            writer.WriteReference(payload);
            expected.AddRange([(byte)i, 0x7E, .. payload]);
            flush = writer.FlushAsync();
            Array.Fill(payload, (byte)0xEE);
        }

        Assert.False(flush.IsCompleted, "the socket took every flush whole: nothing was left to keep");
        var received = await Loopback.ReadExactlyAsync(peer, expected.Count).WaitAsync(Timeout);
        await flush.AsTask().WaitAsync(Timeout);
        Assert.Equal(expected.ToArray(), received);
    }

    /// Everything unflushed is `data`; one flush, which the socket takes whole, sends it all.
    private static async Task AssertOneFlushDeliversAsync(SocketWriter writer, Socket peer, byte[] data)
    {
        Assert.Equal(data.Length, writer.UnflushedBytes);
        var reading = Loopback.ReadExactlyAsync(peer, data.Length);
        var flush = await writer.FlushAsync().AsTask().WaitAsync(Timeout);

        Assert.False(flush.IsCompleted);
        Assert.Equal(0, writer.UnflushedBytes);
        Assert.Equal(data, await reading.WaitAsync(Timeout));
    }

    /// `data` in writes of 1,000 bytes, each asking for a span that holds it.
    private static void Write(SocketWriter writer, byte[] data)
    {
        for (int at = 0; at < data.Length; at += 1000)
        {
            int length = Math.Min(1000, data.Length - at);
            data.AsSpan(at, length).CopyTo(writer.GetSpan(length));
            writer.Advance(length);
        }
    }

    [Fact]
    public async Task A_flush_to_a_peer_that_reads_nothing_waits_until_its_token_is_canceled()
    {
        using var connection = await Connection.OpenAsync();
        var (local, peer, writer) = (connection.Local, connection.Peer, connection.Writer);
        local.Blocking = false;
        using var cancel = new CancellationTokenSource();

        // Far more than the kernel's buffers on both ends hold: the flush has to wait.
        var flushing = Task.Run(async () =>
        {
            for (int i = 0; i < 2000; i++)
            {
                writer.GetSpan(60 * 1024)[..(60 * 1024)].Fill(1);
                writer.Advance(60 * 1024);
                await writer.FlushAsync(cancel.Token);
            }
        });
        Assert.False(await Task.WhenAny(flushing, Task.Delay(500)) == flushing, "120 MB went into a peer that reads nothing");

        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flushing.WaitAsync(Timeout));
    }

    [Fact]
    public async Task After_a_canceled_flush_of_several_blocks_completing_sends_nothing_more_and_waits_for_nothing()
    {
        using var connection = await Connection.OpenAsync();
        var (local, peer, writer) = (connection.Local, connection.Peer, connection.Writer);
        using var cancel = new CancellationTokenSource();

        // Each flush carries several blocks; the peer reads nothing, so one of them has to wait.
        var flushing = Task.Run(async () =>
        {
            for (int i = 0; i < 200; i++)
            {
                for (int b = 0; b < 3; b++)
                {
                    writer.GetSpan(60 * 1024)[..(60 * 1024)].Fill(2);
                    writer.Advance(60 * 1024);
                }

                await writer.FlushAsync(cancel.Token);
            }
        });
        Assert.False(await Task.WhenAny(flushing, Task.Delay(500)) == flushing, "36 MB went into a peer that reads nothing");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => flushing.WaitAsync(Timeout));

        // What was left of the interrupted flush is dropped, not sent to a peer that still reads nothing.
        await writer.CompleteAsync().AsTask().WaitAsync(Timeout);
        Assert.True(writer.IsGone);
        Assert.Equal(0, writer.UnflushedBytes);
    }

    [Fact]
    public async Task Completing_sends_what_is_unflushed_then_a_FIN()
    {
        using var connection = await Connection.OpenAsync();
        var (local, peer, writer) = (connection.Local, connection.Peer, connection.Writer);
        "tail"u8.CopyTo(writer.GetSpan(4));
        writer.Advance(4);

        await writer.CompleteAsync().AsTask().WaitAsync(Timeout);

        Assert.Equal("tail"u8.ToArray(), await Loopback.ReadExactlyAsync(peer, 4));
        Assert.Equal(0, await peer.ReceiveAsync(new byte[16].AsMemory()).AsTask().WaitAsync(Timeout));
    }

    [Fact]
    public async Task Flushes_to_a_reset_peer_report_completion()
    {
        using var connection = await Connection.OpenAsync();
        var (local, peer, writer) = (connection.Local, connection.Peer, connection.Writer);
        peer.LingerState = new LingerOption(true, 0);
        peer.Dispose();

        bool completed = false;
        for (int i = 0; i < 200 && !completed; i++)
        {
            writer.GetSpan(16 * 1024)[..(16 * 1024)].Clear();
            writer.Advance(16 * 1024);
            completed = (await writer.FlushAsync().AsTask().WaitAsync(Timeout)).IsCompleted;
            await Task.Delay(5);
        }

        Assert.True(completed, "flushes to a reset peer never reported completion");
        Assert.True(writer.IsGone);
    }

    /// A loopback pair, and a SocketWriter on its local end (waiting on its own epoll readiness); disposed with it.
    private sealed class Connection(Socket local, Socket peer, SocketChannel channel) : IDisposable
    {
        public Socket Local => local;
        public Socket Peer => peer;
        public SocketWriter Writer { get; } = new(channel, LargeBlockMemoryPool.Instance);

        public static async Task<Connection> OpenAsync()
        {
            var (local, peer) = await Loopback.ConnectAsync();
            return new Connection(local, peer, new SocketChannel(local));
        }

        public void Dispose()
        {
            channel.Close();
            peer.Dispose();
        }
    }

    /// The peer starts reading only once the socket is full, then gets `data` whole and in order while `sending` ends.
    private static async Task AssertArrivesReadLateAsync(Socket peer, byte[] data, Task sending)
    {
        await Task.Delay(100);
        var received = await Loopback.ReadExactlyAsync(peer, data.Length).WaitAsync(Timeout);
        await sending.WaitAsync(Timeout);
        Assert.Equal(data, received);
    }

    /// Socket buffers far smaller than loopback's defaults, so that a large send is taken only in part.
    private static void ShrinkBuffers(Socket local, Socket peer)
    {
        local.SendBufferSize = 32 * 1024;
        peer.ReceiveBufferSize = 32 * 1024;
    }
}
