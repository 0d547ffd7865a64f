using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Frames;

namespace Gateway.FunctionalTests.Relay;

/// A slow reader on one side slows the reading of the other: the gateway does not buffer what the upstream
/// cannot take, so a client writing into a stalled session is held up by TCP flow control.
public sealed class BackpressureTests
{
    [Fact]
    public async Task Client_writes_stall_while_the_upstream_reads_nothing_then_everything_arrives()
    {
        // 1024 messages at once: far over the default messages_per_connection burst (200), which would close with 1008.
        await using var pair = await SessionPair.OpenAsync("limits: { max_frame_size: 64KiB, max_message_size: 64KiB, " +
            "messages_per_connection: { rate: 100000, burst: 100000 } }");
        var frame = RawFrame.Build(true, 0x2, new byte[60 * 1024], [1, 2, 3, 4]);
        const int frames = 1024; // 60 MiB: far more than socket buffers and the gateway's pipes hold together

        var writing = Task.Run(async () =>
        {
            for (int i = 0; i < frames; i++)
            {
                await pair.Client.SendAsync(frame);
            }
        });
        var finishedEarly = await Task.WhenAny(writing, Task.Delay(TimeSpan.FromSeconds(2))) == writing;
        Assert.False(finishedEarly, "the client could write 60 MiB into a session whose upstream reads nothing");

        long received = 0;
        int count = 0;
        while (count < frames)
        {
            var f = await pair.UpstreamSide.ReadFrameAsync(TimeSpan.FromSeconds(30));
            received += f!.Payload.Length;
            if (f.Fin)
            {
                count++;
            }
        }

        await writing;
        Assert.Equal(60L * 1024 * frames, received);
    }
}

/// A peer that stops reading cannot hold a session open: once the session ends (here by idle timeout while every
/// write toward the client is blocked), close_timeout bounds the wait, and both connections are dropped.
public sealed class StalledPeerTests
{
    [Fact]
    public async Task Session_with_a_client_that_reads_nothing_still_ends()
    {
        await using var pair = await SessionPair.OpenAsync("limits: { idle_timeout: 500ms, ping_interval: 0 }");
        var frame = RawFrame.Build(true, 0x2, new byte[60 * 1024]);

        // The upstream floods until TCP flow control stops it: the client never reads.
        var flooding = Task.Run(async () =>
        {
            try
            {
                for (int i = 0; i < 2048; i++)
                {
                    await pair.UpstreamSide.SendAsync(frame);
                }
            }
            catch (IOException)
            {
                // The gateway dropped the connection: what this test waits for.
            }
        });

        var line = await pair.Gateway.Logs.WaitForAsync("Session: route=test", TimeSpan.FromSeconds(15));
        Assert.Contains("ended_by=IdleTimeout", line);
        Assert.True(await Task.WhenAny(flooding, Task.Delay(TimeSpan.FromSeconds(10))) == flooding, "the upstream's writes never failed");
    }
}
