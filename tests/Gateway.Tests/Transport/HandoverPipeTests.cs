using System.Buffers;
using System.Net.Sockets;
using Gateway.Hosting;
using Gateway.Transport;

namespace Gateway.Tests.Transport;

/// What Kestrel sees of a connection before and after a session takes it over.
public sealed class HandoverPipeTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Before_the_hand_over_Kestrels_view_reads_and_writes_the_socket()
    {
        var (pipe, peer) = await SocketPipeTests.ConnectAsync();
        await using var _ = pipe;
        using var __ = peer;
        var view = new HandoverPipe(pipe);

        await peer.SendAsync("GET"u8.ToArray());
        var result = await view.Input.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal("GET"u8.ToArray(), result.Buffer.ToArray());
        view.Input.AdvanceTo(result.Buffer.End);
        await view.Output.WriteAsync("HTTP/1.1 101"u8.ToArray());

        var buffer = new byte[12];
        Assert.Equal(12, await peer.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Timeout));
        Assert.Equal("HTTP/1.1 101"u8.ToArray(), buffer);
    }

    [Fact]
    public async Task After_the_hand_over_Kestrel_sees_the_end_its_writes_vanish_and_its_close_leaves_the_socket_to_the_session()
    {
        var (pipe, peer) = await SocketPipeTests.ConnectAsync();
        await using var _ = pipe;
        using var __ = peer;
        var view = new HandoverPipe(pipe);

        view.HandOver();
        var read = await view.Input.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.True(read.IsCompleted);
        Assert.True(read.Buffer.IsEmpty);
        view.Input.AdvanceTo(read.Buffer.End);
        await view.Output.WriteAsync("HTTP/1.1 200 OK\r\n\r\n"u8.ToArray());
        view.Output.Complete();
        view.Input.Complete();

        // The session's own ends still work: the peer's bytes arrive, and only what the session writes goes out.
        await peer.SendAsync("frame"u8.ToArray());
        var result = await pipe.Input.ReadAsync().AsTask().WaitAsync(Timeout);
        Assert.Equal("frame"u8.ToArray(), result.Buffer.ToArray());
        pipe.Input.AdvanceTo(result.Buffer.End);
        await pipe.Output.WriteAsync("reply"u8.ToArray());
        var buffer = new byte[64];
        int n = await peer.ReceiveAsync(buffer.AsMemory()).AsTask().WaitAsync(Timeout);
        Assert.Equal("reply", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
    }
}
