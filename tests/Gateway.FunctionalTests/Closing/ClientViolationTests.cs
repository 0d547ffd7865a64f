using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Frames;
using Gateway.Testing.Peers;

namespace Gateway.FunctionalTests.Closing;

/// Contract section 4, client rows: frames no polite client sends, over a raw socket. The client gets the close
/// code of the violation with a reason, the upstream gets 1001, and nothing of the bad frame reaches the upstream.
public sealed class ClientViolationTests
{
    private static readonly byte[] Key = [0x37, 0xfa, 0x21, 0x3d];

    private static byte[] Masked(bool fin, int opcode, byte[] payload, int rsv = 0) =>
        RawFrame.Build(fin, opcode, payload, Key, rsv);

    public static TheoryData<string, byte[], int> Violations => new()
    {
        { "unmasked frame", RawFrame.Build(true, 0x1, "hello"u8), 1002 },
        { "reserved data opcode 0x3", Masked(true, 0x3, [1, 2]), 1002 },
        { "reserved control opcode 0xB", Masked(true, 0xB, []), 1002 },
        { "RSV1 without an extension", Masked(true, 0x1, "hi"u8.ToArray(), rsv: 0b100), 1002 },
        { "126-byte ping", Masked(true, 0x9, new byte[126]), 1002 },
        { "fragmented ping", Masked(false, 0x9, [1]), 1002 },
        { "continuation with nothing to continue", Masked(true, 0x0, "x"u8.ToArray()), 1002 },
        { "new message inside a fragmented one", RawFrame.Concat(Masked(false, 0x1, "a"u8.ToArray()), Masked(true, 0x2, [1])), 1002 },
        { "one-byte close payload", Masked(true, 0x8, [0x03]), 1002 },
        { "close code 1005", Masked(true, 0x8, [0x03, 0xED]), 1002 },
        { "close code 999", Masked(true, 0x8, [0x03, 0xE7]), 1002 },
        { "close code 2999", Masked(true, 0x8, [0x0B, 0xB7]), 1002 },
        { "close code 5000", Masked(true, 0x8, [0x13, 0x88]), 1002 },
        { "invalid UTF-8 split across two frames", RawFrame.Concat(Masked(false, 0x1, [0x61, 0xE2, 0x82]), Masked(true, 0x0, [0x28, 0x61])), 1007 },
        { "close reason not UTF-8", Masked(true, 0x8, [0x03, 0xE8, 0xC0, 0xAF]), 1007 },
        { "64-bit length over the frame limit", RawFrame.Build(true, 0x2, [], Key, lengthBytes: 8, announcedLength: 1UL << 40), 1009 },
        { "64-bit length with the top bit set", RawFrame.Build(true, 0x2, [], Key, lengthBytes: 8, announcedLength: 1UL << 63), 1002 },
        { "message over the limit in fragments", RawFrame.Concat(Masked(false, 0x2, new byte[600]), Masked(true, 0x0, new byte[600])), 1009 },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task Client_gets_the_violation_code_and_upstream_gets_1001(string what, byte[] frames, int expected)
    {
        await using var pair = await SessionPair.OpenAsync("limits: { max_frame_size: 1KiB, max_message_size: 1KiB }");

        await pair.Client.SendAsync(frames);

        var toClient = await pair.Client.ReadUntilCloseAsync();
        Assert.True(toClient is not null, what);
        Assert.Equal(expected, toClient!.CloseCode);
        Assert.NotEmpty(toClient.CloseReason);
        Assert.False(toClient.Masked);

        var dataToUpstream = new List<WireFrame>();
        var toUpstream = await pair.UpstreamSide.ReadUntilCloseAsync(others: dataToUpstream);
        Assert.Equal(1001, toUpstream!.CloseCode);
        Assert.True(toUpstream.Masked);
        // Only fully validated frames go upstream: at most the valid first fragment of a message that failed later.
        Assert.All(dataToUpstream, f => Assert.True(f.Opcode is WireFrame.Text or WireFrame.Binary && !f.Fin, $"{what}: {f}"));

        await pair.Gateway.Logs.WaitForAsync("ended_by=Violation side=Client");
    }

    [Fact]
    public async Task Client_over_a_frame_limit_gets_1009_before_the_payload_is_sent()
    {
        await using var pair = await SessionPair.OpenAsync("limits: { max_frame_size: 1KiB }");

        // Only the header of a 2 KiB frame: the gateway decides from the announced length.
        await pair.Client.SendAsync(RawFrame.Build(true, 0x2, new byte[2048], Key)[..8]);

        Assert.Equal(1009, (await pair.Client.ReadUntilCloseAsync())!.CloseCode);
        Assert.Equal(1001, (await pair.UpstreamSide.ReadUntilCloseAsync())!.CloseCode);
    }

    [Fact]
    public async Task Valid_UTF8_split_inside_a_code_point_across_frames_goes_through()
    {
        await using var pair = await SessionPair.OpenAsync();
        var euro = "€"u8.ToArray(); // E2 82 AC

        await pair.Client.SendAsync(RawFrame.Concat(Masked(false, 0x1, [0x61, euro[0]]), Masked(true, 0x0, [euro[1], euro[2]])));

        var received = new List<byte>();
        WireFrame? frame;
        do
        {
            frame = await pair.UpstreamSide.ReadFrameAsync();
            Assert.True(frame!.Masked);
            received.AddRange(frame.Payload);
        }
        while (!frame.Fin);
        Assert.Equal("a€", System.Text.Encoding.UTF8.GetString(received.ToArray()));
    }

    [Fact]
    public async Task Client_ping_is_answered_with_the_same_payload_and_not_forwarded()
    {
        await using var pair = await SessionPair.OpenAsync();

        await pair.Client.SendAsync(Masked(true, 0x9, "are you there"u8.ToArray()));
        await pair.Client.SendAsync(Masked(true, 0x1, "after"u8.ToArray()));

        var pong = await pair.Client.ReadFrameAsync();
        Assert.Equal(WireFrame.Pong, pong!.Opcode);
        Assert.Equal("are you there", pong.Text_);
        var first = await pair.UpstreamSide.ReadFrameAsync();
        Assert.Equal(WireFrame.Text, first!.Opcode);
        Assert.Equal("after", first.Text_);
    }
}
