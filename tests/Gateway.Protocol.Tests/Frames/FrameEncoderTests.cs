using Gateway.Protocol.Frames;
using static Gateway.Protocol.Tests.Frames.WireAssert;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>RFC 6455 5.2 header layout, minimal length encoding, and refusal to write forbidden frames.</summary>
public class FrameEncoderTests
{
    [Theory]
    [InlineData(true, Opcode.Text, 5L, false, 0u, "81 05")]                              // RFC 6455 5.7
    [InlineData(true, Opcode.Text, 5L, true, 0x3d21fa37u, "81 85 37 fa 21 3d")]           // RFC 6455 5.7
    [InlineData(false, Opcode.Text, 3L, false, 0u, "01 03")]                              // RFC 6455 5.7
    [InlineData(true, Opcode.Continuation, 2L, false, 0u, "80 02")]                       // RFC 6455 5.7
    [InlineData(true, Opcode.Pong, 5L, true, 0x3d21fa37u, "8a 85 37 fa 21 3d")]           // RFC 6455 5.7
    [InlineData(true, Opcode.Binary, 256L, false, 0u, "82 7E 0100")]                      // RFC 6455 5.7
    [InlineData(true, Opcode.Binary, 65536L, false, 0u, "82 7F 0000000000010000")]        // RFC 6455 5.7
    [InlineData(true, Opcode.Binary, 125L, false, 0u, "82 7D")]
    [InlineData(true, Opcode.Binary, 126L, false, 0u, "82 7E 007E")]
    [InlineData(true, Opcode.Binary, 65535L, true, 0x04030201u, "82 FE FFFF 01020304")]
    [InlineData(true, Opcode.Close, 0L, false, 0u, "88 00")]
    [InlineData(false, Opcode.Binary, long.MaxValue, true, 0u, "02 FF 7FFFFFFFFFFFFFFF 00000000")]
    public void Writes_minimal_headers(bool fin, Opcode opcode, long length, bool masked, uint key, string hex)
    {
        byte[] expected = Hex(hex);
        var destination = new byte[FrameEncoder.MaxHeaderLength];

        int written = FrameEncoder.WriteHeader(destination, fin, opcode, length, masked, key);

        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(destination, 0, written));
        Assert.Equal(expected.Length, FrameEncoder.GetHeaderLength(length, masked));
    }

    [Theory]
    [InlineData(0L, false, 2)]
    [InlineData(125L, false, 2)]
    [InlineData(126L, false, 4)]
    [InlineData(65535L, false, 4)]
    [InlineData(65536L, false, 10)]
    [InlineData(0L, true, 6)]
    [InlineData(65536L, true, 14)]
    public void Header_length(long payloadLength, bool masked, int expected) =>
        Assert.Equal(expected, FrameEncoder.GetHeaderLength(payloadLength, masked));

    [Fact]
    public void Refuses_what_the_RFC_forbids()
    {
        var destination = new byte[FrameEncoder.MaxHeaderLength];
        Assert.Throws<ArgumentOutOfRangeException>(() => FrameEncoder.GetHeaderLength(-1, false));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameEncoder.WriteHeader(destination, true, Opcode.Binary, -1, false, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            FrameEncoder.WriteHeader(destination, true, (Opcode)0x3, 0, false, 0));
        Assert.Throws<ArgumentException>(() => FrameEncoder.WriteHeader(destination, true, Opcode.Ping, 126, false, 0));
        Assert.Throws<ArgumentException>(() => FrameEncoder.WriteHeader(destination, false, Opcode.Close, 2, false, 0));
        Assert.Throws<ArgumentException>(() =>
            FrameEncoder.WriteHeader(destination.AsSpan(0, 9), true, Opcode.Binary, 65536, false, 0));
    }
}
