using Gateway.FunctionalTests.Infrastructure;
using Gateway.Testing.Frames;

namespace Gateway.FunctionalTests.Closing;

/// Contract section 4, upstream rows: the client always gets 1014 (bad gateway); the upstream gets the code of
/// what it did wrong.
public sealed class UpstreamViolationTests
{
    public static TheoryData<string, byte[], int> Violations => new()
    {
        { "masked frame from the upstream", RawFrame.Build(true, 0x1, "hi"u8, [1, 2, 3, 4]), 1002 },
        { "reserved opcode", RawFrame.Build(true, 0x4, []), 1002 },
        { "invalid UTF-8", RawFrame.Build(true, 0x1, [0x68, 0xFF, 0x69]), 1007 },
        { "frame over the limit", RawFrame.Build(true, 0x2, new byte[2048]), 1009 },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public async Task Client_gets_1014_and_upstream_gets_the_violation_code(string what, byte[] frame, int expected)
    {
        await using var pair = await SessionPair.OpenAsync("limits: { max_frame_size: 1KiB }");

        await pair.UpstreamSide.SendAsync(frame);

        var toClient = await pair.Client.ReadUntilCloseAsync();
        Assert.True(toClient is not null, what);
        Assert.Equal(1014, toClient!.CloseCode);
        Assert.StartsWith("upstream error", toClient.CloseReason);
        Assert.Equal(expected, (await pair.UpstreamSide.ReadUntilCloseAsync())!.CloseCode);
    }
}
