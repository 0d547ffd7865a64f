using System.Buffers;
using Gateway.Protocol.Frames;
using static Gateway.Protocol.Tests.Frames.WireAssert;

namespace Gateway.Protocol.Tests.Frames;

/// <summary>RFC 6455 5.7, every example, each re-run under every chunking.</summary>
public class FrameDecoderRfcExampleTests
{
    private const string Hello = "48656C6C6F";

    [Fact]
    public void Single_frame_unmasked_text() =>
        Decodes(Hex("81 05 48 65 6c 6c 6f"), "Text " + Hello, Role.Client);

    [Fact]
    public void Single_frame_masked_text() =>
        Decodes(Hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"), "Text " + Hello, Role.Server);

    [Fact]
    public void Fragmented_unmasked_text() =>
        Decodes(Hex("01 03 48 65 6c 80 02 6c 6f"), "Text more 48656C; Continuation 6C6F", Role.Client);

    [Fact]
    public void Unmasked_ping() =>
        Decodes(Hex("89 05 48 65 6c 6c 6f"), "Ping " + Hello, Role.Client);

    [Fact]
    public void Masked_pong() =>
        Decodes(Hex("8a 85 37 fa 21 3d 7f 9f 4d 51 58"), "Pong " + Hello, Role.Server);

    [Fact]
    public void Binary_256_bytes_uses_the_16_bit_length()
    {
        byte[] payload = Payload(256);
        byte[] wire = [.. Hex("82 7E 0100"), .. payload];
        Decodes(wire, "Binary " + Convert.ToHexString(payload), Role.Client);
    }

    [Fact]
    public void Binary_64_KiB_uses_the_64_bit_length()
    {
        byte[] payload = Payload(65536);
        byte[] wire = [.. Hex("82 7F 0000000000010000"), .. payload];
        Decodes(wire, "Binary " + Convert.ToHexString(payload), Role.Client);
    }

    [Fact]
    public void Masked_hello_header_fields()
    {
        var decoder = new FrameDecoder(Role.Server, FrameLimits.Default);
        var buffer = new ReadOnlySequence<byte>(Hex("81 85 37 fa 21 3d 7f 9f 4d 51 58"));

        DecodeStatus status = decoder.TryReadHeader(buffer, out FrameHeader header, out SequencePosition consumed,
            out _, out _);

        Assert.Equal(DecodeStatus.Done, status);
        Assert.True(header.Fin);
        Assert.Equal(0, header.Rsv);
        Assert.Equal(Opcode.Text, header.Opcode);
        Assert.False(header.IsControl);
        Assert.True(header.Masked);
        Assert.Equal(0x3d21fa37u, header.MaskKey); // wire bytes 37 fa 21 3d, key byte 0 lowest
        Assert.Equal(5, header.PayloadLength);
        Assert.Equal(6, header.HeaderLength);
        Assert.Equal(6, buffer.Slice(0, consumed).Length);
    }

    [Theory]
    [InlineData("89 00", 2, 0L, true)]
    [InlineData("82 7E 0100", 4, 256L, false)]
    [InlineData("82 7F 0000000000010000", 10, 65536L, false)]
    [InlineData("82 7F 7FFFFFFFFFFFFFFF", 10, long.MaxValue, false)]
    public void Header_lengths(string hex, int headerLength, long payloadLength, bool isControl)
    {
        var decoder = new FrameDecoder(Role.Client, FrameLimits.Unlimited);

        decoder.TryReadHeader(new ReadOnlySequence<byte>(Hex(hex)), out FrameHeader header, out _, out _, out _);

        Assert.Equal(headerLength, header.HeaderLength);
        Assert.Equal(payloadLength, header.PayloadLength);
        Assert.Equal(isControl, header.IsControl);
        Assert.False(header.Masked);
        Assert.Equal(0u, header.MaskKey);
    }

    internal static byte[] Payload(int length, int seed = 0)
    {
        var payload = new byte[length];
        new Random(seed ^ length).NextBytes(payload);
        return payload;
    }
}
