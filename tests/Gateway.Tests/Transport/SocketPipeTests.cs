using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Gateway.Hosting;
using Gateway.Transport;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Tests.Transport;

/// SocketPipe over real loopback connections: what the peer sends arrives in Input, what is written to Output
/// reaches the peer, and the ends of the connection (FIN, reset, dispose) show up as the relay expects them.
public sealed class SocketPipeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Bytes_cross_both_ways_in_order_including_more_than_one_block()
    {
        var (pipe, peer) = await ConnectAsync();
        await using var _ = pipe;
        using var __ = peer;
        var outgoing = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        var incoming = Enumerable.Range(0, 200_000).Select(i => (byte)(i * 13)).ToArray();

        var peerReads = Loopback.ReadExactlyAsync(peer, outgoing.Length);
        await pipe.Output.WriteAsync(outgoing);
        await peer.SendAsync(incoming);

        Assert.Equal(outgoing, await peerReads.WaitAsync(Timeout));
        Assert.Equal(incoming, await ReadExactlyAsync(pipe.Input, incoming.Length).WaitAsync(Timeout));
    }

    [Fact]
    public async Task A_peer_that_closes_ends_Input_after_its_last_bytes()
    {
        var (pipe, peer) = await ConnectAsync();
        await using var _ = pipe;
        await peer.SendAsync("last words"u8.ToArray());
        peer.Shutdown(SocketShutdown.Send);

        var received = new List<byte>();
        while (true)
        {
            var result = await pipe.Input.ReadAsync().AsTask().WaitAsync(Timeout);
            received.AddRange(result.Buffer.ToArray());
            pipe.Input.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted)
            {
                break;
            }
        }

        Assert.Equal("last words"u8.ToArray(), received.ToArray());
        peer.Dispose();
    }

    [Fact]
    public async Task A_reset_from_the_peer_is_an_IOException_on_Input()
    {
        var (pipe, peer) = await ConnectAsync();
        await using var _ = pipe;
        peer.LingerState = new LingerOption(true, 0); // close with RST
        peer.Dispose();

        var error = await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            while (true)
            {
                var result = await pipe.Input.ReadAsync().AsTask().WaitAsync(Timeout);
                pipe.Input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return;
                }
            }
        });
        Assert.IsType<ConnectionResetException>(error);
    }

    [Fact]
    public async Task Disposing_sends_what_was_written_then_a_FIN()
    {
        var (pipe, peer) = await ConnectAsync();
        using var _ = peer;
        await pipe.Output.WriteAsync("goodbye"u8.ToArray());

        await pipe.DisposeAsync().AsTask().WaitAsync(Timeout);

        Assert.Equal("goodbye"u8.ToArray(), await Loopback.ReadToEndAsync(peer).WaitAsync(Timeout));
    }

    [Fact]
    public async Task After_Abort_Input_ends_and_the_peer_sees_the_connection_close()
    {
        var (pipe, peer) = await ConnectAsync();
        using var _ = peer;

        pipe.Abort();

        var result = await pipe.Input.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.True(result.IsCompleted);
        Assert.Empty(await Loopback.ReadToEndAsync(peer).WaitAsync(Timeout));
        await pipe.DisposeAsync();
    }

    [Fact]
    public async Task A_peer_gone_makes_the_writers_flush_report_completion_or_throw_IOException()
    {
        var (pipe, peer) = await ConnectAsync();
        await using var _ = pipe;
        peer.LingerState = new LingerOption(true, 0);
        peer.Dispose();

        // The first writes may still be accepted by the kernel; within a few the loss shows.
        bool ended = false;
        for (int i = 0; i < 200 && !ended; i++)
        {
            try
            {
                var flush = await pipe.Output.WriteAsync(new byte[16 * 1024]).AsTask().WaitAsync(Timeout);
                ended = flush.IsCompleted;
            }
            catch (IOException)
            {
                ended = true;
            }

            await Task.Delay(5);
        }

        Assert.True(ended, "writes to a reset peer never reported the loss");
    }

    internal static async Task<(SocketPipe Pipe, Socket Peer)> ConnectAsync()
    {
        var (local, peer) = await Loopback.ConnectAsync();
        return (new SocketPipe(local).Start(), peer);
    }

    private static async Task<byte[]> ReadExactlyAsync(PipeReader reader, int count)
    {
        var received = new List<byte>(count);
        while (received.Count < count)
        {
            var result = await reader.ReadAsync();
            received.AddRange(result.Buffer.ToArray());
            reader.AdvanceTo(result.Buffer.End);
            Assert.False(result.IsCompleted && received.Count < count, "input ended early");
        }

        return [.. received];
    }
}
