using Gateway.FunctionalTests.Infrastructure;

namespace Gateway.FunctionalTests.Closing;

/// Contract section 4, the rows where a peer closes properly or simply disappears.
public sealed class CloseRelayTests
{
    [Fact]
    public async Task Client_close_goes_upstream_and_the_upstream_reply_comes_back()
    {
        await using var pair = await SessionPair.OpenAsync();

        await pair.Client.SendCloseAsync(1000, "bye", mask: true);
        var toUpstream = await pair.UpstreamSide.ReadUntilCloseAsync();
        Assert.Equal(1000, toUpstream!.CloseCode);
        Assert.Equal("bye", toUpstream.CloseReason);
        Assert.True(toUpstream.Masked);

        await pair.UpstreamSide.SendCloseAsync(1000, "ack", mask: false);
        var toClient = await pair.Client.ReadUntilCloseAsync();
        Assert.Equal(1000, toClient!.CloseCode);
        Assert.Equal("ack", toClient.CloseReason);
        Assert.True(await pair.Client.WaitForEndAsync(), "the gateway closes the client's TCP connection after the close handshake");
    }

    [Fact]
    public async Task Client_close_that_the_upstream_never_answers_is_answered_by_the_gateway_after_close_timeout()
    {
        await using var pair = await SessionPair.OpenAsync(); // close_timeout: 300ms

        // Timed from before the client's Close: the gateway's wait starts later, when that Close arrives, so this
        // bound holds however late this test reads what reached the upstream (timed from that read, a fresh-clone CI
        // run saw the answer 225 ms later: the read had come late).
        var waited = System.Diagnostics.Stopwatch.StartNew();
        await pair.Client.SendCloseAsync(1000, "bye", mask: true);
        Assert.Equal(1000, (await pair.UpstreamSide.ReadUntilCloseAsync())!.CloseCode);

        // The upstream keeps its connection open and says nothing: the client still gets a clean close handshake,
        // its own code and reason echoed, then the end of its TCP connection.
        var toClient = await pair.Client.ReadUntilCloseAsync();
        Assert.NotNull(toClient); // null: the connection ended without a Close
        Assert.Equal((1000, "bye", false), (toClient.CloseCode, toClient.CloseReason, toClient.Masked));
        Assert.True(waited.Elapsed >= TimeSpan.FromMilliseconds(250), $"answered after {waited.Elapsed}, before close_timeout");
        Assert.True(await pair.Client.WaitForEndAsync(), "the gateway closes the client's TCP connection after its answer");
        Assert.True(await pair.UpstreamSide.WaitForEndAsync(), "and drops the silent upstream's");
    }

    [Fact]
    public async Task Upstream_close_with_an_application_code_reaches_the_client_untouched()
    {
        await using var pair = await SessionPair.OpenAsync();

        await pair.UpstreamSide.SendCloseAsync(4001, "bye", mask: false);

        var toClient = await pair.Client.ReadUntilCloseAsync();
        Assert.Equal(4001, toClient!.CloseCode);
        Assert.Equal("bye", toClient.CloseReason);
        var reply = await pair.UpstreamSide.ReadUntilCloseAsync();
        Assert.Equal(4001, reply!.CloseCode);
    }

    [Fact]
    public async Task Data_in_flight_before_the_upstream_reply_still_reaches_the_client()
    {
        await using var pair = await SessionPair.OpenAsync();

        await pair.Client.SendCloseAsync(1000, "", mask: true);
        await pair.UpstreamSide.ReadUntilCloseAsync();
        await pair.UpstreamSide.SendFrameAsync(0x1, "last words"u8.ToArray(), mask: false);
        await pair.UpstreamSide.SendCloseAsync(1000, "", mask: false);

        var message = await pair.Client.ReadFrameAsync();
        Assert.Equal("last words", message!.Text_);
        Assert.Equal(1000, (await pair.Client.ReadUntilCloseAsync())!.CloseCode);
    }

    [Fact]
    public async Task Client_gone_without_close_gives_upstream_1001()
    {
        await using var pair = await SessionPair.OpenAsync();

        pair.Client.Stream.Close();

        var toUpstream = await pair.UpstreamSide.ReadUntilCloseAsync();
        Assert.Equal(1001, toUpstream!.CloseCode);
        await pair.Gateway.Logs.WaitForAsync("ended_by=PeerGone side=Client");
    }

    [Fact]
    public async Task Upstream_dying_mid_message_gives_the_client_1014()
    {
        await using var pair = await SessionPair.OpenAsync();

        // Half of a 100-byte frame, then the upstream's connection ends.
        await pair.UpstreamSide.SendAsync(Gateway.Testing.Frames.RawFrame.Build(true, 0x2, new byte[100])[..50]);
        pair.UpstreamSide.Stream.Close();

        var toClient = await pair.Client.ReadUntilCloseAsync();
        Assert.Equal(1014, toClient!.CloseCode);
        Assert.Equal("upstream went away", toClient.CloseReason);
    }

    [Fact]
    public async Task Idle_session_is_closed_with_1001_on_both_legs()
    {
        await using var pair = await SessionPair.OpenAsync("limits: { idle_timeout: 300ms, ping_interval: 0 }");

        var toClient = await pair.Client.ReadUntilCloseAsync();
        var toUpstream = await pair.UpstreamSide.ReadUntilCloseAsync();
        Assert.Equal((1001, "idle timeout"), (toClient!.CloseCode, toClient.CloseReason));
        Assert.Equal(1001, toUpstream!.CloseCode);
    }

    [Fact]
    public async Task Client_silent_past_the_ping_interval_gets_1001()
    {
        await using var pair = await SessionPair.OpenAsync("limits: { ping_interval: 200ms }");
        pair.UpstreamSide.AnswerPings = true;
        var upstreamClose = pair.UpstreamSide.ReadUntilCloseAsync();

        var frames = new List<Gateway.Testing.Peers.WireFrame>();
        var toClient = await pair.Client.ReadUntilCloseAsync(others: frames);

        Assert.Contains(frames, f => f.Opcode == Gateway.Testing.Peers.WireFrame.Ping);
        Assert.Equal((1001, "ping timeout"), (toClient!.CloseCode, toClient.CloseReason));
        Assert.Equal(1001, (await upstreamClose)!.CloseCode);
    }

    [Fact]
    public async Task Upstream_silent_past_the_ping_interval_gives_the_client_1014()
    {
        await using var pair = await SessionPair.OpenAsync("limits: { ping_interval: 200ms }");
        pair.Client.AnswerPings = true;
        var upstreamClose = pair.UpstreamSide.ReadUntilCloseAsync();

        var toClient = await pair.Client.ReadUntilCloseAsync();

        Assert.Equal(1014, toClient!.CloseCode);
        Assert.Equal(1001, (await upstreamClose)!.CloseCode);
    }
}
