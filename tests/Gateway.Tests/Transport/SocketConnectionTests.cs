using System.Net.Sockets;
using System.Runtime.CompilerServices;
using Gateway.Hosting;
using Gateway.Transport;

namespace Gateway.Tests.Transport;

/// A session that takes its connection over must not keep Kestrel's per-connection state alive: Kestrel hangs it
/// on the connection's features, so nothing the session holds may lead back to the SocketConnection.
public sealed class SocketConnectionTests
{
    [Fact]
    public async Task After_the_take_over_the_session_holds_nothing_that_leads_back_to_the_connection()
    {
        var (pipe, peer, connection) = await TakeOverAsync();
        using var _ = peer;
        await using var __ = pipe;

        // The take-over's last continuation may have resumed this test synchronously, inside the connection's own
        // TakeOverAsync frame, which holds the connection for as long as the test runs on that stack: leave it first.
        await Task.Yield();
        for (int i = 0; i < 20 && connection.IsAlive; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            if (connection.IsAlive)
            {
                await Task.Delay(50); // a loop or pool thread may still be finishing the take-over's continuations
            }
        }

        Assert.False(connection.IsAlive, "the connection (and what Kestrel hung on it) is still reachable");

        // The session's pipe still works.
        await peer.SendAsync("x"u8.ToArray());
        var result = await pipe.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, result.Buffer.Length);
        pipe.Input.AdvanceTo(result.Buffer.End);
    }

    [Fact]
    public async Task Bytes_the_connection_received_before_the_take_over_come_first_then_the_socket_is_read_on_demand()
    {
        var (accepted, peer) = await AcceptAsync();
        using var _ = peer;
        var connection = new SocketConnection(accepted, LargeBlockMemoryPool.Instance);
        await peer.SendAsync("early"u8.ToArray());
        await Task.Delay(200); // the receive loop takes them into its pipe; nobody reads them

        await using var pipe = (SocketPipe)await ((ISessionHandoverFeature)connection).TakeOverAsync();
        await peer.SendAsync("late"u8.ToArray());

        var received = new List<byte>();
        while (received.Count < 9)
        {
            var result = await pipe.Input.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            received.AddRange(System.Buffers.BuffersExtensions.ToArray(result.Buffer));
            pipe.Input.AdvanceTo(result.Buffer.End);
        }

        Assert.Equal("earlylate", System.Text.Encoding.ASCII.GetString(received.ToArray()));
    }

    [Fact]
    public async Task Before_any_take_over_a_peer_closing_the_connection_cancels_ConnectionClosed()
    {
        var (accepted, peer) = await AcceptAsync();
        var connection = new SocketConnection(accepted, LargeBlockMemoryPool.Instance);
        var closed = new TaskCompletionSource();
        connection.ConnectionClosed.Register(() => closed.TrySetResult());

        peer.Dispose();

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await connection.DisposeAsync();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(SocketPipe Pipe, Socket Peer, WeakReference Connection)> TakeOverAsync()
    {
        var (accepted, peer) = await AcceptAsync();
        var connection = new SocketConnection(accepted, LargeBlockMemoryPool.Instance);
        connection.Features.Set(new object()); // stands for the state Kestrel adds
        var pipe = (SocketPipe)await ((ISessionHandoverFeature)connection).TakeOverAsync();
        return (pipe, peer, new WeakReference(connection));
    }

    private static Task<(Socket Accepted, Socket Peer)> AcceptAsync() => Loopback.ConnectAsync();
}
