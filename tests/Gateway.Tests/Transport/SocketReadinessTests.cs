using System.Net;
using System.Net.Sockets;
using Gateway.Transport;

namespace Gateway.Tests.Transport;

public sealed class SocketReadinessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task A_wait_on_a_drained_socket_ends_when_the_peer_sends_and_not_before()
    {
        var (local, peer) = await Loopback.ConnectAsync();
        using var _ = local;
        using var __ = peer;
        using var readiness = SocketReadiness.Register(local);

        var wait = WaitOnDrained(readiness, local);
        await Task.Delay(Quiet);
        Assert.False(wait.IsCompleted);

        await peer.SendAsync("ping"u8.ToArray());
        await wait.WaitAsync(Timeout);
        readiness.ResetRead();
        Assert.Equal(SocketError.Success, ReceiveStatus(local, out int received));
        Assert.Equal(4, received);
    }

    [Fact]
    public async Task An_armed_callback_runs_once_when_the_peer_sends_and_not_before()
    {
        var (local, peer) = await Loopback.ConnectAsync();
        using var _ = local;
        using var __ = peer;
        using var readiness = SocketReadiness.Register(local);
        int calls = 0;
        var called = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Drain(readiness, local);
        Assert.True(readiness.TryArmRead(static state => ((Action)state!)(), () =>
        {
            Interlocked.Increment(ref calls);
            called.TrySetResult();
        }));
        await Task.Delay(Quiet);
        Assert.Equal(0, calls);

        await peer.SendAsync("ping"u8.ToArray());
        await called.Task.WaitAsync(Timeout);
        await peer.SendAsync("more"u8.ToArray());
        await Task.Delay(Quiet);
        Assert.Equal(1, calls); // armed once, called once

        // Readable now: nothing is armed, the caller reads instead.
        Assert.False(readiness.TryArmRead(static _ => throw new InvalidOperationException(), new object()));
    }

    [Fact]
    public async Task Data_that_arrives_between_the_reset_and_the_wait_is_not_missed()
    {
        var (local, peer) = await Loopback.ConnectAsync();
        using var _ = local;
        using var __ = peer;
        using var readiness = SocketReadiness.Register(local);

        for (int i = 0; i < 50; i++)
        {
            readiness.ResetRead();
            Assert.Equal(SocketError.WouldBlock, ReceiveStatus(local, out int ignored));
            await peer.SendAsync(new byte[] { (byte)i });
            await Task.Delay(5); // the event is in before the wait starts
            await readiness.WaitReadableAsync().AsTask().WaitAsync(Timeout);
            readiness.ResetRead();
            Assert.Equal(SocketError.Success, ReceiveStatus(local, out int received));
            Assert.Equal(1, received);
        }
    }

    [Fact]
    public async Task The_end_of_the_stream_stays_readable_after_a_read_of_the_last_bytes()
    {
        var (local, peer) = await Loopback.ConnectAsync();
        using var _ = local;
        using var __ = peer;
        await peer.SendAsync("last"u8.ToArray());
        peer.Shutdown(SocketShutdown.Send);
        await Task.Delay(50); // data and FIN are both in before the socket is registered: one event for both
        using var readiness = SocketReadiness.Register(local);
        await Task.Delay(50); // and that event is in before the reset

        await readiness.WaitReadableAsync().AsTask().WaitAsync(Timeout);
        readiness.ResetRead();
        Assert.Equal(SocketError.Success, ReceiveStatus(local, out int received));
        Assert.Equal(4, received); // shorter than the buffer, yet the socket is not drained: the FIN is left

        await readiness.WaitReadableAsync().AsTask().WaitAsync(Timeout);
        readiness.ResetRead();
        Assert.Equal(SocketError.Success, ReceiveStatus(local, out received));
        Assert.Equal(0, received);
    }

    [Fact]
    public async Task A_wait_for_writing_ends_when_the_peer_makes_room()
    {
        var (local, peer) = await Loopback.ConnectAsync();
        using var _ = local;
        using var __ = peer;
        using var readiness = SocketReadiness.Register(local);
        var chunk = new byte[64 * 1024];
        long sent = 0;
        Task? wait = null;
        for (int round = 0; round < 20 && wait is null; round++)
        {
            // Fill the connection until the kernel refuses; acknowledgements may still free a little room (an
            // event), so fill again until a wait stays pending.
            readiness.ResetWrite();
            while (true)
            {
                int n = local.Send(chunk, SocketFlags.None, out var status);
                if (status == SocketError.WouldBlock)
                {
                    break;
                }

                sent += n;
            }

            var pending = readiness.WaitWritableAsync().AsTask();
            if (await Task.WhenAny(pending, Task.Delay(Quiet)) != pending)
            {
                wait = pending;
            }
        }

        Assert.NotNull(wait);
        var buffer = new byte[1024 * 1024];
        long read = 0;
        while (!wait.IsCompleted && read < sent)
        {
            read += await peer.ReceiveAsync(buffer);
        }

        await wait.WaitAsync(Timeout);
    }

    [Fact]
    public async Task Dispose_and_a_wake_end_pending_waits()
    {
        var (local, peer) = await Loopback.ConnectAsync();
        using var _ = local;
        using var __ = peer;
        var readiness = SocketReadiness.Register(local);
        var woken = WaitOnDrained(readiness, local);
        readiness.WakeReader();
        await woken.WaitAsync(Timeout);

        readiness.ResetRead();
        var disposed = readiness.WaitReadableAsync().AsTask();
        readiness.Dispose();
        // Closing is terminal: the pending wait and every wait after it fail rather than report a ready socket, so
        // no caller retries a call on a descriptor that is still open for ever (issue 22).
        await Assert.ThrowsAsync<ObjectDisposedException>(() => disposed.WaitAsync(Timeout));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => readiness.WaitReadableAsync().AsTask().WaitAsync(Timeout));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => readiness.WaitWritableAsync().AsTask().WaitAsync(Timeout));
        Assert.False(readiness.TryArmRead(static _ => { }, new object()));
    }

    [Fact]
    public async Task A_socket_closed_before_its_registration_is_disposed_leaves_the_next_owner_of_its_number_alone()
    {
        // The descriptor number of a closed socket goes to the next socket opened (the lowest free number); other
        // tests open sockets too, so this tries until it catches the reuse.
        for (int attempt = 0; attempt < 50; attempt++)
        {
            var (first, firstPeer) = await Loopback.ConnectAsync();
            using var _ = firstPeer;
            var stale = SocketReadiness.Register(first);
            long number = first.SafeHandle.DangerousGetHandle();
            first.Dispose();

            // Lower numbers freed earlier go first: hold them until the socket's own comes up.
            var fillers = new List<Socket>();
            var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            while (listener.SafeHandle.DangerousGetHandle() < number && fillers.Count < 20)
            {
                fillers.Add(listener);
                listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            }

            fillers.ForEach(filler => filler.Dispose());
            using var __ = listener;
            if (listener.SafeHandle.DangerousGetHandle() != number)
            {
                stale.Dispose();
                continue;
            }

            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen();
            var readiness = SocketReadiness.Register(listener);
            while (readiness.Loop != stale.Loop) // sockets take turns over the loops: the same epoll set is wanted
            {
                readiness.Dispose();
                readiness = SocketReadiness.Register(listener);
            }

            using var ___ = readiness;
            stale.Dispose(); // must not take the listener out of its epoll set: same number, another socket

            readiness.ResetRead();
            var wait = readiness.WaitReadableAsync().AsTask();
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await client.ConnectAsync(listener.LocalEndPoint!);
            await wait.WaitAsync(Timeout); // a connection to accept: readable
            return;
        }

        Assert.Fail("no descriptor number was reused");
    }

    [Fact]
    public async Task ConnectAsync_connects_and_reports_a_refusal_and_a_cancellation()
    {
        using var listener = new Socket(SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen();
        var endPoint = new IPEndPoint(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndPoint!).Port);

        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await SocketReadiness.ConnectAsync(socket, endPoint, CancellationToken.None).AsTask().WaitAsync(Timeout);
            using var accepted = await listener.AcceptAsync().WaitAsync(Timeout);
            socket.Send("hi"u8);
            Assert.Equal("hi"u8.ToArray(), await Loopback.ReadExactlyAsync(accepted, 2));
        }

        listener.Dispose(); // nobody listens on the port now
        using (var refused = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            var error = await Assert.ThrowsAsync<SocketException>(
                () => SocketReadiness.ConnectAsync(refused, endPoint, CancellationToken.None).AsTask().WaitAsync(Timeout));
            Assert.Equal(SocketError.ConnectionRefused, error.SocketErrorCode);
        }

        // 192.0.2.1 (TEST-NET-1) is never answered: the connect stays in progress until it is canceled.
        using var unanswered = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<Exception>(() => SocketReadiness.ConnectAsync(unanswered,
            new IPEndPoint(IPAddress.Parse("192.0.2.1"), 9), cancel.Token).AsTask().WaitAsync(Timeout));
    }

    /// Finds the socket drained (a reset, then a receive that would block) and starts a wait.
    private static Task WaitOnDrained(SocketReadiness readiness, Socket socket)
    {
        Drain(readiness, socket);
        return readiness.WaitReadableAsync().AsTask();
    }

    /// The protocol's first steps on a socket with nothing to read: reset, then a read that finds it drained.
    private static void Drain(SocketReadiness readiness, Socket socket)
    {
        readiness.ResetRead();
        Assert.Equal(SocketError.WouldBlock, ReceiveStatus(socket, out _));
    }

    private static SocketError ReceiveStatus(Socket socket, out int received)
    {
        var buffer = new byte[4096];
        received = socket.Receive(buffer, SocketFlags.None, out var status);
        return status;
    }
}
